"""Which RUN instructions install the project's dependencies, and which files those installs read.

Shared by the cache check (verify: did the dependency install re-run after a source-only change?) and the
rule that fixes the layering (DF051: copy the manifests, install, then copy the sources).
"""

from __future__ import annotations

import re

from dockerfix.model import DockerfileInfo, Instruction
from dockerfix.analyse import shell

# Installing these is tooling, not the project's dependencies: it reads no manifest and never needs the sources.
TOOLS = frozenset({"pip", "setuptools", "wheel", "poetry", "poetry-plugin-export", "pdm", "pipenv", "uv", "virtualenv",
                   "hatch", "pip-tools"})
COMMAND_SEPARATOR = re.compile(r"&&|\|\||;|\|")
PIP = re.compile(r"^(?:\S*/)?(?:pip3?(?:\.\d+)?|python3?(?:\.\d+)?\s+-m\s+pip|uv\s+pip)\s+(?:install|sync)\b(.*)$")
POETRY = re.compile(r"^(?:\S*/)?poetry\s+install\b(.*)$")
UV_SYNC = re.compile(r"^(?:\S*/)?uv\s+sync\b(.*)$")
PDM = re.compile(r"^(?:\S*/)?pdm\s+(?:install|sync)\b(.*)$")
PIPENV = re.compile(r"^(?:\S*/)?pipenv\s+(?:install|sync)\b(.*)$")
REQUIREMENT_FLAGS = ("-r", "--requirement", "-c", "--constraint")
FLAGS_WITH_VALUE = frozenset({"-i", "--index-url", "--extra-index-url", "-f", "--find-links", "-t", "--target",
                              "--prefix", "--root", "--python", "--platform", "--only-binary", "--no-binary",
                              "--cache-dir", "--timeout", "--retries", "--progress-bar", "--python-version",
                              "--trusted-host", "--upgrade-strategy"})


def _pip_arguments(text: str) -> tuple[list[str], list[str], set[str]]:
    """(requirement files, positional targets, flags) of a pip install command's arguments."""
    files: list[str] = []
    targets: list[str] = []
    flags: set[str] = set()
    words = shell.words(text)
    index = 0
    while index < len(words):
        word = words[index]
        name, _, value = word.partition("=")
        if name in REQUIREMENT_FLAGS:
            if value:
                files.append(value)
            elif index + 1 < len(words):
                files.append(words[index + 1])
                index += 1
        elif word.startswith("-r") and len(word) > 2:
            files.append(word[2:])
        elif word.startswith("-"):
            flags.add(name)
            if name in FLAGS_WITH_VALUE and not value:
                index += 1
        else:
            targets.append(word)
        index += 1
    return files, targets, flags


def _local(target: str) -> bool:
    return target in (".", "./") or target.startswith(("./", "/", "..", ".["))


def _pip_installs_dependencies(arguments: str) -> bool:
    files, targets, flags = _pip_arguments(arguments)
    if files:
        return True
    names = [re.split(r"[\[<>=!~;@ ]", t, maxsplit=1)[0].lower() for t in targets]
    if not names or all(name in TOOLS for name in names):
        return False
    local_only = all(_local(t) for t in targets)
    return not (local_only and "--no-deps" in flags)


def installs_dependencies(command: str) -> bool:
    """Whether a RUN command installs the project's dependencies (not only tools, not only the project itself)."""
    for part in COMMAND_SEPARATOR.split(command.replace("\\\n", " ")):
        part = part.strip()
        if match := PIP.match(part):
            if _pip_installs_dependencies(match.group(1)):
                return True
        elif match := POETRY.match(part):
            if "--only-root" not in match.group(1):
                return True
        elif UV_SYNC.match(part) or PDM.match(part) or PIPENV.match(part):
            return True
    return False


def installs_project_too(command: str) -> bool:
    """Whether the install also installs the project itself, which needs its sources in place."""
    for part in COMMAND_SEPARATOR.split(command.replace("\\\n", " ")):
        part = part.strip()
        if match := PIP.match(part):
            _, targets, _ = _pip_arguments(match.group(1))
            if any(_local(t) or t.startswith("-e") for t in targets) or "-e" in shell.words(match.group(1)):
                return True
        elif (match := POETRY.match(part)) and "--no-root" not in match.group(1):
            return True
        elif (match := UV_SYNC.match(part)) and "--no-install-project" not in match.group(1):
            return True
        elif (match := PDM.match(part)) and "--no-self" not in match.group(1):
            return True
    return False


def manifests_read(command: str) -> list[str]:
    """The files (relative to the working directory) a dependency install reads, in the order they are named."""
    found: list[str] = []
    for part in COMMAND_SEPARATOR.split(command.replace("\\\n", " ")):
        part = part.strip()
        if match := PIP.match(part):
            found += _pip_arguments(match.group(1))[0]
        elif POETRY.match(part) or re.match(r"^(?:\S*/)?poetry\s+export\b", part):
            found += ["pyproject.toml", "poetry.lock"]
        elif UV_SYNC.match(part):
            found += ["pyproject.toml", "uv.lock"]
        elif PDM.match(part) or re.match(r"^(?:\S*/)?pdm\s+export\b", part):
            found += ["pyproject.toml", "pdm.lock"]
        elif PIPENV.match(part) or re.match(r"^(?:\S*/)?pipenv\s+requirements\b", part):
            found += ["Pipfile", "Pipfile.lock"]
    return list(dict.fromkeys(found))


def first_dependency_installs(dockerfile: DockerfileInfo) -> list[Instruction]:
    """Per stage, the first RUN that installs dependencies: the layer that must come from the cache on a source edit."""
    found = []
    for stage in dockerfile.stages:
        first = next((i for i in stage.instructions if i.keyword == "RUN" and installs_dependencies(i.value)), None)
        if first is not None:
            found.append(first)
    return found


def same_step(step: str, instruction: Instruction) -> bool:
    """Whether a builder's step text ("RUN pip install ...", continuation lines joined) is this instruction."""
    def flat(text: str) -> str:
        return " ".join(text.replace("\\\n", " ").split()).lower()
    return flat(step) == flat(f"{instruction.keyword} {instruction.value}")


# Commands that may share a RUN with an install without reading the project's sources.
SOURCE_FREE = re.compile(r"^(?:\S*/)?(?:apt-get|apt|apk|rm|mkdir|echo|true|export|cd|chmod|chown|uv|poetry|pdm|"
                         r"pipenv|pip3?(?:\.\d+)?|python3?(?:\.\d+)?\s+-m\s+(?:pip|venv))\b|^[A-Z_][A-Z0-9_]*=")


def reads_only_manifests(command: str) -> bool:
    """Whether every command of the RUN is an install or housekeeping: nothing in it reads other project files."""
    parts = [p.strip() for p in COMMAND_SEPARATOR.split(command.replace("\\\n", " ")) if p.strip()]
    return all(SOURCE_FREE.match(part) for part in parts) and not installs_project_too(command)
