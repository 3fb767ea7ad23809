"""The engine ran out of disk space during the build.

What it catches: `No space left on device` (`OSError: [Errno 28]`, `write error`, `failed to copy files`,
`failed to register layer`) anywhere in the build log.
Why it breaks: the engine's data root (images, build cache, containers) filled the disk; any step that writes
fails, whatever it is, so the failing instruction says nothing about the cause.
The fix: none in the Dockerfile. The finding is conclusive: no rule is tried on this build. Free space on
the engine (`docker builder prune`, `docker image prune`), then build again; a smaller image (the rewrite's
multi-stage layout) needs less.
"""

from __future__ import annotations

from dockerfix.catalog.rule import Rule, regex

RULE = Rule(
    id="DF061",
    name="disk-full",
    kind="report",
    summary="The engine ran out of disk space during the build",
    explanation=__doc__,
    case="fault-disk-full",
    log=regex(r"[^\n]*(?:No space left on device|ENOSPC|Errno 28\])[^\n]*"),
    conclusive=True,
)
