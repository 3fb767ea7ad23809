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


def _same_file(origin: str, other: str) -> bool:
    return bool(origin) and origin.rpartition(":")[0] == other.rpartition(":")[0]


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    try:
        name = canonicalize_name(Requirement(match.group("requirement")).name)
    except InvalidRequirement:
        return None
    marker = tables.platform_marker(name)
    if marker is None:
        return None
    parent = canonicalize_name(match.group("parent")) if match.groupdict().get("parent") else None
    dependencies = context.project.dependencies
    # pip names who pulled it in (pypiwin32 → pywin32): that declaration gets the marker, whether or not the
    # distribution is declared (and marked) itself; otherwise its own declaration does
    declared = next((r for r in dependencies if parent and r.name == parent), None) or next(
        (r for r in dependencies if r.name == name), None)
    if declared is not None and declared.marker:
        return None  # it carries a marker already: pip evaluated it true here, so the cause is elsewhere
    origin = declared.origin if declared else ""
    # the other platform-only declarations of that file fail next, one build each: they are marked with it
    others = tuple((r.name, m) for r in dependencies if r is not declared and not r.marker and _same_file(origin, r.origin)
                   and (m := tables.platform_marker(r.name)) is not None)
    via = f" (required by {declared.name})" if declared and declared.name != name else ""
    return Finding(ID, f"{name}{via} installs only where {marker}" + (f"; {origin} requires it everywhere" if origin else ""),
                   evidence=(match.group(0),), location=Location.parse(origin) if origin else None,
                   captures={"distribution": declared.name if declared else name, "marker": marker, "origin": origin,
                             "others": tuple(f"{n}; {m}" for n, m in others)})


def fix(context: Context, finding: Finding) -> Fix | Skip:
    name, marker = finding.capture("distribution"), finding.capture("marker")
    if not finding.capture("origin"):
        return Skip(f"{name} is not declared by the project (a dependency of a dependency): nothing to mark")
    marked = [(name, marker), *(tuple(o.split("; ", 1)) for o in finding.capture_list("others"))]
    try:
        files, where = declare(context, [Edit(n, marker=m, add=False) for n, m in marked],
                               origin=finding.capture("origin"))
    except CannotDeclare as exc:
        return Skip(str(exc))
    if all(context.text(path) == text for path, text in files.items()):
        return Skip(f"{where} does not declare {name} on a line dockerfix can edit")
    return Fix(files, f"marked {', '.join(f'{n} `; {m}`' for n, m in marked)} in {where}: pip on Linux skips "
                      f"{'it' if len(marked) == 1 else 'them'}, {'its' if len(marked) == 1 else 'their'} own platform "
                      "still installs it")


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
