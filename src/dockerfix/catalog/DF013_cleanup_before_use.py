"""A cleanup step removes files that a later step still needs.

What it catches: `ERROR: Could not open requirements file: [Errno 2] No such file or directory:
'/opt/requirements.txt'` (or pip finding no wheels) because `RUN rm -rf /opt/wheels /opt/requirements.txt`
was moved before the install that reads them (seed S001-10, the over-correction of S001-9).
Why it breaks: each RUN sees the file system the previous steps left; once a step removed the files, no later
step of the stage has them.
The fix: the cleanup moves to right after the last step that uses the files, where the build still runs as
root (or under `USER root` when that step runs as the user): install, clean, then `USER`. The place is the
one DF012 computes too, so the repair cannot oscillate between "removed too early" and "removed as the
user". Detected before any build.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockerfix.catalog.cleanup import cleanup_finding, cleanups, move_misplaced_cleanup, used_after_removal
from dockerfix.analyse.failed_step import failed_run
from dockerfix.catalog.rule import Context, Finding, Rule, evidence_lines, regex

ID = "DF013"


def detect(context: Context) -> Iterator[Finding]:
    dockerfile = context.project.dockerfile
    for cleanup in cleanups(dockerfile):
        reader = used_after_removal(dockerfile, cleanup)  # type: ignore[arg-type]
        if reader is not None:
            yield cleanup_finding(ID, context, cleanup, f"`{cleanup.instruction.value}` removes files that "
                                  f"{context.dockerfile_path}:{reader.line} still uses",
                                  evidence=(cleanup.instruction.text, reader.text))


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    dockerfile = context.project.dockerfile
    run = failed_run(dockerfile, log)
    for cleanup in cleanups(dockerfile):
        reader = used_after_removal(dockerfile, cleanup)  # type: ignore[arg-type]
        if reader is not None and (run is None or reader == run):
            return cleanup_finding(ID, context, cleanup, f"{match.group('path')} was removed by "
                                   f"{context.dockerfile_path}:{cleanup.instruction.line} before this step used it",
                                   evidence=evidence_lines(log, match))
    return None


RULE = Rule(
    id=ID,
    name="cleanup-before-use",
    kind="build",
    summary="A cleanup step removes files a later step still needs",
    explanation=__doc__,
    seeds=("S001-10",),
    case="s001-10-cleanup-before-use",
    log=regex(r"Could not open requirements file: \[Errno 2\] No such file or directory: '(?P<path>[^']+)'",
              r"Location '(?P<path>[^']+)' is ignored: it is either a non-existing path"),
    detect=detect,
    from_log=from_log,
    fix=move_misplaced_cleanup,
)
