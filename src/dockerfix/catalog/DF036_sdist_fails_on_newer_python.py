"""A pinned release has no wheel for the image's Python, and its source build fails there.

What it catches: pip building the sdist of a pinned requirement and failing (`Getting requirements to build
wheel ... did not run successfully`, `Failed building wheel for pillow`, `Failed to build pillow`), in a stage
on a Python newer than the release's wheels (Pillow 10.1.0 publishes wheels for CPython 3.8–3.12; its
setup.py fails on 3.13 with `KeyError: '__version__'`), when the pinned release does publish wheels for a
Python the project allows. llvmlite is DF006's (its fallback installs LLVM); missing compilers, headers and
config tools are DF025's.
Why it breaks: a release publishes wheels for the Pythons that existed when it was released. On a newer
Python pip falls back to the sdist, whose build script often predates that Python (removed distutils, changed
`locals()`, C API changes) or needs compilers and headers a slim image lacks: the install fails although the
same pin installs from a wheel one Python back.
The fix: the FROM tags of the stages on that Python move to the newest Python the project allows for which
the pinned release has a wheel (PyPI's file list; a lock's analysis when there is one), so pip installs the
wheel. When no allowed Python has one, the rule does not apply.
"""

from __future__ import annotations

import re

from dockerfix.analyse.failed_step import failed_run
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, evidence_lines, regex
from dockerfix.catalog.source_build import pinned_version, python_with_wheel, sdist_being_built
from dockerfix.transform.python_version import move_python, stage_python

ID = "DF036"
OWN_RULES = frozenset({"llvmlite"})  # DF006: moves the Python too, and installs LLVM when no Python has a wheel


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    dockerfile = context.project.dockerfile
    distribution = sdist_being_built(log, match.start())
    if dockerfile is None or dockerfile.final_stage is None or distribution is None or distribution in OWN_RULES:
        return None
    version = pinned_version(context.project, distribution)
    run = failed_run(dockerfile, log)
    stage = dockerfile.stages[run.stage] if run else dockerfile.final_stage
    current = stage_python(dockerfile, stage, context.base_pythons)
    python = python_with_wheel(context.project, distribution) if version else None
    if python is None or current is None or python == current:
        return None
    return Finding(ID, f"{distribution} {version} has no wheel for Python {current}, and its source build fails there; "
                       f"Python {python} has one", evidence=evidence_lines(log, match),
                   location=Location(context.dockerfile_path, run.line) if run else None,
                   captures={"distribution": distribution, "current": current, "python": python})


def fix(context: Context, finding: Finding) -> Fix | Skip:
    return move_python(context, finding.capture("current"), finding.capture("python"),
                       f"for which {finding.capture('distribution')} has a wheel, instead of building its sdist")


RULE = Rule(
    id=ID,
    name="sdist-fails-on-newer-python",
    kind="build",
    summary="A pinned release has no wheel for the image's Python, and its source build fails there",
    explanation=__doc__,
    case="pip-sdist-fails-newer-python",
    log=regex(r"Getting requirements to build wheel[^\n]*(?:did not run successfully|finished with status 'error')",
              r"Preparing metadata \(pyproject\.toml\)[^\n]*(?:did not run successfully|finished with status 'error')",
              r"(?:Failed building wheel for|Failed to build) '?[A-Za-z0-9][\w.-]*"),
    from_log=from_log,
    fix=fix,
)
