"""A cleanup step removes root's files after the switch to a non-root user.

What it catches: `rm: cannot remove '/opt/wheels/six-1.17.0-py2.py3-none-any.whl': Permission denied` from
`RUN rm -rf /opt/wheels /opt/requirements.txt` placed after `USER appuser` (seed S001-9).
Why it breaks: files put in place by COPY (without `--chown`) or by a RUN as root belong to root, in
directories that belong to root; removing a directory entry needs write permission on the directory, which
the user does not have.
The fix: the cleanup moves to right after the last step that uses the files, where the build still runs as
root, so the order is install, clean, `USER` (when that last step itself runs as the user, the cleanup runs
there under `USER root` and switches back). The place is computed from the whole stage, the same way as for
DF013, so fixing one never brings the other back. Detected before any build.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockerfix.catalog.cleanup import cleanup_finding, cleanups, move_misplaced_cleanup, removes_as_user
from dockerfix.analyse.failed_step import failed_run
from dockerfix.catalog.rule import Context, Finding, Rule, evidence_lines, regex

ID = "DF012"


def detect(context: Context) -> Iterator[Finding]:
    dockerfile = context.project.dockerfile
    for cleanup in cleanups(dockerfile):
        user = removes_as_user(dockerfile, cleanup)  # type: ignore[arg-type]
        if user is not None:
            yield cleanup_finding(ID, context, cleanup, f"`{cleanup.instruction.value}` runs as {user}, who cannot "
                                  "remove root's files", evidence=(cleanup.instruction.text,))


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    dockerfile = context.project.dockerfile
    run = failed_run(dockerfile, log)
    for cleanup in cleanups(dockerfile):
        user = removes_as_user(dockerfile, cleanup)  # type: ignore[arg-type]
        if user is not None and (run is None or cleanup.instruction == run):
            return cleanup_finding(ID, context, cleanup, f"the cleanup runs as {user}, who cannot remove "
                                   f"{match.group('path')}", evidence=evidence_lines(log, match))
    return None


RULE = Rule(
    id=ID,
    name="cleanup-as-user",
    kind="build",
    summary="A cleanup step removes root's files as a non-root user",
    explanation=__doc__,
    seeds=("S001-9",),
    case="s001-9-cleanup-as-user",
    log=regex(r"rm: cannot remove '(?P<path>[^']+)': Permission denied"),
    detect=detect,
    from_log=from_log,
    fix=move_misplaced_cleanup,
)
