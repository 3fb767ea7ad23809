"""The lock file no longer matches pyproject.toml.

What it catches: `pyproject.toml changed significantly since poetry.lock was last generated. Run `poetry lock
[--no-update]` to fix the lock file.` from `poetry install`, and `poetry.lock is not consistent with
pyproject.toml` from `poetry export` (seed S001-2); uv's `The lockfile at `uv.lock` needs to be updated, but
`--locked` was provided`.
Why it breaks: the lock records a hash of the dependency declarations it was resolved from. A dependency
added to pyproject.toml without re-locking leaves a lock that does not contain it; Poetry refuses to install
from it (Poetry 2's export too), and an image built from it would lack the new dependency.
The fix: the lock is refreshed on the host, never in the image (see DF009): dockerfix runs the Poetry
version that wrote the lock (`poetry lock --no-update` for 1.x, `poetry lock` for 2.x; `uv lock` for uv)
from a cached tool venv in a temporary copy of pyproject.toml and the lock, keeping every version already
locked, and the new poetry.lock is part of the repair's diff. Detected before any build for Poetry locks by
recomputing the content hash the way the lock's Poetry does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockerfix.analyse.locks import poetry_content_hash_matches
from dockerfix.analyse.tomlfile import overlaid
from dockerfix.catalog.rule import Context, Finding, Fix, Rule, Skip, evidence_lines, regex
from dockerfix.transform.lock import LockRefreshError, refresh_lock

ID = "DF008"


def detect(context: Context) -> Iterator[Finding]:
    lock = context.project.lock
    if lock is None or lock.kind != "poetry":
        return
    with overlaid(context.files):
        fresh = poetry_content_hash_matches(context.root, lock)
    if fresh is False:
        yield Finding(ID, f"{lock.path}'s content-hash ({(lock.content_hash or '')[:12]}…) is not the hash of the "
                          "current pyproject.toml: dependencies changed since it was locked",
                      evidence=(f"{lock.path}: content-hash = \"{lock.content_hash}\"",), location=lock.path)


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    lock = context.project.lock
    if lock is None:
        return None
    return Finding(ID, f"{lock.path} does not match pyproject.toml", evidence=evidence_lines(log, match),
                   location=lock.path)


def fix(context: Context, finding: Finding) -> Fix | Skip:
    lock = context.project.lock
    if lock is None:
        return Skip("no lock file")
    try:
        text = refresh_lock(context.root, context.files, lock)
    except LockRefreshError as error:
        return Skip(f"could not refresh {lock.path} on the host: {error}")
    return Fix({lock.path: text}, f"refreshed {lock.path} on the host (keeping the locked versions) so it matches "
                                  "pyproject.toml again; the image installs from the lock and never locks itself")


RULE = Rule(
    id=ID,
    name="lock-file-stale",
    kind="build",
    summary="The lock file no longer matches pyproject.toml",
    explanation=__doc__,
    seeds=("S001-2",),
    case="s001-2-stale-lock",
    log=regex(r"pyproject\.toml changed significantly since poetry\.lock was last generated",
              r"poetry\.lock is not consistent with pyproject\.toml",
              r"The lockfile at `?uv\.lock`? needs to be updated, but `?--locked`? was provided"),
    detect=detect,
    from_log=from_log,
    fix=fix,
)
