"""A requirement installs only on Windows or macOS: requirements frozen on a developer's machine.

What it catches: `ERROR: Could not find a version that satisfies the requirement pywin32==310 (from versions:
none)` / `No matching distribution found for pywin32==310`, or a failed sdist build of such a package (`Failed
building wheel for pywinpty`), in a Linux image, for a distribution PyPI serves for one operating system only
(`tables/platform_packages.json`, generated from PyPI's index by `python -m dockerfix.tables.pypi_platforms`:
pywin32, pywinpty, windows-curses, pyobjc-core, ...).
Why it breaks: `pip freeze` on Windows or macOS writes every installed package, those of the operating system
included; pip on Linux finds no wheel for them (or an sdist that builds only there), so the whole install fails
although the application does not need them in the container.
The fix: the declaration gets the platform's marker (`pywin32==310; sys_platform == "win32"`), or the
declaration of the requirement pip names as pulling it in (`pypiwin32`, which requires pywin32), in the
requirements file that declares it (or pyproject.toml, its lock refreshed): pip on Linux skips it, and the
developer's own machine still installs it. A compiled file (pip-compile, hashes) is edited in its source by hand.
"""

from __future__ import annotations

import re

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from dockerfix import tables
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, regex
from dockerfix.transform.declare import CannotDeclare, Edit, declare

ID = "DF035"
# pip names the requirement that pulled it in: `... requirement pywin32>=223 (from pypiwin32) (from versions: none)`
NO_VERSION = (r"Could not find a version that satisfies the requirement (?P<requirement>[^\s;]+) "
              r"\(from (?P<parent>[A-Za-z0-9._-]+)(?:\[[^\]]*\])?(?:[<>=!~][^)]*)?\) \(from versions: none\)")
NO_DISTRIBUTION = r"No matching distribution found for (?P<requirement>[^\s;]+)"
NO_WHEEL_BUILT = r"Failed (?:building wheel for|to build) (?P<requirement>[A-Za-z0-9._-]+)"


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    try:
        name = canonicalize_name(Requirement(match.group("requirement")).name)
    except InvalidRequirement:
        return None
    marker = tables.platform_marker(name)
    if marker is None:
        return None
    parent = canonicalize_name(match.group("parent")) if match.groupdict().get("parent") else None
    # not declared itself: the declared requirement that pulls it in (pypiwin32 → pywin32) gets the marker
    declared = next((r for r in context.project.dependencies if r.name == name), None) or next(
        (r for r in context.project.dependencies if r.name == parent), None)
    if declared is not None and declared.marker:
        return None  # it carries a marker already: pip evaluated it true here, so the cause is elsewhere
    origin = declared.origin if declared else ""
    via = f" (required by {declared.name})" if declared and declared.name != name else ""
    return Finding(ID, f"{name}{via} installs only where {marker}" + (f"; {origin} requires it everywhere" if origin else ""),
                   evidence=(match.group(0),), location=Location.parse(origin) if origin else None,
                   captures={"distribution": declared.name if declared else name, "marker": marker, "origin": origin})


def fix(context: Context, finding: Finding) -> Fix | Skip:
    name, marker = finding.capture("distribution"), finding.capture("marker")
    if not finding.capture("origin"):
        return Skip(f"{name} is not declared by the project (a dependency of a dependency): nothing to mark")
    try:
        files, where = declare(context, [Edit(name, marker=marker, add=False)], origin=finding.capture("origin"))
    except CannotDeclare as exc:
        return Skip(str(exc))
    if all(context.text(path) == text for path, text in files.items()):
        return Skip(f"{where} does not declare {name} on a line dockerfix can edit")
    return Fix(files, f"marked {name} `; {marker}` in {where}: pip on Linux skips it, its own platform still installs it")


RULE = Rule(
    id=ID,
    name="platform-only-requirement",
    kind="build",
    summary="A requirement installs only on Windows or macOS (requirements frozen on a developer's machine)",
    explanation=__doc__,
    case="pip-windows-only-requirement",
    log=regex(NO_VERSION, NO_DISTRIBUTION, NO_WHEEL_BUILT),
    from_log=from_log,
    fix=fix,
    references=("https://peps.python.org/pep-0508/#environment-markers",),
)
