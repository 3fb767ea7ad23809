"""The engine ran out of disk space during the build.

What it catches: `No space left on device` (`OSError: [Errno 28]`, `write error`, `failed to copy files`,
`failed to register layer`), apt's `You don't have enough free space in /var/cache/apt/archives/`, anywhere in the build log.
Why it breaks: the engine's data root (images, build cache, containers) filled the disk; any step that writes
fails, whatever it is, so the failing instruction says nothing about the cause.
The fix: none in the Dockerfile. The finding is conclusive: no rule is tried on this build. Free space on
the engine (`docker builder prune`, `docker image prune`), then build again; a smaller image (the rewrite's
multi-stage layout) needs less.
"""

from __future__ import annotations

import re

from dockerfix.catalog.rule import Context, Finding, Rule, evidence_lines, regex

ID = "DF061"
SUGGESTION = ("free space on the engine's disk (`docker builder prune`, `docker image prune`, or a larger data root) "
              "and build again")


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    return Finding(ID, RULE.summary, evidence=evidence_lines(log, match), suggestion=SUGGESTION)

RULE = Rule(
    id=ID,
    name="disk-full",
    kind="report",
    summary="The engine ran out of disk space during the build",
    explanation=__doc__,
    case="fault-disk-full",
    log=regex(r"[^\n]*(?:No space left on device|ENOSPC|Errno 28\]|You don't have enough free space in )[^\n]*"),
    from_log=from_log,
    conclusive=True,
)
