"""The code imports a standard library module that the image's Python no longer has.

What it catches: `ModuleNotFoundError: No module named 'audioop'` (pydub), `'imghdr'`, `'cgi'`, `'distutils'`
when the application or a dependency is imported in the image, for a module that an earlier Python's standard
library has and the image's does not (`tables/stdlib_modules.json`, generated from `sys.stdlib_module_names`
of each python:X.Y image by `python -m dockerfix.tables.stdlib_modules`: PEP 594 removed 19 modules in 3.13,
PEP 632 `distutils` in 3.12). Also when the failure that ends the import is a fallback the package tried next
(pydub's `import pyaudioop` after `import audioop` failed).
Why it breaks: the code was written and frozen for a Python that shipped the module; an unpinned or moved base
(`FROM python`, `python:3`) now runs a newer one. Nothing is missing from the project's declaration, so adding
a distribution is not the fix DF040 would make it.
The fix: the `FROM python:X.Y` tags of the stages on the image's Python move to the last Python that has the
module, keeping each tag's variant, when the project's own constraints (`requires-python`) allow it. Otherwise
it is reported: the code (or the dependency, in a release that dropped the import) has to move off the module,
or declare the PyPI backport that provides it (`audioop-lts`, `setuptools` for `distutils`).
"""

from __future__ import annotations

import re

from dockerfix import tables
from dockerfix.analyse.wheels import choose_python
from dockerfix.analyse.release import FLOATING_TAG
from dockerfix.catalog.patterns import MISSING_MODULE
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, evidence_lines, regex
from dockerfix.checks import RUNS_CODE
from dockerfix.errors import InputError
from dockerfix.transform.python_version import move_python, stage_python, unversioned_running

ID = "DF039"
INTERPRETER_PATH = re.compile(r'File "/[^"]*/lib/python(\d+\.\d+)/')


def _series(python: str) -> tuple[int, ...]:
    return tuple(int(part) for part in python.split(".")[:2])


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    dockerfile = context.project.dockerfile
    stage = dockerfile.final_stage if dockerfile else None
    current = stage_python(dockerfile, stage, context.base_pythons) if dockerfile and stage else None
    if current is None and dockerfile is not None and any(FLOATING_TAG.match(s.base) for s in dockerfile.stages):
        # an unversioned tag, in a saved log: the interpreter the traceback ran in says which Python it was
        interpreters = INTERPRETER_PATH.findall(log)
        current = interpreters[-1] if interpreters else None
    if current is None:
        return None
    for candidate in MISSING_MODULE.finditer(log):
        module = candidate.group("module").split(".")[0]
        last = tables.last_python_with_module(module)
        if last is None or _series(last) >= _series(current):
            continue
        return Finding(ID, f"the code imports {module}, which the standard library has up to Python {last}; the "
                           f"image runs Python {current}", evidence=evidence_lines(log, candidate, before=3, after=1),
                       location=Location(context.dockerfile_path),
                       captures={"module": module, "python": last, "current": current})
    return None


def fix(context: Context, finding: Finding) -> Fix | Skip:
    module, python = finding.capture("module"), finding.capture("python")
    constraints = [c for c in context.project.python.constraints if not c[0].endswith(" FROM")]
    try:
        choose_python([python], constraints, context.project.lock)
    except InputError:
        origins = ", ".join(origin for origin, _ in constraints)
        return Skip(f"the project's constraints ({origins}) exclude Python {python}, the last with {module}: move the "
                    f"code off {module}, or declare the PyPI package that provides it")
    current = finding.capture("current")
    return move_python(context, current, python, f"the last whose standard library has {module}",
                       floating=unversioned_running(context.project.dockerfile, current))


RULE = Rule(
    id=ID,
    name="stdlib-module-removed",
    kind="run",
    summary="The code imports a standard library module the image's Python removed",
    explanation=__doc__,
    case="run-stdlib-module-removed",
    log=regex(MISSING_MODULE.pattern),
    from_log=from_log,
    checks=RUNS_CODE,
    fix=fix,
)
