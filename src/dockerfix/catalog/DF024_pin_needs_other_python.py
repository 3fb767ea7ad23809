"""pip finds no release of a requirement because the ones it asks for need another Python than the image's.

What it catches: `ERROR: Could not find a version that satisfies the requirement click==8.2.0` /
`No matching distribution found for click==8.2.0`, preceded by pip's `Ignored the following versions that
require a different python version: 8.2.0 Requires-Python >=3.10; ...`, from a `FROM python:3.9-slim` image.
Why it breaks: pip skips every release whose Requires-Python excludes the running interpreter, so a pin (or
range) that only such releases satisfy looks "missing" although it is on PyPI.
The fix: the `FROM python:X.Y` tags of the stages on the failing stage's Python (or the `ARG` that sets it)
move to the Python nearest the image's that the requested release supports and the project's own constraints
(`requires-python`, `.python-version`) allow, keeping each tag's variant (`-slim`): the smallest move keeps the
wheels of the other pins and the standard library modules later Pythons removed (`audioop` in 3.13). It does not fire when no
ignored release matches the requirement: the pinned version does not exist, and the pin is what is wrong.
"""

from __future__ import annotations

import re

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

from dockerfix.analyse.wheels import choose_python
from dockerfix.analyse.failed_step import failed_run
from dockerfix.catalog.rule import Context, Finding, Fix, Rule, Skip, regex
from dockerfix.errors import InputError
from dockerfix.tables.python_versions import buildable_pythons
from dockerfix.transform import apt
from dockerfix.transform.python_version import move_python, stage_python

ID = "DF024"
IGNORED = re.compile(r"Ignored the following versions that require a different python version: (?P<list>.*)$",
                     re.MULTILINE)
IGNORED_ENTRY = re.compile(r"(?P<version>\S+) Requires-Python (?P<spec>.+?)(?=; \S+ Requires-Python |$)")


def ignored_releases(log: str, before: int) -> tuple[str, list[tuple[str, str]]]:
    """pip's last "Ignored the following versions" line before `before`, and its (version, Requires-Python) pairs."""
    lines = [m for m in IGNORED.finditer(log) if m.start() < before]
    if not lines:
        return "", []
    return lines[-1].group(0), [(e.group("version"), e.group("spec").strip())
                                for e in IGNORED_ENTRY.finditer(lines[-1].group("list"))]


def _minor(python: str) -> int:
    return int(python.split(".")[1])


def _new_python(context: Context, name: str, releases: list[tuple[str, str]], current: str) -> tuple[str, str, str] | None:
    """(python, release, Requires-Python): the Python nearest the image's that the newest fitting release and the
    project allow. The smallest move keeps what the other pins were frozen against: their wheels, and the standard
    library modules later Pythons removed (audioop, cgi, distutils)."""
    project = context.project
    constraints = [c for c in project.python.constraints if not c[0].endswith(" FROM")]
    nearest_first = sorted(buildable_pythons(), key=lambda python: (abs(_minor(python) - _minor(current)), -_minor(python)))
    for version, spec in releases:
        for python in nearest_first:
            try:
                choice = choose_python([python], [*constraints, (f"{name} {version} Requires-Python", spec)], project.lock)
            except InputError:
                continue
            return choice.version, version, spec
    return None


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    dockerfile = context.project.dockerfile
    try:
        requirement = Requirement(match.group("requirement"))
    except InvalidRequirement:
        return None
    ignored_line, ignored = ignored_releases(log, match.start())
    fitting = []
    for version, spec in ignored:
        try:
            if requirement.specifier.contains(Version(version), prereleases=True):
                fitting.append((version, spec))
        except InvalidVersion:
            continue
    if dockerfile is None or not fitting:
        return None  # no release on the index fits: the pin itself is wrong
    fitting.sort(key=lambda pair: Version(pair[0]), reverse=True)
    run = failed_run(dockerfile, log)
    stage = apt.stage_of(dockerfile, run) if run else dockerfile.final_stage
    current = stage_python(dockerfile, stage, context.base_pythons) if stage else None
    chosen = _new_python(context, requirement.name, fitting, current) if current else None
    if current is None or chosen is None or chosen[0] == current:
        return None
    python, version, spec = chosen
    return Finding(ID, f"{requirement} needs Python {spec} ({requirement.name} {version} on PyPI) but the image runs "
                       f"Python {current}", evidence=(ignored_line, match.group(0)),
                   captures={"python": python, "current": current, "requirement": str(requirement)})


def fix(context: Context, finding: Finding) -> Fix | Skip:
    return move_python(context, finding.capture("current"), finding.capture("python"),
                       f"which {finding.capture('requirement')} supports")


RULE = Rule(
    id=ID,
    name="pin-needs-other-python",
    kind="build",
    summary="A pinned requirement exists only for another Python than the image's",
    explanation=__doc__,
    case="pip-requires-python",
    log=regex(r"Could not find a version that satisfies the requirement (?P<requirement>[^\s(]+)"),
    from_log=from_log,
    fix=fix,
)
