"""Stage 2, plan: turn a `Project` into a `BuildPlan`, the decisions the rewritten Dockerfile encodes.

The plan keeps what the original Dockerfile meant (CMD, ENTRYPOINT, ports, env, labels, extra steps, the
working directory) and replaces what it got wrong (how dependencies are installed, the user, the layering).
`plan.intent` reads the original instruction by instruction; `BuildPlan.accounting` says what became of each.
"""

from __future__ import annotations

import fnmatch
import json
import posixpath
import re
from dataclasses import dataclass, field, replace

from dockerfix import tables
from dockerfix.version import __version__
from dockerfix.model import Accounted, DockerfileInfo, Project
from dockerfix.analyse.dockerfile import split_copy
from dockerfix.analyse.release import base_image, is_debian, python_default_release, stated_release
from dockerfix.plan.installers import Installer, installer_for
from dockerfix.plan.intent import Intent, KeptInstruction, read_intent
from dockerfix.plan.layout import MASK_VERSION_SCRIPT, VERSIONED_MANIFESTS, FinalStage, runtime_files
from dockerfix.plan.safe import safe_path, safe_requirement, shell_quote

VENV = "/opt/venv"
DEFAULT_APP_DIR = "/app"
USER = "app"
UID = 10001
BUILD_ONLY_APT = re.compile(r"^(gcc|g\+\+|cpp|clang|build-essential|make|cmake|ninja-build|pkg-config|pkgconf|cargo|rustc|"
                            r"libc6-dev|.*-dev|git)$")
APT_INSTALL = re.compile(r"apt(?:-get)?\s+(?:-\S+\s+)*install\s+(.*)")
# The project's venv has no pip: `python -m pip` of an extra install runs the base image's pip (PIP_PYTHON → venv).
VENV_PIP = re.compile(r"(?<![\w/.$-])python3?(?:\.\d+)?\s+-m\s+pip\b")


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
    directives: tuple[str, ...] = ()  # the user's `# syntax=` line, kept with the instructions that need it
    sources: str = "."  # what `COPY <sources> .` copies: the context, or a monorepo project's folder ("backend/")
    # what the final stage's `COPY <code> .` copies when the code runs from its sources: `sources`, or the one folder
    # the original copied into its WORKDIR (`COPY src/backend .`: the modules the entry imports live there)
    code: str = "."
    notes: tuple[str, ...] = field(default_factory=tuple)
    builder_env: tuple[str, ...] = ()  # ENV/ARG the builder's installs need (a VCS version stand-in, an index)
    builder_steps: tuple[KeptInstruction, ...] = ()  # the original's extra installs, in the builder after the sources
    install_mounts: str = ""  # the original install's BuildKit cache/secret mounts, on the dependency install
    accounting: tuple[Accounted, ...] = ()  # what became of each instruction of the original
    release: str = tables.DEFAULT_RELEASE  # the Debian release of base_image, whose apt names the plan uses
    release_reason: str | None = None  # why base_image names its release instead of the plain tag
    final_stage: FinalStage = FinalStage(None, (), "")  # what it copies besides the venv, what it leaves out, why
    cache_mounts: bool = False  # BuildKit builds it: the installs keep the tools' download caches in cache mounts
    compile_bytecode: bool = False  # compile the venv's .pyc in the builder (faster start, a larger image)

    @property
    def needs_buildkit(self) -> bool:
        """RUN --mount in the rendered Dockerfile: the classic builder rejects it."""
        steps = (*self.kept, *self.builder_steps)
        return bool(self.install_mounts) or self.cache_mounts or any(re.match(r"RUN\s+--mount=", k.text) for k in steps)

    @property
    def cache_flags(self) -> str:
        """The installer's cache mounts (BuildKit only), except where the original's own mounts cover the target."""
        if not self.cache_mounts:
            return ""
        return " ".join(f"--mount=type=cache,target={target}" for target in self.installer.caches
                        if f"target={target}" not in self.install_mounts)

    @property
    def dependency_mounts(self) -> str:
        return " ".join(m for m in (self.install_mounts, self.cache_flags) if m)

    @property
    def masked_manifests(self) -> tuple[str, ...]:
        """The copied manifests, as the app dir holds them, whose content names the project's own version."""
        folder = "" if self.sources == "." else self.sources
        return tuple(m.removeprefix(folder) for m in self.installer.manifests
                     if posixpath.basename(m) in VERSIONED_MANIFESTS)

    @property
    def mask_command(self) -> str:
        """Exec-form RUN arguments that mask the version in `masked_manifests`."""
        return json.dumps(["python", "-c", MASK_VERSION_SCRIPT, *self.masked_manifests])

    @property
    def runtime_files(self) -> tuple[str, ...] | None:
        """What the final stage copies besides the venv; None: the sources."""
        return self.final_stage.copies

    @property
    def runtime_reason(self) -> str:
        return self.final_stage.reason

    @property
    def runtime_copies(self) -> tuple[tuple[str, str], ...]:
        """(source in the context, destination in the app dir) of each file the final stage copies."""
        folder = "" if self.sources == "." else self.sources
        return tuple((folder + path, path) for path in self.runtime_files or ())

    @property
    def manifest_copies(self) -> tuple[tuple[tuple[str, ...], str], ...]:
        """(sources, destination) COPYs that put each manifest at its own path (`-r requirements/base.txt` must
        find it where the including file says), one COPY per directory; a monorepo project's folder is the app dir."""
        folder = "" if self.sources == "." else self.sources
        by_directory: dict[str, list[str]] = {}
        for manifest in self.installer.manifests:
            directory = posixpath.dirname(manifest.removeprefix(folder))
            by_directory.setdefault(f"{directory}/" if directory else "./", []).append(manifest)
        return tuple((tuple(sources), destination) for destination, sources in by_directory.items())


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


def _kept_directives(dockerfile: DockerfileInfo | None, kept: list[KeptInstruction]) -> tuple[str, ...]:
    """The original's `# syntax=`/`# check=` lines when an instruction kept verbatim needs BuildKit; never added else."""
    if dockerfile is None:
        return ()
    needing = {f"{dockerfile.path}:{line}" for line, _ in dockerfile.buildkit_features}
    if not any(k.origin in needing for k in kept):
        return ()
    return tuple(f"# {key}={value}" for key, value in dockerfile.directives if key in ("syntax", "check"))


def _app_dir(dockerfile: DockerfileInfo | None) -> str:
    workdir = dockerfile.last("WORKDIR") if dockerfile else None
    if workdir and workdir.value.startswith("/") and "$" not in workdir.value:
        return safe_path(workdir.value.strip(), dockerfile.path, workdir.line, absolute=True)  # type: ignore[union-attr]
    return DEFAULT_APP_DIR


def _in_source(installer: Installer, source: str, context: str) -> Installer:
    """A project in a folder of the build context (a monorepo's `backend`): the manifests as the context names them
    (`backend/uv.lock`), the commands as the image's app dir holds them (the folder's content is copied there)."""
    if source == "." and context == ".":
        return installer
    prefix = "" if source == "." else f"{source}/"
    command = installer.install_dependencies
    for manifest in installer.manifests:
        if prefix and manifest.startswith(prefix):
            command = command.replace(manifest, manifest.removeprefix(prefix))
    in_root = [prefix + m.removeprefix(prefix) if prefix else m for m in installer.manifests]
    return replace(installer, manifests=tuple(posixpath.relpath(m, context) for m in in_root), install_dependencies=command)


def _copied_sources(project: Project) -> str:
    """What the layout's `COPY <sources> .` copies: the whole context, or the project's folder in it ("backend/")."""
    folder = posixpath.relpath(project.source, project.context)
    return "." if folder == "." else safe_path(folder, project.dockerfile_path, None) + "/"


def _code_folder(project: Project, app_dir: str, sources: str) -> str:
    """The context folder the original's final stage copies into its WORKDIR, as the code's home (`COPY src/backend
    .` with `CMD gunicorn main:app`), when it copies exactly one such folder; else `sources`."""
    stage = project.dockerfile.final_stage if project.dockerfile else None
    folders = set()
    for instruction in stage.instructions if stage else ():
        if instruction.keyword not in ("COPY", "ADD"):
            continue
        flags, copied, destination = split_copy(instruction.value)
        destination = destination.strip("\"'").rstrip("/") or "/"
        if "from" in flags or destination not in (".", "./", app_dir.rstrip("/") or "/"):
            continue
        for source in copied:
            folder = posixpath.normpath(source.strip("\"'").lstrip("/"))
            if folder not in (".", "") and (project.root / project.context / folder).is_dir():
                folders.add(folder)
    if len(folders) != 1:
        return sources
    return safe_path(folders.pop(), project.dockerfile_path, None) + "/"


def _installable(project: Project) -> bool:
    """Whether the project is a package its backend can build. An application of bare modules (`app.py`) with no
    console scripts is not: backends refuse several top-level modules, and it runs from its sources anyway. Nor is
    one whose pyproject names no project (`name = ""`, as `pdm init` once wrote for applications): no backend
    builds a distribution without a name."""
    pyproject = project.pyproject
    if (project.root / project.source / "setup.py").is_file():
        return True
    if not (pyproject and pyproject.build_backend and pyproject.package_mode and project.import_packages
            and pyproject.name):
        return False
    base = project.root / project.source / ("src" if project.layout == "src" else "")
    bare_modules = not any((base / name).is_dir() for name in project.import_packages) and not pyproject.packages
    return not bare_modules or bool(pyproject.scripts)


def _intent(project: Project, app_dir: str, installer: Installer) -> Intent:
    """What the original meant (plan.intent), read against the manifests the rewrite's install covers."""
    dependencies = {r.name for r in project.dependencies} | {p.name for p in project.lock.packages if not p.dev} \
        if project.lock else {r.name for r in project.dependencies}
    for requirements in project.requirements:
        dependencies |= {r.name for r in requirements.requirements}
    manifests = {*installer.manifests, *(i for r in project.requirements for i in (r.path, *r.includes))}
    return read_intent(project.dockerfile, project.root, app_dir, manifests, dependencies)


def _scm_version_env(project: Project, intent: Intent, builds_project: bool) -> tuple[str, ...]:
    """The builder's ENV lines: the original's, and a stand-in for a VCS version the build would otherwise
    look for in a .git the context does not have."""
    variable = project.pyproject.scm_version_variable if project.pyproject else None
    lines = list(dict.fromkeys(intent.builder_env))
    if variable and builds_project and not any(re.search(rf"\b{variable}\b", line) for line in lines):
        version = project.pyproject.scm_version or "0.0.0"  # type: ignore[union-attr]
        lines.append(f"ENV {variable}={shell_quote(version)}")
    return tuple(lines)


def _entry(project: Project, intent: Intent, notes: list[str]) -> tuple[str | None, int | None]:
    """(CMD, port to expose): the original's CMD as translated, else the command dockerfix detected."""
    if intent.cmd is not None:
        return intent.cmd, None
    if project.entry is not None and project.entry.argv and not intent.entrypoint:
        notes.append(f"CMD from {project.entry.origin}")
        exposed = any(k.text.startswith("EXPOSE") for k in intent.kept)
        return "CMD " + json.dumps(list(project.entry.argv)), project.entry.port if project.entry.server and not exposed else None
    return None, None


def plan(project: Project, *, cache_mounts: bool = False, compile_bytecode: bool = False) -> BuildPlan:
    """`cache_mounts`: BuildKit will build it (the repair loop's build.choose_backend says); `compile_bytecode`: Options'."""
    app_dir = _app_dir(project.dockerfile)
    requirement_lines = tuple(safe_requirement(r) for r in project.dependencies)
    installer = _in_source(installer_for(project, requirement_lines, with_uv=True), project.source, project.context)
    for manifest in installer.manifests:
        safe_path(manifest, project.dockerfile_path, None)
    intent = _intent(project, app_dir, installer)
    original_apt = [p for c in intent.run_commands for p in _apt_packages(c)]
    notes: list[str] = []

    release, release_reason = release_for(project.dockerfile, project.python.version)
    original_apt = _renamed(original_apt, release)
    build_packages = {*_for_release(project.system_packages.build, release), *original_apt}
    runtime_packages = {*_for_release(project.system_packages.runtime, release),
                        *(p for p in original_apt if not BUILD_ONLY_APT.match(p))}
    installable = _installable(project)
    if installer.uses_uv_image and installable:
        install_project: str | None = "uv sync --frozen --no-dev --no-editable"
    else:
        install_project = f"{installer.pip} install --no-deps ." if installable else None
    pythonpath = None
    if not installable:
        pythonpath = f"{app_dir}/src" if project.layout == "src" else app_dir

    dockerfile = project.dockerfile
    healthcheck = dockerfile.last("HEALTHCHECK") if dockerfile else None
    cmd, expose = _entry(project, intent, notes)
    global_args = tuple(i.text for i in (dockerfile.instructions if dockerfile else ()) if i.stage == -1)
    final_stage = runtime_files(project, tuple(intent.kept), app_dir, install_project is not None,
                                healthcheck.text if healthcheck else None, bool(intent.builder_steps))
    notes.append(f"Python {project.python.reason}")
    notes.append(final_stage.reason)
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
        kept=tuple(intent.kept),
        healthcheck=healthcheck.text if healthcheck else None,
        expose=expose,
        entrypoint=intent.entrypoint,
        cmd=cmd,
        user=intent.user.name if intent.user else USER,
        uid=intent.user.uid if intent.user and intent.user.uid is not None else UID,
        labels=(("org.dockerfix.version", __version__), ("org.dockerfix.python", project.python.version)),
        directives=_kept_directives(dockerfile, [*intent.kept, *intent.builder_steps]),
        sources=_copied_sources(project),
        code=_copied_sources(project) if install_project is not None else _code_folder(project, app_dir,
                                                                                        _copied_sources(project)),
        notes=tuple(notes),
        builder_env=_scm_version_env(project, intent, install_project is not None),
        builder_steps=tuple(replace(step, text=VENV_PIP.sub("pip", step.text)) for step in intent.builder_steps),
        install_mounts=" ".join(dict.fromkeys(intent.install_mounts)),
        accounting=tuple(intent.accounting),
        release=release,
        release_reason=release_reason,
        final_stage=final_stage,
        cache_mounts=cache_mounts,
        compile_bytecode=compile_bytecode,
    )

