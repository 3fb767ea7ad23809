"""The code imports a distribution the project never declared.

What it catches: `ModuleNotFoundError: No module named 'email_validator'` when the project is imported in the
image (seed S004-4: pydantic's `EmailStr` needs `email-validator`; S003-6: the container is up but imports
fail). Verification imports every package of the project, so the error shows before the first request.
Why it breaks: the module came from the developer's environment (installed by hand, or by another project),
not from the project's declaration, so the image, which installs exactly what is declared, lacks it.
"Optional" dependencies such as pydantic's `email` extra are not optional once the code uses them.
The fix: the distribution that provides the module (`tables/import_names.toml`: `yaml` → `pyyaml`; else the
module's own name) is added to the declaration: requirements.txt, `[project] dependencies` or Poetry's
`[tool.poetry.dependencies]` (tomlkit keeps comments and layout), pinned to the version the lock already
resolved or else to the newest release for the image's Python; a Poetry/uv/PDM lock is then refreshed on the
host. Not applied to the project's own modules, the standard library (of any Python: DF039 knows the removed
modules), or a module whose distribution is declared already (DF041 knows renamed packages and removed extras).
"""

from __future__ import annotations

import re
import sys

from packaging.utils import canonicalize_name

from dockerfix import tables
from dockerfix.analyse.wheels import newest_release
from dockerfix.catalog.rule import Context, Finding, Fix, Rule, Skip, evidence_lines, regex
from dockerfix.checks import RUNS_CODE
from dockerfix.transform.declare import CannotDeclare, Edit, declare, version_pin
from dockerfix.catalog.patterns import MISSING_MODULE

ID = "DF040"
# Only the error that ended an import, at the start of its line: not the fallbacks a package lists as it tries them
# (psycopg's "- couldn't import psycopg 'c' implementation: No module named 'psycopg_c'").


def _local(context: Context, top: str) -> bool:
    root = context.root
    return top in context.project.import_packages or any(
        (root / base / name).exists() for base in ("", "src") for name in (top, f"{top}.py"))


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    declared = {r.name for r in context.project.dependencies}
    for candidate in MISSING_MODULE.finditer(log):
        module = candidate.group("module")
        top = module.split(".")[0]
        if _local(context, top) or top in sys.stdlib_module_names or tables.last_python_with_module(top):
            continue
        distribution = tables.distribution_for_import(module)
        if canonicalize_name(distribution) in declared:
            continue  # declared, yet missing: a removed extra or a split package (DF041), not an undeclared one
        extra = tables.extra_for_import(module)
        via = f" ({extra} supplies it)" if extra else ""
        return Finding(ID, f"the code imports {module}, from the distribution {distribution}{via}, which the "
                           "project does not declare", evidence=evidence_lines(log, candidate, before=3, after=1),
                       captures={"module": module, "distribution": distribution})
    return None


def fix(context: Context, finding: Finding) -> Fix | Skip:
    distribution = finding.capture("distribution")
    newest = newest_release(distribution, context.project.python.version)
    pin = version_pin(context.project, distribution, newest)
    if not pin:
        return Skip(f"no release of {distribution} for Python {context.project.python.version} was found on PyPI")
    try:
        files, where = declare(context, [Edit(distribution, pin)])
    except CannotDeclare as exc:
        return Skip(str(exc))
    return Fix(files, f"declared {distribution}{pin} in {where}: the code imports {finding.capture('module')}")


RULE = Rule(
    id=ID,
    name="undeclared-import",
    kind="run",
    summary="The code imports a distribution the project does not declare",
    explanation=__doc__,
    seeds=("S004-4", "S003-6"),
    case="s004-4-email-validator-undeclared",
    log=regex(MISSING_MODULE.pattern),
    from_log=from_log,
    checks=RUNS_CODE,
    fix=fix,
)
