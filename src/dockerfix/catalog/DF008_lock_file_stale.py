"""The lock file no longer matches pyproject.toml (or the Pipfile).

What it catches: `pyproject.toml changed significantly since poetry.lock was last generated. Run `poetry lock
[--no-update]` to fix the lock file.` from `poetry install`, and `poetry.lock is not consistent with
pyproject.toml` from `poetry export` (seed S001-2); uv's `The lockfile at `uv.lock` needs to be updated, but
`--locked` was provided`; Pipenv's `Your Pipfile.lock (3b1f…) is out of date. Expected: (5683…)` and `Aborting
deploy` from `pipenv install --deploy`.
Why it breaks: the lock records a hash of the dependency declarations it was resolved from. A dependency
added to pyproject.toml without re-locking leaves a lock that does not contain it; Poetry refuses to install
from it (Poetry 2's export too), and an image built from it would lack the new dependency.
The fix: the lock is refreshed on the host, never in the image (see DF009): dockerfix runs the Poetry
version that wrote the lock (`poetry lock --no-update` for 1.x, `poetry lock` for 2.x; `uv lock` for uv;
`pipenv lock` for Pipenv, which re-resolves what the Pipfile does not pin with `==`) from a cached tool venv in a
temporary copy of the manifest and the lock, keeping every version already locked, and the new lock is part of
the repair's diff. Detected before any build for Poetry locks and Pipfile.lock by recomputing the hash the way
the tool does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockerfix.analyse.locks import pipfile_hash_matches, poetry_content_hash_matches
from dockerfix.analyse.tomlfile import overlaid
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, evidence_lines, regex
from dockerfix.transform.lock import LockRefreshError, refresh_lock

ID = "DF008"


def detect(context: Context) -> Iterator[Finding]:
    lock = context.project.lock
    if lock is None or lock.kind not in ("poetry", "pipenv"):
        return
    with overlaid(context.files):
        fresh = (poetry_content_hash_matches if lock.kind == "poetry" else pipfile_hash_matches)(context.root, lock)
    manifest, field = ("pyproject.toml", "content-hash") if lock.kind == "poetry" else ("Pipfile", "_meta.hash.sha256")
    if fresh is False:
        yield Finding(ID, f"{lock.path}'s {field} ({(lock.content_hash or '')[:12]}…) is not the hash of the "
                          f"current {manifest}: dependencies changed since it was locked",
                      evidence=(f"{lock.path}: {field} = \"{lock.content_hash}\"",), location=Location(lock.path))


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    lock = context.project.lock
    if lock is None:
        return None
    manifest = "Pipfile" if lock.kind == "pipenv" else "pyproject.toml"
    return Finding(ID, f"{lock.path} does not match {manifest}", evidence=evidence_lines(log, match),
                   location=Location(lock.path))


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
    summary="The lock file no longer matches pyproject.toml (or the Pipfile)",
    explanation=__doc__,
    seeds=("S001-2",),
    case="s001-2-stale-lock",
    log=regex(r"pyproject\.toml changed significantly since poetry\.lock was last generated",
              r"poetry\.lock is not consistent with pyproject\.toml",
              r"The lockfile at `?uv\.lock`? needs to be updated, but `?--locked`? was provided",
              # Pipenv's console wraps the message at any space
              r"Your Pipfile\.lock\s+\([0-9a-f]+\)\s+is\s+out\s+of\s+date\.\s+Expected:\s+\([0-9a-f]+\)"),
    detect=detect,
    from_log=from_log,
    fix=fix,
)
