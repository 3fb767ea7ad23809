"""Stage 2, plan: turn a `Project` into a `BuildPlan`, the decisions the rewritten Dockerfile encodes.

The plan keeps what the original Dockerfile meant (CMD, ENTRYPOINT, ports, env, labels, extra steps, the
working directory) and replaces what it got wrong (how dependencies are installed, the user, the layering).
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field

from dockerfix import __version__, tables
from dockerfix.analyse.dockerfile import split_copy
from dockerfix.analyse.model import DockerfileInfo, Instruction, Project
from dockerfix.analyse.release import base_image, is_debian, python_default_release, stated_release
from dockerfix.plan.installers import Installer, installer_for
from dockerfix.render.safe import safe_path, safe_requirement

VENV = "/opt/venv"
DEFAULT_APP_DIR = "/app"
USER = "app"
UID = 10001
# ENV keys the rewrite owns: the original's values pointed at user-site installs that the venv replaces.
OWNED_ENV = frozenset({"PATH", "VIRTUAL_ENV", "PYTHONUSERBASE", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"})
KEPT_AS_IS = frozenset({"ENV", "ARG", "LABEL", "EXPOSE", "VOLUME", "STOPSIGNAL", "SHELL", "ONBUILD"})
BUILD_ONLY_APT = re.compile(r"^(gcc|g\+\+|cpp|clang|build-essential|make|cmake|ninja-build|pkg-config|pkgconf|cargo|rustc|"
                            r"libc6-dev|.*-dev|git)$")
# Commands whose job the plan takes over: installing dependencies, creating the user, cleaning up after them.
REPLACED_COMMAND = re.compile(
    r"^\s*(?:(?:python3?|/\S*python3?)\s+-m\s+)?(?:pip3?|poetry|uv|pdm|pipenv|pipx)\b"
    r"|^\s*(?:useradd|adduser|groupadd|addgroup|chown|chmod)\b"
    r"|^\s*rm\s+-[rf]+\s+(?:/tmp/\S*|/opt/\S*|/wheels\S*|/requirements\S*|/var/lib/apt/lists/\*|\S*\.whl|\S*requirements\S*)(?:\s+\S+)*\s*$"
    r"|^\s*apt(?:-get)?\s+(?:update|install|clean|autoremove|-y|-q)"
    r"|^\s*(?:export\s+)?[A-Z_]+=\S*\s*$|^\s*true\s*$"
)
APT_INSTALL = re.compile(r"apt(?:-get)?\s+(?:-\S+\s+)*install\s+(.*)")


@dataclass(frozen=True)
class KeptInstruction:
    text: str  # the user's instruction, verbatim
    origin: str  # "Dockerfile:12"


@dataclass(frozen=True)
class BuildPlan:
    python: str
    base_image: str
    installer: Installer
    build_packages: tuple[str, ...]
    runtime_packages: tuple[str, ...]
    install_project: str | None  # shell command after the sources are copied, None when the code runs from app_dir
    app_dir: str
    pythonpath: str | None
    global_args: tuple[str, ...] = ()  # ARG instructions before the first FROM, verbatim
    kept: tuple[KeptInstruction, ...] = ()
    healthcheck: str | None = None
    expose: int | None = None  # the port of a server command dockerfix detected (the original had no CMD or EXPOSE)
    entrypoint: str | None = None  # verbatim instruction
    cmd: str | None = None  # verbatim instruction, or rendered from the detected entry command
    uv_image: str = "ghcr.io/astral-sh/uv:latest"
    venv: str = VENV
    user: str = USER
    uid: int = UID
    labels: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    release: str = tables.DEFAULT_RELEASE  # the Debian release of base_image, whose apt names the plan uses
    release_reason: str | None = None  # why base_image names its release instead of the plain tag


def _apt_packages(command: str) -> list[str]:
    match = APT_INSTALL.search(command)
    if not match:
        return []
    words = re.split(r"\s+", match.group(1).split("&&")[0].split(";")[0].strip())
    return [w for w in words if w and not w.startswith("-") and re.fullmatch(r"[a-z0-9][a-z0-9.+-]*(?:=\S+)?", w)]


def _renamed(packages: list[str], release: str) -> list[str]:
    """The original's apt names as ``release`` installs them; a pin is kept only where the release has it."""
    out: list[str] = []
    for word in packages:
        name, _, pin = word.partition("=")
        replacement = tables.apt_replacement(name, release)
        version = tables.apt_package(name, release).version
        if replacement is None and pin and version is not None and not fnmatch.fnmatchcase(version, pin):
            replacement = (name,)
        out.extend(replacement if replacement is not None else (word,))
    return out


def release_for(dockerfile: DockerfileInfo | None, python: str) -> tuple[str, str | None]:
    """(the Debian release the rewrite builds on, why it names it in the tag, None: the plain tag's own).

    The user's final stage decides: a FROM whose tag names a Debian release (`python:3.11-slim-bookworm`,
    `debian:12`) keeps it; otherwise the plain `python:X.Y-slim` tag, whose release depends on the version.
    """
    final = dockerfile.final_stage if dockerfile else None
    image = base_image(dockerfile, final) if dockerfile and final else ""
    stated = stated_release(image)
    if is_debian(stated) and stated in tables.SUPPORTED_RELEASES and stated != python_default_release(python):
        line = next((i.line for i in final.instructions if i.keyword == "FROM"), 1) if final else 1
        return stated, f"{dockerfile.path}:{line} builds on {image} (Debian {stated})"  # type: ignore[union-attr]
    return python_default_release(python), None


def _for_release(packages: tuple[str, ...], release: str) -> list[str]:
    return [new for name in packages for new in tables.apt_for_release(name, release)]


def _original_intent(dockerfile: DockerfileInfo | None, app_dir: str) -> tuple[list[KeptInstruction], list[str], list[str]]:
    """(instructions kept verbatim, apt packages the original installed, notes on what was dropped)."""
    if dockerfile is None or dockerfile.final_stage is None:
        return [], [], []
    kept: list[KeptInstruction] = []
    apt: list[str] = []
    notes: list[str] = []
    for ins in dockerfile.final_stage.instructions:
        origin = f"{dockerfile.path}:{ins.line}"
        if ins.keyword == "ENV":
            if not _owned_env(ins):
                kept.append(KeptInstruction(ins.text, origin))
        elif ins.keyword in KEPT_AS_IS:
            kept.append(KeptInstruction(ins.text, origin))
        elif ins.keyword == "RUN":
            commands = [c for c in re.split(r"&&|;|\|\|", ins.value) if c.strip()]
            apt += [p for c in commands for p in _apt_packages(c)]
            if all(REPLACED_COMMAND.search(c) for c in commands):
                notes.append(f"{origin}: `RUN {ins.value[:60]}` replaced by the builder stage")
            else:
                kept.append(KeptInstruction(ins.text, origin))
        elif ins.keyword in ("COPY", "ADD") and _copies_outside_app(ins, app_dir):
            kept.append(KeptInstruction(ins.text, origin))
    return kept, apt, notes


def _owned_env(ins: Instruction) -> bool:
    keys = re.findall(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=", ins.value) or ins.value.split()[:1]
    return all(k in OWNED_ENV for k in keys)


def _copies_outside_app(ins: Instruction, app_dir: str) -> bool:
    flags, sources, destination = split_copy(ins.value)
    if "from" in flags or not sources:
        return False  # artifacts of the old builder stage: the new builder produces its own
    return destination.startswith("/") and not destination.rstrip("/").startswith(app_dir.rstrip("/") or "/")


def _app_dir(dockerfile: DockerfileInfo | None) -> str:
    workdir = dockerfile.last("WORKDIR") if dockerfile else None
    if workdir and workdir.value.startswith("/") and "$" not in workdir.value:
        return safe_path(workdir.value.strip(), dockerfile.path, workdir.line, absolute=True)  # type: ignore[union-attr]
    return DEFAULT_APP_DIR


def _installable(project: Project) -> bool:
    pyproject = project.pyproject
    if (project.root / "setup.py").is_file():
        return True
    return bool(pyproject and pyproject.build_backend and pyproject.package_mode and project.import_packages)


def plan(project: Project) -> BuildPlan:
    app_dir = _app_dir(project.dockerfile)
    kept, original_apt, notes = _original_intent(project.dockerfile, app_dir)
    requirement_lines = tuple(safe_requirement(r) for r in project.dependencies)
    installer = installer_for(project, requirement_lines)
    for manifest in installer.manifests:
        safe_path(manifest, project.dockerfile_path, None)

    release, release_reason = release_for(project.dockerfile, project.python.version)
    original_apt = _renamed(original_apt, release)
    build_packages = {*_for_release(project.system_packages.build, release), *original_apt}
    runtime_packages = {*_for_release(project.system_packages.runtime, release),
                        *(p for p in original_apt if not BUILD_ONLY_APT.match(p))}
    installable = _installable(project)
    if installer.uses_uv_image:
        install_project = "uv sync --frozen --no-dev --no-editable"
    else:
        install_project = "pip install --no-deps ." if installable else None
    pythonpath = None
    if not installable:
        pythonpath = f"{app_dir}/src" if project.layout == "src" else app_dir

    dockerfile = project.dockerfile
    healthcheck = dockerfile.last("HEALTHCHECK") if dockerfile else None
    entrypoint = dockerfile.last("ENTRYPOINT") if dockerfile else None
    cmd_ins = dockerfile.last("CMD") if dockerfile else None
    expose = None
    if cmd_ins is not None:
        cmd = cmd_ins.text
    elif project.entry is not None and project.entry.argv and not entrypoint:
        cmd = "CMD " + json.dumps(list(project.entry.argv))
        notes.append(f"CMD from {project.entry.origin}")
        if project.entry.server and not any(k.text.startswith("EXPOSE") for k in kept):
            expose = project.entry.port
    else:
        cmd = None
    global_args = tuple(i.text for i in (dockerfile.instructions if dockerfile else ()) if i.stage == -1)
    notes.append(f"Python {project.python.reason}")
    notes += [f"{dist}: {why}" for dist, why in project.system_packages.reasons]
    return BuildPlan(
        python=project.python.version,
        base_image=f"python:{project.python.version}-slim" + (f"-{release}" if release_reason else ""),
        installer=installer,
        build_packages=tuple(sorted(build_packages)),
        runtime_packages=tuple(sorted(runtime_packages)),
        install_project=install_project,
        app_dir=app_dir,
        pythonpath=pythonpath,
        global_args=global_args,
        kept=tuple(kept),
        healthcheck=healthcheck.text if healthcheck else None,
        expose=expose,
        entrypoint=entrypoint.text if entrypoint else None,
        cmd=cmd,
        labels=(("org.dockerfix.version", __version__), ("org.dockerfix.python", project.python.version)),
        notes=tuple(notes),
        release=release,
        release_reason=release_reason,
    )

