"""Installer commands inside RUN instructions, read word by word: which tool and subcommand, which files
they read as requirements, which options they pass (with values).

Shared by the rules about installer invocations (DF002 unknown options, DF003 a lock read as requirements,
DF004 uv without a venv, DF007 wheel paths); `install_steps` answers the coarser "does this RUN install
dependencies" question.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from dockerfix.model import DockerfileInfo, Instruction
from dockerfix.analyse.shell import split_commands, words

# Lock files of the managers dockerfix knows: TOML or JSON, never pip's requirements format.
LOCK_FILES = frozenset({"poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_PYTHON_M = re.compile(r"^(?:\S*/)?python3?(?:\.\d+)?$")
# The programs whose invocations are read here (`[VAR=value ...] [path/]program`, or `python -m pip`).
_PROGRAMS = frozenset({"pip", "uv", "poetry", "pdm", "pipenv"})
# pip / uv pip options that take a value (so the word after them is not a requirement or a file).
_PIP_VALUED = frozenset({"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
                         "--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root",
                         "--python", "-p", "--platform", "--only-binary", "--no-binary", "--cache-dir", "--timeout",
                         "--retries", "--progress-bar", "--python-version", "--trusted-host", "--upgrade-strategy",
                         "--src", "--report", "--group", "--extra", "--index", "--default-index",
                         "-w", "--wheel-dir", "-d", "--dest", "--index-strategy", "--resolution", "--prerelease",
                         "--config-file", "--keyring-provider", "--link-mode", "--exclude-newer", "--python-platform"})


@dataclass(frozen=True)
class InstallerCommand:
    """One installer invocation: `uv pip install --prod -r poetry.lock` → tool "uv pip install"."""

    text: str  # the command as written (one command of a RUN's `&&` chain)
    tool: str  # "pip install", "uv pip sync", "uv sync", "poetry install", "poetry export", ...
    options: dict[str, list[str]] = field(default_factory=dict)  # option → values ([""] for a flag)
    positionals: tuple[str, ...] = ()  # packages (install) or files (pip sync)

    @property
    def family(self) -> str:
        """"pip" for pip and uv pip, else the tool's first word."""
        return "pip" if self.tool.startswith(("pip ", "uv pip ")) else self.tool.split()[0]

    def values(self, *names: str) -> list[str]:
        return [value for name in names for value in self.options.get(name, []) if value]

    @property
    def requirement_files(self) -> list[str]:
        """Files read in pip's requirements format: `-r` values, and the arguments of `pip sync`."""
        files = self.values("-r", "--requirement")
        if self.tool.endswith("pip sync"):
            files += list(self.positionals)
        return files

    def lock_read_as_requirements(self) -> str | None:
        """The lock file this pip-family command reads as a requirements file, if it does (seed S000-3/4)."""
        if self.family != "pip":
            return None
        return next((f for f in self.requirement_files if posixpath.basename(f) in LOCK_FILES), None)


def parse_installer_command(command: str) -> InstallerCommand | None:
    """The installer invocation a shell command is, or None for any other command."""
    argv = words(command)
    while argv and _ASSIGNMENT.match(argv[0]):
        argv = argv[1:]
    if len(argv) >= 3 and _PYTHON_M.match(argv[0]) and argv[1] == "-m":
        argv = argv[2:]  # python -m pip ...
    if not argv:
        return None
    program = posixpath.basename(argv[0])
    program = "pip" if re.fullmatch(r"pip3?(?:\.\d+)?", program) else program
    if program not in _PROGRAMS:
        return None
    rest = argv[1:]
    tool = [program]
    if program == "uv" and rest[:1] == ["pip"]:
        tool.append(rest.pop(0))
    if rest and not rest[0].startswith("-"):
        tool.append(rest.pop(0))
    options, positionals = _options(rest)
    return InstallerCommand(command, " ".join(tool), options, tuple(positionals))


def _options(arguments: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    options: dict[str, list[str]] = {}
    positionals: list[str] = []
    index = 0
    while index < len(arguments):
        word = arguments[index]
        if word.startswith("-") and word != "-":
            name, equals, value = word.partition("=")
            if not equals and name.startswith("-") and not name.startswith("--") and len(name) > 2:
                name, value = name[:2], name[2:]  # -rrequirements.txt
            if not value and name in _PIP_VALUED and index + 1 < len(arguments):
                index += 1
                value = arguments[index]
            options.setdefault(name, []).append(value)
        else:
            positionals.append(word)
        index += 1
    return options, positionals


def installer_commands(instruction: Instruction) -> Iterator[InstallerCommand]:
    """The installer invocations of a RUN instruction, in order."""
    if instruction.keyword != "RUN":
        return
    for command in split_commands(instruction.value):
        parsed = parse_installer_command(command.text)
        if parsed is not None:
            yield parsed


def all_installer_commands(dockerfile: DockerfileInfo | None) -> Iterator[tuple[Instruction, InstallerCommand]]:
    for instruction in dockerfile.instructions if dockerfile else ():
        for command in installer_commands(instruction):
            yield instruction, command
