"""Two installed releases are known not to work together (passlib with bcrypt >= 4.1).

What it catches: the symptoms `tables/package_renames.toml` lists for each known incompatibility, in
verification's output: `AttributeError: module 'bcrypt' has no attribute '__about__'` after
`(trapped) error reading bcrypt version`, or `ValueError: password cannot be longer than 72 bytes` (seed
S004-3: passlib 1.7.4, unmaintained, reads an attribute bcrypt 4.1 removed, and bcrypt 5 rejects the
secret passlib's self-test hashes).
Why it breaks: nothing pins the newer release away, so the resolver installs the newest bcrypt, which the
older passlib cannot use; the build passes and the first hash fails at run time.
The fix: the table's pin (`bcrypt<4.1`) is declared (requirements.txt, `[project] dependencies` or Poetry's
table; a lock is refreshed on the host). Entries of kind `suggestion` (the real fix is in the code) and breaks
that happen while building an sdist are reported only.
"""

from __future__ import annotations

import re

from packaging.requirements import Requirement as Pep508

from dockerfix import tables
from dockerfix.catalog.rule import Context, Finding, Fix, Rule, Skip, evidence_lines
from dockerfix.checks import RUNS_CODE
from dockerfix.transform.declare import CannotDeclare, Edit, declare

ID = "DF042"


def _pattern() -> tuple[re.Pattern[str], ...]:
    symptoms = sorted({s for entry in tables.incompatibilities() if entry.kind == "pin" and entry.fix_in == "requirements"
                       for s in entry.symptoms})
    return (re.compile("|".join(re.escape(s) for s in symptoms), re.MULTILINE),) if symptoms else ()


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    for index, entry in enumerate(tables.incompatibilities()):
        if entry.kind != "pin" or entry.fix_in != "requirements" or not any(s in log for s in entry.symptoms):
            continue
        with_other = f" with {entry.other}" if entry.other else ""
        return Finding(ID, f"{entry.distribution}{entry.versions}{with_other} is a known incompatibility: {entry.why}",
                       evidence=evidence_lines(log, match, before=1, after=3), captures={"entry": str(index)})
    return None


def fix(context: Context, finding: Finding) -> Fix | Skip:
    entry = tables.incompatibilities()[int(finding.capture("entry"))]
    edits = [Edit(Pep508(pin).name, str(Pep508(pin).specifier)) for pin in entry.fix]
    try:
        files, where = declare(context, edits)
    except CannotDeclare as exc:
        return Skip(str(exc))
    return Fix(files, f"pinned {', '.join(entry.fix)} in {where} ({entry.reference})")


RULE = Rule(
    id=ID,
    name="incompatible-releases",
    kind="run",
    summary="Two installed releases are known not to work together",
    explanation=__doc__,
    seeds=("S004-3",),
    case="s004-3-passlib-bcrypt",
    log=_pattern(),
    from_log=from_log,
    checks=RUNS_CODE,
    fix=fix,
)
