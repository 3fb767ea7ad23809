"""A requirement pins a version the package index does not have for any Python.

What it catches: `ERROR: Could not find a version that satisfies the requirement click==8.9.9 (from versions:
..., 8.3.1)` / `No matching distribution found for click==8.9.9` (older pips: `... click==8.9.9 (from -r
requirements.txt (line 3)) (from versions: ...)`), when the index did answer (it listed the
versions it has) and no release pip skipped for its Requires-Python would fit (that case is DF024's).
Why it breaks: the pinned release was never published, was yanked from the simple index, or the name or
version has a typo; no base image or flag makes pip find it.
The fix: none in the Dockerfile: the pin itself is wrong. The report names the requirement, the file that
pins it and the newest versions the index has, so the pin can be corrected (and the lock refreshed) by hand.
"""

from __future__ import annotations

import re

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

from dockerfix.catalog.DF024_pin_needs_other_python import ignored_releases
from dockerfix.catalog.rule import Context, Finding, Location, Rule, regex

ID = "DF033"
# pip names the requirement file and line when the pin came from one: `... requirement codecov==2.0.15 (from -r
# requirements.txt (line 14)) (from versions: 2.1.13)`
NOT_FOUND = (r"Could not find a version that satisfies the requirement (?P<requirement>[^\s(]+) "
             r"(?:\(from -r (?P<file>\S+) \(line (?P<line>\d+)\)\) )?\(from versions: (?P<versions>[^)]+)\)")


def _versions(listed: str) -> list[Version]:
    found = []
    for text in listed.split(","):
        try:
            found.append(Version(text.strip()))
        except InvalidVersion:
            continue
    return found


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    try:
        requirement = Requirement(match.group("requirement"))
    except InvalidRequirement:
        return None
    available = _versions(match.group("versions"))
    if not available or not requirement.specifier:
        return None  # "(from versions: none)": the index did not answer, or the name is unknown there
    if any(requirement.specifier.contains(v, prereleases=True) for v in available):
        return None  # a listed version fits: something else (a conflict, a marker) is the cause
    _, ignored = ignored_releases(log, match.start())
    if any(requirement.specifier.contains(v, prereleases=True) for v in _versions(",".join(v for v, _ in ignored))):
        return None  # it exists for another Python: DF024's
    listed = f"{match.group('file')}:{match.group('line')}" if match.group("file") else None
    origin = next((r.origin for r in context.project.dependencies if r.name == requirement.name and r.origin), listed)
    newest = ", ".join(str(v) for v in sorted(available)[-3:])
    return Finding(ID, f"{requirement} is not on the package index (newest: {newest})"
                       + (f"; it is pinned at {origin}" if origin else ""),
                   evidence=(match.group(0).split(" (from versions:")[0] + " (from versions: ..., " + newest + ")",),
                   location=Location.parse(origin) if origin else None, captures={"requirement": str(requirement)})


RULE = Rule(
    id=ID,
    name="pinned-version-not-found",
    kind="report",
    summary="A pinned version does not exist on the package index",
    explanation=__doc__,
    case="pip-pin-does-not-exist",
    log=regex(NOT_FOUND),
    from_log=from_log,
)
