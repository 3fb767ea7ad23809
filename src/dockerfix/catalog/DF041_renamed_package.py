"""A declared extra or distribution no longer exists: it was split into, or renamed to, another package.

What it catches: `langgraph[postgres]` (seed S003-2): pip warns `langgraph 0.6.7 does not provide the extra
'postgres'`, installs langgraph alone, and the code's `import langgraph.checkpoint.postgres` fails at run time
(`ModuleNotFoundError`); likewise a requirement on a distribution that was renamed. Detected before any build
from `tables/package_renames.toml`, and recognised in verification's import errors.
Why it breaks: since langgraph 0.2 the checkpointers are separate distributions
(`langgraph-checkpoint-postgres`); an unknown extra is only a warning for pip, so the build passes and the
image lacks the code.
The fix: for entries of kind `replace`, the extra is removed from the declaration (or the old distribution
dropped) and the new distribution(s) added, unpinned so that the resolver picks the release that fits the
rest (a lock is refreshed on the host, which pins it). Entries of kind `suggestion` change the import name or
API and are left to the developer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from packaging.utils import canonicalize_name

from dockerfix import tables
from dockerfix.model import Location, Requirement
from dockerfix.catalog.rule import Context, Finding, Fix, Rule, Skip, regex
from dockerfix.checks import RUNS_CODE
from dockerfix.transform.declare import CannotDeclare, Edit, declare
from dockerfix.catalog.patterns import MISSING_MODULE

ID = "DF041"
# Only the error that ended an import, at the start of its line: not the fallbacks a package lists as it tries them
# (psycopg's "- couldn't import psycopg 'c' implementation: No module named 'psycopg_c'").


def _renamed(requirements: tuple[Requirement, ...]) -> Iterator[tuple[Requirement, tables.Rename]]:
    for requirement in requirements:
        for extra in (*requirement.extras, None):
            rename = tables.rename_for(requirement.name, extra)
            if rename is not None and rename.kind == "replace" and (rename.extra is None or rename.extra == extra):
                yield requirement, rename
                break


def _finding(requirement: Requirement, rename: tables.Rename, evidence: tuple[str, ...]) -> Finding:
    old = f"{requirement.name}[{rename.extra}]" if rename.extra else requirement.name
    new = ", ".join(rename.new) or "nothing"
    return Finding(ID, f"{old} ({requirement.origin}) no longer exists since {rename.since}: use {new}. {rename.why}",
                   evidence=evidence, location=Location.parse(requirement.origin) if requirement.origin else None,
                   captures={"distribution": requirement.name, "extra": rename.extra or ""})


def detect(context: Context) -> Iterator[Finding]:
    for requirement, rename in _renamed(context.project.dependencies):
        yield _finding(requirement, rename, (f"{requirement.origin}: {requirement.name}"
                                             f"{'[' + ','.join(requirement.extras) + ']' if requirement.extras else ''}",
                                             rename.reference))


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    renamed = list(_renamed(context.project.dependencies))
    if match.groupdict().get("dist"):  # pip's build-time warning names the distribution and the extra
        return next((_finding(r, rename, (match.group(0),)) for r, rename in renamed
                     if r.name == canonicalize_name(match.group("dist")) and rename.extra == match.group("extra")), None)
    for candidate in MISSING_MODULE.finditer(log):
        module = candidate.group("module")
        for requirement, rename in renamed:
            owner = requirement.name.replace("-", "_")
            if module.split(".")[0] == owner or canonicalize_name(tables.distribution_for_import(module)) in rename.new:
                return _finding(requirement, rename, (candidate.group(0),))
    return None


def fix(context: Context, finding: Finding) -> Fix | Skip:
    distribution, extra = finding.capture("distribution"), finding.capture("extra") or None
    rename = tables.rename_for(distribution, extra)
    if rename is None:
        return Skip(f"no rename of {distribution} is known")
    edits = [Edit(distribution, drop_extra=extra, add=False)] if extra else [Edit(distribution, remove=True, add=False)]
    edits += [Edit(new) for new in rename.new]
    try:
        files, where = declare(context, edits)
    except CannotDeclare as exc:
        return Skip(str(exc))
    old = f"{distribution}[{extra}]" if extra else distribution
    return Fix(files, f"replaced {old} by {', '.join(rename.new) or 'nothing'} in {where} ({rename.why})")


RULE = Rule(
    id=ID,
    name="renamed-package",
    kind="run",
    summary="A declared extra or distribution was split into, or renamed to, another package",
    explanation=__doc__,
    seeds=("S003-2",),
    case="s003-2-langgraph-postgres-extra",
    log=regex(MISSING_MODULE.pattern, r"(?P<dist>[\w.-]+) [\w.+!-]+ does not provide the extra '(?P<extra>[\w.-]+)'"),
    detect=detect,
    from_log=from_log,
    checks=RUNS_CODE,
    fix=fix,
)
