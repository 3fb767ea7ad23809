"""A source file of the project does not compile: a source error, reported with file and line.

What it catches: verification byte-compiles every source file in the image and imports the project; a
`SyntaxError` or `IndentationError` in the project's own code (seed S004-5: a refactor left a dangling
`>= threshold]` line in `conciliacion.py`).
Why it breaks: Python cannot compile the module, so the first import of it fails, at start-up or worse, on
the first request that reaches it.
The fix: none by dockerfix: the code must be repaired. The finding names the file and line and shows the
offending line. A syntax error in an installed dependency is not this rule's (it usually means a release
that does not support the image's Python).
"""

from __future__ import annotations

import re

from dockerfix.analyse.image_paths import project_file
from dockerfix.catalog.rule import Context, Finding, Location, Rule, evidence_lines, regex
from dockerfix.checks import RUNS_CODE, Check, Compiled

ID = "DF048"
PATTERN = (r'File "(?P<file>[^"]+)", line (?P<line>\d+)\n(?:[ \t]+.*\n){0,3}'
           r"(?P<type>SyntaxError|IndentationError|TabError): (?P<message>.*)")


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    for candidate in re.finditer(PATTERN, log, re.MULTILINE):
        path = project_file(context, candidate.group("file"))
        if path is None:
            continue
        where = f"{path}:{candidate.group('line')}"
        return Finding(ID, f"{where}: {candidate.group('type')}: {candidate.group('message')}",
                       evidence=evidence_lines(log, candidate, before=0, after=0),
                       location=Location(path, int(candidate.group("line"))),
                       captures={"file": path, "line": candidate.group("line")})
    return None


def from_check(context: Context, check: Check) -> Finding | None:
    """byte-compile names each file that does not compile; an import of one prints Python's own error."""
    if not isinstance(check.facts, Compiled):
        printed = check.printed()
        match = re.search(PATTERN, printed, re.MULTILINE)
        return from_log(context, match, printed) if match else None
    for error in check.facts.errors:
        path = project_file(context, error.file)
        if path is not None and error.line is not None:
            where = f"{path}:{error.line}"
            return Finding(ID, f"{where}: {error.kind}: {error.message}", evidence=(error.text, f"{error.kind}: {error.message}"),
                           location=Location(path, error.line), captures={"file": path, "line": str(error.line)})
    return None


RULE = Rule(
    id=ID,
    name="source-syntax-error",
    kind="report",
    summary="A source file of the project does not compile",
    explanation=__doc__,
    seeds=("S004-5",),
    case="s004-5-syntax-error",
    log=regex(PATTERN),
    from_log=from_log,
    checks=("byte-compile", *RUNS_CODE),
    from_check=from_check,
)
