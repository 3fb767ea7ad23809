"""pip or `uv pip` is given a lock file (poetry.lock, uv.lock, pdm.lock, Pipfile.lock) as a requirements file.

What it catches: `uv pip install -r poetry.lock` and `uv pip sync poetry.lock` failing with `error: Unexpected
'[', expected '-c', '-e', '-r' or the start of a requirement: poetry.lock:3:1` (seeds S000-3, S000-4), and
pip's `ERROR: Invalid requirement: '[[package]]' (from line 3 of poetry.lock)`.
Why it breaks: a lock file is TOML (JSON for Pipfile.lock) in its manager's own format; pip and `uv pip` read
only the requirements format (`name==version --hash=...` per line), and no option makes them read a lock.
The fix: the command becomes the project's own install flow, the one the rewritten layout uses: Poetry
exports the lock's main group to a requirements file (Poetry in a throw-away venv, pinned to the version the
lock was written with) and pip installs it with its hashes in the same RUN; uv projects run
`uv sync --frozen --no-dev`; PDM and Pipenv export the same way. Detected before any build.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockerfix.model import Instruction
from dockerfix.analyse.installer_commands import all_installer_commands
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, evidence_lines, regex
from dockerfix.transform.install_flow import install_command, stage_env
from dockerfix.transform.shell import apply_command_edits

ID = "DF003"


def detect(context: Context) -> Iterator[Finding]:
    for instruction, command in all_installer_commands(context.project.dockerfile):
        lock = command.lock_read_as_requirements()
        if lock:
            yield Finding(ID, f"`{command.tool}` reads {lock} as a requirements file, which it is not",
                          evidence=(instruction.text,), location=Location(context.dockerfile_path, instruction.line),
                          captures={"lock": lock})


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    lock = match.group("lock")
    return Finding(ID, f"{lock} was read as a requirements file", evidence=evidence_lines(log, match),
                   captures={"lock": lock})


def fix(context: Context, finding: Finding) -> Fix | Skip:
    dockerfile = context.project.dockerfile
    if context.project.lock is None:
        return Skip("the project has no lock file to install from")
    edits: dict[Instruction, dict[str, str | None]] = {}
    for instruction, command in all_installer_commands(dockerfile):
        if command.lock_read_as_requirements():
            environment = stage_env(dockerfile, instruction, "VIRTUAL_ENV") if dockerfile else None
            edits.setdefault(instruction, {})[command.text] = install_command(context.project, environment)
    if not edits:
        return Skip("no command reads a lock file as requirements any more")
    return Fix({context.dockerfile_path: apply_command_edits(context.dockerfile_text, edits)},
               f"replaced the install that read {finding.capture('lock')} as requirements with the project's own "
               f"install flow ({context.project.manager}: the lock's main dependencies, as the lock pins them)")


RULE = Rule(
    id=ID,
    name="lock-file-read-as-requirements",
    kind="build",
    summary="A lock file is installed as if it were a requirements file",
    explanation=__doc__,
    seeds=("S000-3", "S000-4"),
    case="s000-3-uv-reads-poetry-lock",
    log=regex(r"Unexpected '[\[{]', expected '-c', '-e', '-r' or the start of a requirement: "
              r"(?P<lock>\S*?(?:poetry|uv|pdm|Pipfile)\.lock):\d+",
              r"Invalid requirement: '(?:\[\[package\]\]|\{|version = \d+)'.*\(from line \d+ of "
              r"(?P<lock>\S*?(?:poetry|uv|pdm|Pipfile)\.lock)\)"),
    detect=detect,
    from_log=from_log,
    fix=fix,
)
