"""What the original Dockerfile meant, instruction by instruction: kept, translated, or dropped (and why).

The rewrite replaces how dependencies are installed, the user and the layering; everything else the user wrote
must survive it, and the report must say what became of each instruction. Extra install steps (a loop over
plugin requirements, a package the manifests do not list) move to the builder, where the venv is made; the
entry command loses the tool runners and venv paths the new image does not have; a user the original created
stays the image's user; BuildKit mounts stay on the steps that had them.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from dockerfix import tables
from dockerfix.analyse.dockerfile import exec_form, run_flags, split_copy
from dockerfix.model import Accounted, DockerfileInfo, Instruction, Outcome

# ENV keys the rewrite owns: the original's values pointed at user-site installs that the venv replaces.
OWNED_ENV = frozenset({"PATH", "VIRTUAL_ENV", "PYTHONUSERBASE", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"})
# Settings of the dependency install itself: the builder needs them where the original's install had them.
BUILD_ENV = frozenset({"PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_TRUSTED_HOST", "PIP_FIND_LINKS", "UV_INDEX_URL",
                       "UV_EXTRA_INDEX_URL", "UV_DEFAULT_INDEX", "UV_INDEX"})
KEPT_AS_IS = frozenset({"ARG", "LABEL", "EXPOSE", "VOLUME", "STOPSIGNAL", "SHELL", "ONBUILD", "MAINTAINER"})
MOUNT = re.compile(r"--mount=(\S+)")
# Commands whose job the plan takes over: creating the user, cleaning up after the install, apt (collected
# into the plan's package lists), bare assignments.
REPLACED_COMMAND = re.compile(
    r"^\s*(?:useradd|adduser|groupadd|addgroup)\b"
    r"|^\s*rm\s+-[rf]+\s+(?:/tmp/\S*|/opt/\S*|/wheels\S*|/requirements\S*|/var/lib/apt/lists/\*|\S*\.whl|\S*requirements\S*)(?:\s+\S+)*\s*$"
    r"|^\s*apt(?:-get)?\s+(?:update|install|clean|autoremove|-y|-q)"
    r"|^\s*(?:export\s+)?[A-Z_]+=\S*\s*$|^\s*true\s*$"
)
USER_COMMANDS = re.compile(r"^\s*(?:useradd|adduser|groupadd|addgroup)\b")
PERMISSIONS = re.compile(r"^\s*(?:chown|chmod)\b")
TOOL = re.compile(r"^\s*(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*(?:(?:python3?(?:\.\d+)?|/\S*python3?(?:\.\d+)?)\s+-m\s+)?"
                  r"(?:/\S*/)?(?P<tool>pip3?|uv|poetry|pdm|pipenv|pipx|virtualenv|venv)\b(?P<rest>.*)$")
PACKAGING_TOOLS = frozenset({"pip", "setuptools", "wheel", "poetry", "pdm", "uv", "pipenv", "pipx", "virtualenv",
                             "poetry-plugin-export"})
LOOP = re.compile(r"(?:^|[;&|]\s*|\n\s*)(?:for|while|until|if|case)\s")
# Shell that /bin/sh (dash) rejects: brace expansion, [[ ]], source, arrays, process substitution, pipefail.
BASHISM = re.compile(r"(?<![$\w])\{[^{}\s]*,[^{}\s]*\}|\[\[\s|(?:^|[;&|]\s*)source\s|<\(|\bset\s+-o\s+pipefail|\bshopt\b"
                     r"|^\s*function\s|\w+=\(")
BASH = 'SHELL ["/bin/bash", "-c"]'
SH = 'SHELL ["/bin/sh", "-c"]'
RUNNERS = frozenset({"poetry", "pdm", "pipenv", "hatch", "uv", "rye"})
RUNNER_VALUE_OPTIONS = frozenset({"--with", "--group", "--extra", "--package", "--python", "-p", "--env-file",
                                  "--directory", "--project", "--index", "--only-group", "-e", "--env"})
VENV_BIN = re.compile(r"^/\S*?/(?:\.venv|venv|\.local|virtualenv|env)/bin/(?P<name>[\w.-]+)$")
ANY_VENV = r"/(?:[^\s/]+/)*?\.?venv"  # /app/.venv, /opt/venv, /venv: a venv's bin/ in a command line
SYSTEM_PYTHON = re.compile(r"^/usr/(?:local/)?bin/(?P<name>python[\d.]*)$")
SAFE_VALUE = re.compile(r"[\w.+-]+")


@dataclass(frozen=True)
class KeptInstruction:
    text: str  # the user's instruction, verbatim
    origin: str  # "Dockerfile:12"


@dataclass(frozen=True)
class OwnUser:
    """The user the original created for the application (useradd/adduser in its final stage)."""

    name: str
    uid: int | None
    origin: str


@dataclass
class Intent:
    kept: list[KeptInstruction] = field(default_factory=list)  # final stage, after the sources
    builder_steps: list[KeptInstruction] = field(default_factory=list)  # builder, after the sources
    builder_env: list[str] = field(default_factory=list)  # ENV/ARG the builder's installs need
    run_commands: list[str] = field(default_factory=list)  # every RUN's commands, for the apt packages they name
    accounting: list[Accounted] = field(default_factory=list)
    install_mounts: list[str] = field(default_factory=list)  # --mount flags of the dependency installs it replaces
    user: OwnUser | None = None
    cmd: str | None = None
    entrypoint: str | None = None

    def account(self, origin: str, ins: Instruction, outcome: Outcome, how: str) -> None:
        self.accounting.append(Accounted(origin, ins.text.splitlines()[0].strip(), outcome, how))


@dataclass(frozen=True)
class _Context:
    root: Path
    app_dir: str
    manifests: frozenset[str]  # files the rewrite's dependency install reads
    dependencies: frozenset[str]  # canonical names the manifests install
    old_venvs: tuple[str, ...]  # venv directories the original made or named


def _commands(command: str) -> list[str]:
    """The simple commands of a shell line, without the compound keywords before them (`do pip install ...`)."""
    parts = (re.sub(r"^\s*(?:(?:do|then|else|\{|\()\s+)+", "", c) for c in re.split(r"&&|;|\|\||\n", command))
    return [c for c in parts if c.strip()]


def _words(command: str) -> list[str]:
    try:
        return shlex.split(command, comments=True)
    except ValueError:
        return command.split()


def _name(requirement: str) -> str:
    """The distribution a pip argument names (`"hishel<0.2"` → `hishel`), lower case."""
    return re.split(r"[\s<>=!~;\[@]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _is_extra_install(command: str, context: _Context) -> bool:
    """A pip/uv pip install of something the rewrite's dependency install does not cover."""
    match = TOOL.match(command)
    if not match or match.group("tool") not in ("pip", "pip3", "uv"):
        return False
    words = _words(match.group("rest"))
    if match.group("tool") == "uv":
        if words[:1] != ["pip"]:
            return False
        words = words[1:]
    if words[:1] != ["install"]:
        return False
    words, index = words[1:], 0
    if any(_name(w) in PACKAGING_TOOLS for w in words if not w.startswith("-")):
        return False  # installing a packaging tool (with its pins): the builder has its own tool venv
    while index < len(words):
        word = words[index]
        if word in ("-r", "--requirement", "-c", "--constraint") and index + 1 < len(words):
            path = words[index + 1].removeprefix("./")
            generated = not (context.root / path).is_file() and not re.search(r"[$*?]", path)
            if not generated and path not in context.manifests:
                return True
            index += 2
            continue
        if word.startswith("-"):
            index += 2 if word in ("-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--target", "-t",
                                   "--prefix", "--root", "--trusted-host", "--platform", "--python-version") else 1
            continue
        name = _name(word)
        if word not in (".", "./") and not word.startswith((".[", "./[", "/")) and name \
                and name not in PACKAGING_TOOLS and name not in context.dependencies:
            return True
        index += 1
    return False


def _is_replaced(command: str, context: _Context) -> bool:
    if REPLACED_COMMAND.search(command):
        return True
    if PERMISSIONS.match(command):  # the rewrite owns the application directory; other paths are the user's
        targets = [w for w in _words(command)[1:] if w.startswith("/")]
        return bool(targets) and all(t.rstrip("/").startswith(context.app_dir.rstrip("/")) for t in targets)
    return TOOL.match(command) is not None and not _is_extra_install(command, context)


def _replaced_because(commands: list[str]) -> str:
    """Why a RUN whose every command the rewrite takes over is dropped, naming what takes each over."""
    reasons = {
        "dockerfix's builder stage installs the dependencies into /opt/venv": any(TOOL.match(c) for c in commands),
        "the final stage creates the image's user": any(USER_COMMANDS.match(c) for c in commands),
        "its apt packages are installed by the rewrite (build-only ones in the builder)":
            any(re.match(r"\s*apt(?:-get)?\b", c) for c in commands),
        "the rewrite's COPY --chown owns the application directory": any(PERMISSIONS.match(c) for c in commands),
    }
    return "; ".join(reason for reason, applies in reasons.items() if applies) or "cleanup the rewrite does not need"


def _user_created(command: str) -> tuple[str, int | None] | None:
    """(name, uid) of a useradd/adduser command."""
    words = _words(command)
    if not words or words[0] not in ("useradd", "adduser"):
        return None
    valued = {"-u", "--uid", "-g", "--gid", "-G", "--groups", "-d", "--home-dir", "--home", "-h", "-s", "--shell",
              "-c", "--comment", "--gecos", "--ingroup", "-k", "-K", "-e", "-f", "-p", "-R", "-P", "-Z"}
    name, uid, index = None, None, 1
    while index < len(words):
        word = words[index]
        if word in valued and index + 1 < len(words):
            if word in ("-u", "--uid") and words[index + 1].isdigit():
                uid = int(words[index + 1])
            index += 2
            continue
        if word.startswith("--uid="):
            uid = int(word.partition("=")[2]) if word.partition("=")[2].isdigit() else None
        elif not word.startswith("-"):
            name = word
        index += 1
    return (name, uid) if name and re.fullmatch(r"[a-z_][a-z0-9_-]*", name) else None


def _without_user_creation(command: str) -> str | None:
    """An `a && b && c` command without its useradd/groupadd parts; None when it is not a plain && chain."""
    if re.search(r";|\|\||\n|(?<!&)&(?!&)", command) or LOOP.search(command):
        return None
    parts = [p.strip() for p in command.split("&&") if p.strip() and not USER_COMMANDS.match(p)]
    return " && ".join(parts)


def _without_old_venvs(text: str, context: _Context) -> str:
    """`/app/.venv/bin/pip install x` → `pip install x`: the rewrite's venv is on PATH."""
    for venv in (*(re.escape(v) for v in context.old_venvs), ANY_VENV):
        text = re.sub(rf"(?<![\w/.$-]){venv}/bin/(?=[\w.-])", "", text)
    return text


def _translate_argv(argv: list[str], context: _Context) -> tuple[list[str], list[str]]:
    """The argv without a tool runner (`poetry run`, `uv run --no-dev`) and with venv executables by name."""
    changes: list[str] = []
    if len(argv) >= 3 and Path(argv[0]).name in RUNNERS and argv[1] == "run":
        index = 2
        while index < len(argv) and argv[index].startswith("-"):
            index += 2 if argv[index] in RUNNER_VALUE_OPTIONS else 1
        if index < len(argv):
            changes.append(f"`{Path(argv[0]).name} run` removed: {Path(argv[0]).name} is not in the final image, "
                           f"whose venv is on PATH")
            argv = argv[index:]
    if argv:
        executable = argv[0]
        old = next((v for v in context.old_venvs if executable.startswith(v.rstrip("/") + "/bin/")), None)
        match = VENV_BIN.match(executable) or SYSTEM_PYTHON.match(executable)
        if old or match:
            name = Path(executable).name
            changes.append(f"`{executable}` → `{name}`: the venv is /opt/venv now, on PATH")
            argv = [name, *argv[1:]]
    return argv, changes


def translate_command(ins: Instruction, context: _Context) -> tuple[str, list[str]]:
    """CMD/ENTRYPOINT text for the new image, and what was changed."""
    argv = exec_form(ins.value)
    if argv is not None:
        new, changes = _translate_argv(list(argv), context)
        return (f"{ins.keyword} {json.dumps(new)}" if changes else ins.text), changes
    words = _words(ins.value)
    prefix = ["exec"] if words[:1] == ["exec"] else []
    new, changes = _translate_argv(words[len(prefix):], context)
    if not changes:
        return ins.text, []
    return f"{ins.keyword} {shlex.join(prefix + new)}", changes


def _old_venvs(dockerfile: DockerfileInfo) -> tuple[str, ...]:
    found: list[str] = []
    for ins in dockerfile.instructions:
        if ins.keyword == "ENV":
            found += re.findall(r"(?:^|\s)VIRTUAL_ENV=[\"']?(/[^\s\"']+)", ins.value)
            found += re.findall(r"(?:^|\s)UV_PROJECT_ENVIRONMENT=[\"']?(/[^\s\"']+)", ins.value)
        elif ins.keyword == "RUN":
            found += re.findall(r"(?:-m\s+venv|virtualenv|uv\s+venv)\s+(?:-\S+\s+)*(/\S+)", ins.value)
    return tuple(dict.fromkeys(v.rstrip("/") for v in found))


def _env_keys(ins: Instruction) -> list[str]:
    return re.findall(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=", ins.value) or ins.value.split()[:1]


def _copies_outside_app(ins: Instruction, app_dir: str) -> bool:
    flags, sources, destination = split_copy(ins.value)
    if "from" in flags or not sources:
        return False  # artifacts of the old builder stage: the new builder produces its own
    return destination.startswith("/") and not destination.rstrip("/").startswith(app_dir.rstrip("/") or "/")


def _inline_scm_versions(command: str) -> list[str]:
    """`VAR=1.2 pip install .` assignments of a version variable, as ENV lines."""
    names = "|".join(sorted(tables.scm_version_variables()))
    return [f"ENV {name}={value}" for name, value in re.findall(rf"(?:^|\s)({names})=[\"']?([^\s\"']+)", command)
            if SAFE_VALUE.fullmatch(value)]


def read_intent(dockerfile: DockerfileInfo | None, root: Path, app_dir: str, manifests: Iterable[str],
                dependencies: Iterable[str]) -> Intent:
    """Every instruction of `dockerfile`, sorted into what the rewrite keeps, moves, translates or drops."""
    intent = Intent()
    if dockerfile is None or dockerfile.final_stage is None:
        return intent
    context = _Context(root, app_dir, frozenset(manifests), frozenset(dependencies), _old_venvs(dockerfile))
    final = dockerfile.final_stage.index
    last = {k: dockerfile.last(k) for k in ("CMD", "ENTRYPOINT", "HEALTHCHECK", "WORKDIR")}
    created = [(user, f"{dockerfile.path}:{ins.line}") for ins in dockerfile.final_stage.instructions
               if ins.keyword == "RUN" for c in _commands(run_flags(ins.value)[1]) if (user := _user_created(c))]
    if len({name for (name, _), _ in created}) == 1:
        (name, uid), origin = created[-1]
        intent.user = OwnUser(name, uid, origin)
    shells: dict[int, str] = {}
    for ins in dockerfile.instructions:
        origin = f"{dockerfile.path}:{ins.line}"
        if ins.stage == -1:
            intent.account(origin, ins, "kept", "before the first FROM, as written")
        elif ins.stage != final:
            _earlier_stage(intent, ins, origin, context, shells)
        else:
            _final_stage(intent, ins, origin, context, last, shells)
    return intent


def _scm_or_build_env(ins: Instruction) -> bool:
    keys = set(_env_keys(ins))
    return bool(keys & (tables.scm_version_variables() | BUILD_ENV)) and not keys & OWNED_ENV


def _earlier_stage(intent: Intent, ins: Instruction, origin: str, context: _Context, shells: dict[int, str]) -> None:
    if ins.keyword in ("ENV", "ARG") and _scm_or_build_env(ins):
        intent.builder_env.append(ins.text)
        intent.account(origin, ins, "translated", "set in dockerfix's builder stage, where the dependencies and the "
                                                  "project are installed")
    elif ins.keyword == "SHELL":
        shells[ins.stage] = ins.text
        intent.account(origin, ins, "kept", "in the builder stage, before the steps it ran")
    elif ins.keyword == "RUN":
        _run(intent, ins, origin, context, shells, final=False)
    else:
        intent.account(origin, ins, "dropped", "a step of an old build stage: dockerfix's builder stage replaces it")


def _final_stage(intent: Intent, ins: Instruction, origin: str, context: _Context,
                 last: dict[str, Instruction | None], shells: dict[int, str]) -> None:
    keyword = ins.keyword
    if keyword == "ENV":
        if all(k in OWNED_ENV for k in _env_keys(ins)):
            intent.account(origin, ins, "dropped", "the rewrite sets PATH and VIRTUAL_ENV for its own venv")
            return
        intent.kept.append(KeptInstruction(ins.text, origin))
        if _scm_or_build_env(ins):
            intent.builder_env.append(ins.text)
            intent.account(origin, ins, "kept", "in the final stage, and in the builder, where the project is built")
        else:
            intent.account(origin, ins, "kept", "in the final stage")
    elif keyword in KEPT_AS_IS:
        if keyword == "SHELL":
            shells[ins.stage] = ins.text
        intent.kept.append(KeptInstruction(ins.text, origin))
        intent.account(origin, ins, "kept", "in the final stage")
    elif keyword == "RUN":
        _run(intent, ins, origin, context, shells, final=True)
    elif keyword in ("COPY", "ADD"):
        if _copies_outside_app(ins, context.app_dir):
            intent.kept.append(KeptInstruction(ins.text, origin))
            intent.account(origin, ins, "kept", "in the final stage")
        elif "from" in split_copy(ins.value)[0]:
            intent.account(origin, ins, "dropped", "copied from an old build stage or image: dockerfix's builder "
                                                   "makes the venv it copies")
        else:
            intent.account(origin, ins, "translated", f"the build context is copied into {context.app_dir} of the "
                                                      "builder; the final stage gets what runs, owned by the image's user")
    elif keyword in ("CMD", "ENTRYPOINT"):
        if ins is not last[keyword]:
            intent.account(origin, ins, "dropped", f"a later {keyword} replaces it")
            return
        text, changes = translate_command(ins, context)
        setattr(intent, keyword.lower(), text)
        intent.account(origin, ins, "translated" if changes else "kept",
                       "; ".join(changes) + f" (now `{text}`)" if changes else "as the image's command")
    elif keyword in ("HEALTHCHECK", "WORKDIR"):
        kept = ins is last[keyword]
        intent.account(origin, ins, "kept" if kept else "dropped",
                       ("as the image's health check" if keyword == "HEALTHCHECK" else "as the application directory")
                       if kept else f"a later {keyword} replaces it")
    elif keyword == "USER":
        how = (f"the image runs as {intent.user.name}, the user the original creates ({intent.user.origin})"
               if intent.user else "the image runs as dockerfix's non-root user")
        intent.account(origin, ins, "translated", how)
    elif keyword == "FROM":
        intent.account(origin, ins, "translated", "dockerfix's final stage, on the Python the project needs")
    else:
        intent.account(origin, ins, "dropped", f"{keyword} is not carried into the rewrite")


def _run(intent: Intent, ins: Instruction, origin: str, context: _Context, shells: dict[int, str], *, final: bool) -> None:
    flags, command = run_flags(ins.value)
    if command.lstrip().startswith("["):  # exec form: the user's own program, kept as written
        if final:
            intent.kept.append(KeptInstruction(ins.text, origin))
            intent.account(origin, ins, "kept", "in the final stage")
        else:
            intent.account(origin, ins, "dropped", "a step of an old build stage: dockerfix's builder stage replaces it")
        return
    intent.builder_env += _inline_scm_versions(command)
    commands = [command] if LOOP.search(command) else _commands(command)
    intent.run_commands += _commands(command)
    extra = any(_is_extra_install(c, context) for c in _commands(command))
    replaced = all(_is_replaced(c, context) for c in commands)
    bash = BASHISM.search(command) is not None and ins.stage not in shells
    if extra:
        if ins.stage in shells and shells[ins.stage] not in (s.text for s in intent.builder_steps):
            intent.builder_steps.append(KeptInstruction(shells[ins.stage], origin))
        intent.builder_steps += _with_bash(_without_old_venvs(ins.text, context), origin, bash)
        intent.account(origin, ins, "translated", "an install the manifests do not cover: moved to the builder "
                                                  "stage, after the sources, installing into /opt/venv"
                       + (" (with bash, which its shell syntax needs)" if bash else ""))
    elif replaced:
        intent.install_mounts += [f"--mount={m}" for m in MOUNT.findall(flags) if not m.startswith("type=bind")]
        intent.account(origin, ins, "dropped", _replaced_because(commands))
    elif not final:
        intent.account(origin, ins, "dropped", "a step of an old build stage: dockerfix's builder stage replaces it")
    else:
        text, how = _without_old_venvs(ins.text, context), "in the final stage"
        own = intent.user and any(_user_created(c) for c in commands)
        stripped = _without_user_creation(_without_old_venvs(command, context)) if own else None
        if stripped is not None:
            text = f"RUN {flags + ' ' if flags else ''}{stripped}"
            how = f"in the final stage, without the user creation (the rewrite creates {intent.user.name})"  # type: ignore[union-attr]
        intent.kept += _with_bash(text, origin, bash)
        intent.account(origin, ins, "translated" if bash or stripped is not None or text != ins.text else "kept",
                       how + (", run with bash, which its shell syntax needs" if bash else ""))


def _with_bash(text: str, origin: str, bash: bool) -> list[KeptInstruction]:
    """`text` as kept instructions, inside a bash SHELL when its syntax needs bash and the original set none."""
    if not bash:
        return [KeptInstruction(text, origin)]
    return [KeptInstruction(BASH, origin), KeptInstruction(text, origin), KeptInstruction(SH, origin)]
