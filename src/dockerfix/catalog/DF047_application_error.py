"""The image is complete, but the application's own code fails: an application error, reported, not edited.

What it catches: a traceback in verification (importing the project, starting its server) that passes
through the project's own code and ends in an error no environment change explains: a wrong `.env` path
(S004-1: `FileNotFoundError`, `could not translate host name`), a library API that changed under the code
(S004-2: `TypeError: ... unexpected keyword argument`), SQLAlchemy's `AmbiguousForeignKeysError` or reserved
`metadata`, a Strawberry enum, a SlowAPI strategy (S002-4), an exhausted Redis pool (S004-8); and an import of
the project that takes over 10 s or never returns (S004-7: a client created at import time), with its time.
Why it breaks: the code or its configuration is wrong; the Dockerfile installed what was asked for.
The fix: none by dockerfix. The finding names the innermost frame of the project's code (file:line), the
exception and the traceback. Missing modules, missing shared libraries and syntax errors are left to the
rules that know them (DF040, DF043, DF048), as are known incompatibilities between releases (DF042).
Front-end proxies (S004-6) never reach a Python image and are out of scope.
"""

from __future__ import annotations

import re

from dockerfix.catalog.image_paths import project_file
from dockerfix.catalog.rule import Context, Finding, Rule, regex

ID = "DF047"
FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<function>\S+)', re.MULTILINE)
EXCEPTION = re.compile(r"^(?P<type>[A-Za-z_][\w.]*)(?::\s?(?P<message>.*))?$")
# Errors of the environment, not of the code: other rules name and fix them.
ENVIRONMENT = re.compile(r"^(?:\w+\.)*(?:ModuleNotFoundError|SyntaxError|IndentationError|TabError)$")
ENVIRONMENT_IMPORT = re.compile(r"No module named|is not installed|pip install|shared object|failed to find|"
                                r"library not found|no pq wrapper|cannot load library", re.IGNORECASE)


def _exception(block: str, after: int) -> tuple[str, str] | None:
    for line in block[after:].splitlines():
        if line and not line[0].isspace() and (match := EXCEPTION.match(line.strip())):
            return match.group("type"), (match.group("message") or "").strip()
    return None


def _slow_import(match: re.Match[str]) -> Finding:
    package, seconds = match.group("package"), match.group("seconds")
    how = f"takes {seconds} s to import" if seconds else f"did not finish importing within {match.group('limit')} s"
    return Finding(ID, f"application error: {package} {how}: work done at import time (a client that connects, a "
                       "model that loads) blocks every start; create it lazily, on first use",
                   evidence=(match.group(0),), location=package, captures=(("package", package),))


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    if match.groupdict().get("package"):
        return _slow_import(match)
    for block in log.split("Traceback (most recent call last):")[1:]:
        frames = list(FRAME.finditer(block))
        if not frames:
            continue
        raised = _exception(block, frames[-1].end())
        if raised is None:
            continue
        kind, message = raised
        if ENVIRONMENT.match(kind) or (kind.endswith("ImportError") and ENVIRONMENT_IMPORT.search(message)):
            continue
        own = [(project_file(context, f.group("file")), f) for f in frames]
        own = [(path, frame) for path, frame in own if path]
        if not own:
            continue
        path, frame = own[-1]
        where = f"{path}:{frame.group('line')}"
        lines = [l for l in ("Traceback (most recent call last):" + block).splitlines() if l.strip()]
        return Finding(ID, f"application error at {where} (in {frame.group('function')}): {kind}: {message}",
                       evidence=tuple(lines[-14:]), location=where,
                       captures=(("file", path), ("line", frame.group("line")), ("exception", kind)))
    return None


RULE = Rule(
    id=ID,
    name="application-error",
    kind="report",
    summary="The application's own code fails in the built image",
    explanation=__doc__,
    seeds=("S002-4", "S004-1", "S004-2", "S004-6", "S004-7", "S004-8"),
    case="s004-1-env-file-path",
    log=regex(r"^Traceback \(most recent call last\):",
              r"^slow import: (?P<package>\S+) (?:took (?P<seconds>[\d.]+) s to import|did not finish importing "
              r"within (?P<limit>\d+) s)"),
    from_log=from_log,
)
