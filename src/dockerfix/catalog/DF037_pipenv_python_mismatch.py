"""`pipenv install --deploy` aborts: the image's Python is not the one Pipfile.lock was locked for.

What it catches: `Warning: Your Pipfile requires "python_version" 3.7, but you are using 3.13.0` followed by
`ERROR:: Aborting deploy` (older pipenv: `requires python_version 3.7`), typically under a tag that names no
version (`FROM python:3`, `python:slim`) which moved on to a newer Python since the lock was made.
Why it breaks: with `--deploy` pipenv refuses to install a lock into an interpreter other than the Pipfile's
`[requires] python_version`: the locked pins were resolved for that Python, and may have no wheels (or no
releases) for the other one.
The fix: the stages on the running Python move to the Pipfile's version, keeping each tag's variant; an
unversioned tag gets that version (`python:3-slim` → `python:3.12-slim`). When no image of that Python exists
(an end-of-life 3.7 on an engine without it) the next build says so; relocking the Pipfile for a newer Python is
the project's decision, not a repair.
"""

from __future__ import annotations

import re

from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, regex
from dockerfix.transform.python_version import move_python, unversioned_running

ID = "DF037"
MISMATCH = (r'Your Pipfile requires "?python_(?:full_)?version"? (?P<required>\d+\.\d+)(?:\.\d+)?,\s+'
            r"but you are using (?P<running>\d+\.\d+)")
ABORTED = re.compile(r"Aborting deploy|DeployException")


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    required, running = match.group("required"), match.group("running")
    if required == running or not ABORTED.search(log, match.end()):
        return None  # without --deploy pipenv only warns: a failure after it is another one
    return Finding(ID, f"Pipfile.lock was locked for Python {required} (Pipfile's python_version) but the image runs "
                       f"Python {running}: pipenv install --deploy aborts", evidence=(match.group(0),),
                   location=Location("Pipfile"), captures={"required": required, "running": running})


def fix(context: Context, finding: Finding) -> Fix | Skip:
    running = finding.capture("running")  # what the unversioned tags ran, as pipenv said
    return move_python(context, running, finding.capture("required"), "which Pipfile.lock was locked for",
                       floating=unversioned_running(context.project.dockerfile, running))


RULE = Rule(
    id=ID,
    name="pipenv-python-mismatch",
    kind="build",
    summary="pipenv --deploy aborts: the image's Python is not the Pipfile's python_version",
    explanation=__doc__,
    case="pipenv-python-version-mismatch",
    log=regex(MISMATCH),
    from_log=from_log,
    fix=fix,
)
