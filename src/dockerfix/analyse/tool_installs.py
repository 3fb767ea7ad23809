"""Where a Dockerfile installs an installer itself (`pip install poetry`, `pipx install 'poetry<2'`), and which
releases that install can bring.

Shared by the rules whose failure depends on the tool's release: DF005 (Poetry 2 has no `export`), DF002 (an
option Poetry 2 removed) and DF026 (Poetry 2 refuses a root install without sources). pip installs the newest
release the requirement admits, so an unpinned install brings today's newest (Poetry 2.x): those failures are
certain before any build, and fixed in the static pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from dockerfix.model import DockerfileInfo, Instruction
from dockerfix.analyse.installer_commands import parse_installer_command
from dockerfix.analyse.shell import split_commands, words

PIPX_INSTALL = re.compile(r"^(?:\S*/)?pipx\s+install\b")


@dataclass(frozen=True)
class ToolInstall:
    """One pip or pipx install of a tool: `RUN pip install --no-cache-dir poetry==1.8.5`."""

    instruction: Instruction
    command: str  # the shell command as written (one command of the RUN's `&&` chain)
    word: str  # the requirement as written: "poetry", "poetry==1.8.5", "poetry<2"
    requirement: Requirement

    @property
    def pipx(self) -> bool:
        return bool(PIPX_INSTALL.match(self.command))

    def admits_release_from(self, version: str) -> bool:
        """Whether pip can pick a release at or after ``version`` here (it picks the newest one admitted)."""
        floor = Version(version)
        pinned = [s.version for s in self.requirement.specifier if s.operator in ("==", "===")]
        if pinned:
            try:
                return Version(pinned[0].removesuffix(".*")) >= floor
            except InvalidVersion:
                return False
        later = (f"{major}.{minor}.{patch}" for major in (floor.major, floor.major + 1)
                 for minor in range(30) for patch in range(10))
        return any(Version(v) >= floor and self.requirement.specifier.contains(v) for v in later)


def requirement_named(candidates: Iterable[str], name: str) -> tuple[str, Requirement] | None:
    """(word as written, requirement) of the first of an install's words that requests ``name``."""
    for word in candidates:
        try:
            requirement = Requirement(word)
        except InvalidRequirement:
            continue
        if canonicalize_name(requirement.name) == name:
            return word, requirement
    return None


def tool_installs(dockerfile: DockerfileInfo | None, name: str) -> list[ToolInstall]:
    """Every pip or pipx install of the distribution ``name`` in the Dockerfile, in order."""
    found = []
    for instruction in dockerfile.instructions if dockerfile else ():
        if instruction.keyword != "RUN":
            continue
        for command in split_commands(instruction.value):
            parsed = parse_installer_command(command.text)
            if parsed is not None and parsed.tool == "pip install":
                candidates = list(parsed.positionals)
            elif PIPX_INSTALL.match(command.text):
                candidates = words(command.text)[2:]
            else:
                continue
            match = requirement_named(candidates, name)
            if match is not None:
                found.append(ToolInstall(instruction, command.text, *match))
    return found


def installs_release_from(dockerfile: DockerfileInfo | None, name: str, version: str) -> ToolInstall | None:
    """The first install of ``name`` that can bring a release at or after ``version``, if any."""
    return next((i for i in tool_installs(dockerfile, name) if i.admits_release_from(version)), None)
