"""Which RUN instruction a failed build stopped at, read from the log alone.

Both builders print the failing command: the classic builder as `The command '/bin/sh -c CMD' returned a
non-zero code: N`, BuildKit as `process "/bin/sh -c CMD" did not complete successfully: exit code: N`
(with `"` and `\\` escaped), in Docker 20.10 as `executor failed running [/bin/sh -c CMD]: exit code: N`.
When a log was cut before that line, the last step header (`Step 5/9 : RUN ...`, `[stage-1 4/6] RUN ...`)
or BuildKit's `Dockerfile:12` pointer still tells. Rules whose symptom is generic (a permission error, a
missing file) use this to find the instruction their fix edits.
"""

from __future__ import annotations

import re

from dockerfix.model import DockerfileInfo, Instruction
from dockerfix.analyse.install_steps import same_step

CLASSIC = re.compile(r"The command '/bin/sh -c (?P<command>.*)' returned a non-zero code: \d+")
BUILDKIT = re.compile(r'process "/bin/sh -c (?P<command>(?:[^"\\]|\\.)*)" did not complete successfully')
BUILDKIT_20 = re.compile(r"executor failed running \[/bin/sh -c (?P<command>.*)\]: exit code: \d+")
STEP = re.compile(r"^(?:Step \d+/\d+ : |(?:#\d+ )?\[[\w.-]*\s?\d+/\d+\] )(?P<step>RUN .*)$", re.MULTILINE)
# BuildKit quotes the command as Go's %q does: `\"`, `\\`, and tabs and newlines as `\t`, `\n`
GO_ESCAPE = re.compile(r"\\(.)")
GO_ESCAPED = {"t": "\t", "n": "\n"}
POINTER = re.compile(r"^Dockerfile:(?P<line>\d+)$", re.MULTILINE)


def failed_command(log: str) -> str | None:
    """The shell command of the RUN that failed (the last one the log names), or None."""
    found: list[tuple[int, str]] = [(m.start(), m.group("command")) for m in CLASSIC.finditer(log)]
    found += [(m.start(), GO_ESCAPE.sub(lambda e: GO_ESCAPED.get(e.group(1), e.group(1)), m.group("command")))
              for m in BUILDKIT.finditer(log)]
    found += [(m.start(), m.group("command")) for m in BUILDKIT_20.finditer(log)]
    return max(found)[1] if found else None


def failed_run(dockerfile: DockerfileInfo | None, log: str) -> Instruction | None:
    """The RUN instruction of `dockerfile` that the log says failed, or None when it cannot be told."""
    if dockerfile is None:
        return None
    runs = [i for i in dockerfile.instructions if i.keyword == "RUN"]
    command = failed_command(log)
    if command is not None:
        matching = [i for i in runs if same_step(f"RUN {command}", i)]
        return matching[-1] if matching else None
    pointers = list(POINTER.finditer(log))
    if pointers:
        line = int(pointers[-1].group("line"))
        return next((i for i in runs if i.line <= line <= i.end_line), None)
    steps = list(STEP.finditer(log))
    if steps:
        matching = [i for i in runs if same_step(steps[-1].group("step"), i)]
        return matching[-1] if matching else None
    return None


def instruction_at(dockerfile: DockerfileInfo | None, line: str) -> Instruction | None:
    """The instruction starting at `line` (a finding's "line" capture), for a fix to find the failed RUN again."""
    return next((i for i in dockerfile.instructions if str(i.line) == line), None) if dockerfile else None
