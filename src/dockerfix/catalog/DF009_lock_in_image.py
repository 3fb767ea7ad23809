"""The Dockerfile locks dependencies (`poetry lock`, `uv lock`, `pdm lock`, `pipenv lock`) during the build.

What it catches: `RUN poetry lock --no-update` (or `RUN poetry lock`) in a Dockerfile (seeds S001-3..5, where
it was added to silence a stale-lock error and then failed on package discovery), and the build failing in
that step: a resolver error, a missing path dependency, `The option "--no-update" does not exist` with
today's Poetry 2.
Why it breaks: a lock made during the build is not the reviewed lock in the repository. Every rebuild may
resolve different versions, the resolver needs network access, credentials and every path dependency
inside the image, and the tool's version there decides which options exist. A stale lock is a problem of
the repository, and only a lock committed there makes builds reproducible.
The fix: the lock commands are removed from the RUN instructions (a RUN with nothing else goes), so the
image installs exactly the committed lock; a stale lock is refreshed on the host instead (DF008, which runs
first). Detected before any build.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockerfix.model import DockerfileInfo, Instruction
from dockerfix.analyse.failed_step import failed_run
from dockerfix.analyse.installer_commands import InstallerCommand, installer_commands
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, evidence_lines, regex
from dockerfix.transform.shell import apply_command_edits

ID = "DF009"
LOCKING = frozenset({"poetry lock", "uv lock", "pdm lock", "pipenv lock"})


def _locks(dockerfile: DockerfileInfo | None) -> list[tuple[Instruction, InstallerCommand]]:
    return [(instruction, command) for instruction in (dockerfile.instructions if dockerfile else ())
            for command in installer_commands(instruction) if command.tool in LOCKING]


def detect(context: Context) -> Iterator[Finding]:
    for instruction, command in _locks(context.project.dockerfile):
        yield Finding(ID, f"`{command.text}` locks dependencies inside the image instead of installing the "
                          "committed lock", evidence=(instruction.text,),
                      location=Location(context.dockerfile_path, instruction.line), captures={"command": command.text})


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    run = failed_run(context.project.dockerfile, log)
    locking = [c for i, c in _locks(context.project.dockerfile) if i == run]
    if not locking:
        return None
    return Finding(ID, f"the build failed in `{locking[0].text}`, which locks inside the image",
                   evidence=evidence_lines(log, match), location=Location(context.dockerfile_path, run.line),  # type: ignore[union-attr]
                   captures={"command": locking[0].text})


def fix(context: Context, finding: Finding) -> Fix | Skip:
    if context.project.lock is None:
        return Skip("the project has no committed lock file to install instead: run the lock command on the host "
                    "and commit the lock")
    edits: dict[Instruction, dict[str, str | None]] = {}
    for instruction, command in _locks(context.project.dockerfile):
        edits.setdefault(instruction, {})[command.text] = None
    if not edits:
        return Skip("no lock command is left in the Dockerfile")
    removed = sorted({text for commands in edits.values() for text in commands})
    return Fix({context.dockerfile_path: apply_command_edits(context.dockerfile_text, edits)},
               "removed " + ", ".join(f"`{c}`" for c in removed) + f" from the build: the image installs the "
               f"committed {context.project.lock.path} (refreshed on the host when it is stale)")


RULE = Rule(
    id=ID,
    name="lock-in-image",
    kind="build",
    summary="The Dockerfile locks dependencies during the build",
    explanation=__doc__,
    seeds=("S001-3", "S001-4", "S001-5"),
    case="s001-3-lock-in-image",
    log=regex(r"(?:The command '/bin/sh -c |process \"/bin/sh -c |executor failed running \[/bin/sh -c )"
              r"[^\n]*\b(?:poetry|uv|pdm|pipenv) lock\b"),
    detect=detect,
    from_log=from_log,
    fix=fix,
)
