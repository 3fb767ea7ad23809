"""`pdm export` refuses a pdm.lock made without environment markers (no `inherit_metadata` strategy).

What it catches: `[PdmUsageError]: Can't export a lock file without environment markers, please re-generate
the lock file with `inherit_metadata` strategy.` from a `pdm export` in the Dockerfile; found before any build
when pdm.lock's `[metadata] strategy` lacks `inherit_metadata` (locks made with `-S no_inherit_metadata`, or by
PDM before 2.11) and a RUN exports it.
Why it breaks: exported requirements must carry each package's markers so they install right on any
platform; a lock made without `inherit_metadata` does not record them, and PDM will not guess them
(`--no-markers` no longer changes that).
The fix: the lock is refreshed on the host with `pdm lock --update-reuse --strategy inherit_metadata`
(DF008's cached tool venv, keeping the locked versions), and the new pdm.lock is part of the repair's diff.
The rewrite needs no edit: it installs such a lock with `pdm sync` instead of exporting it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockerfix.catalog.rule import (
    Context,
    Finding,
    Fix,
    Location,
    Rule,
    Skip,
    evidence_lines,
    regex,
)
from dockerfix.transform.lock import LockRefreshError, refresh_lock

ID = "DF015"
STRATEGY = "inherit_metadata"


def _markerless_lock(context: Context) -> str | None:
    lock = context.project.lock
    return lock.path if lock is not None and lock.kind == "pdm" and STRATEGY not in lock.strategy else None


def detect(context: Context) -> Iterator[Finding]:
    dockerfile, path = context.project.dockerfile, _markerless_lock(context)
    if dockerfile is None or path is None:
        return
    export = next((i for i in dockerfile.instructions if i.keyword == "RUN" and re.search(r"\bpdm\s+export\b", i.value)),
                  None)
    if export is not None:
        yield Finding(ID, f"{path} was locked without the {STRATEGY} strategy (no environment markers), and the "
                          f"`pdm export` at {context.dockerfile_path}:{export.line} refuses such a lock",
                      evidence=(export.text,), location=Location(path))


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    path = _markerless_lock(context)
    if path is None:
        return None
    return Finding(ID, f"{path} has no environment markers (no {STRATEGY} strategy), so `pdm export` refuses it",
                   evidence=evidence_lines(log, match), location=Location(path))


def fix(context: Context, finding: Finding) -> Fix | Skip:
    lock = context.project.lock
    if lock is None or _markerless_lock(context) is None:
        return Skip(f"no pdm.lock without the {STRATEGY} strategy")
    try:
        text = refresh_lock(context.root, context.files, lock, ("--strategy", STRATEGY))
    except LockRefreshError as error:
        return Skip(f"could not refresh {lock.path} on the host: {error}")
    return Fix({lock.path: text}, f"re-locked {lock.path} on the host with the {STRATEGY} strategy (keeping the "
                                  "locked versions), so `pdm export` has the markers it needs")


RULE = Rule(
    id=ID,
    name="pdm-lock-without-markers",
    kind="build",
    summary="pdm export refuses a pdm.lock made without environment markers (no inherit_metadata)",
    explanation=__doc__,
    case="pdm-lock-without-markers",
    log=regex(r"Can't export a lock file without environment markers"),
    detect=detect,
    from_log=from_log,
    fix=fix,
    references=("https://pdm-project.org/en/latest/usage/lockfile/",),
)
