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
rules that know them (DF040, DF043, DF048), as are known incompatibilities between releases (DF042); a missing
module of the project's own package that the project has no file for (`from .mock_engine import ...` beside an
engine.py) is the code's error, and reported here.
Front-end proxies (S004-6) never reach a Python image and are out of scope.
"""

from __future__ import annotations

import re

from dockerfix.analyse.image_paths import project_file
from dockerfix.catalog.rule import Context, Finding, Location, Rule, regex
from dockerfix.checks import RUNS_CODE, Check, ImportTimes, ProbeRun

ID = "DF047"
FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<function>\S+)', re.MULTILINE)
EXCEPTION = re.compile(r"^(?P<type>[A-Za-z_][\w.]*)(?::\s?(?P<message>.*))?$")
# Errors of the environment, not of the code: other rules name and fix them.
ENVIRONMENT = re.compile(r"^(?:\w+\.)*(?:ModuleNotFoundError|SyntaxError|IndentationError|TabError)$")
ENVIRONMENT_IMPORT = re.compile(r"No module named|is not installed|pip install|shared object|failed to find|"
                                r"library not found|no pq wrapper|cannot load library", re.IGNORECASE)
MISSING_MODULE = re.compile(r"No module named '(?P<module>[\w.]+)'")


def _missing_own_module(context: Context, message: str) -> str | None:
    """The project file a `No module named 'pkg.sub'` of one of the project's own packages names, when the project
    has no such module (a file renamed, or never added): the code's error, not the environment's."""
    match = MISSING_MODULE.search(message)
    module = match.group("module") if match else ""
    if "." not in module or module.split(".")[0] not in context.project.import_packages:
        return None
    relative = module.replace(".", "/")
    source = context.root / context.project.source
    for base in (source, source / "src"):
        if (base / module.split(".")[0]).is_dir():
            found = base / relative
            # a module is a .py file, a package folder, or a compiled extension (name.cpython-312-x86_64-linux-gnu.so)
            if found.is_dir() or any(found.parent.glob(f"{found.name}.*")):
                return None
            return f"{found.relative_to(context.root).as_posix()}.py"
    return None


def _exception(block: str, after: int) -> tuple[str, str] | None:
    for line in block[after:].splitlines():
        if line and not line[0].isspace() and (match := EXCEPTION.match(line.strip())):
            return match.group("type"), (match.group("message") or "").strip()
    return None


def _slow_import(package: str, how: str) -> Finding:
    return Finding(ID, f"application error: {package} {how}: work done at import time (a client that connects, a "
                       "model that loads) blocks every start; create it lazily, on first use",
                   evidence=(f"{package} {how}",), location=Location(package), captures={"package": package})


def from_check(context: Context, check: Check) -> Finding | None:
    """A slow or hung import of the project (import-time, probe), else a traceback through the project's code in
    what the check's code printed."""
    facts = check.facts
    if isinstance(facts, ImportTimes) and facts.slow:
        return _slow_import(facts.slow[0].package, f"takes {facts.slow[0].seconds:.1f} s to import")
    if isinstance(facts, ProbeRun) and facts.hung:
        return _slow_import(facts.hung, "did not finish importing within the verification's time limit")
    return from_log(context, None, check.printed())


def from_log(context: Context, match: re.Match[str] | None, log: str) -> Finding | None:
    for block in log.split("Traceback (most recent call last):")[1:]:
        frames = list(FRAME.finditer(block))
        if not frames:
            continue
        raised = _exception(block, frames[-1].end())
        if raised is None:
            continue
        kind, message = raised
        absent = _missing_own_module(context, message) if kind.endswith("ModuleNotFoundError") else None
        if absent is None and (ENVIRONMENT.match(kind) or (kind.endswith("ImportError") and ENVIRONMENT_IMPORT.search(message))):
            continue
        own = [(path, frame) for path, frame in ((project_file(context, f.group("file")), f) for f in frames) if path]
        if not own:
            continue
        path, frame = own[-1]
        where = f"{path}:{frame.group('line')}"
        lines = [l for l in ("Traceback (most recent call last):" + block).splitlines() if l.strip()]
        cause = f": the project has no {absent}" if absent else ""
        return Finding(ID, f"application error at {where} (in {frame.group('function')}): {kind}: {message}{cause}",
                       evidence=tuple(lines[-14:]), location=Location(path, int(frame.group("line"))),
                       captures={"file": path, "line": frame.group("line"), "exception": kind})
    return None


RULE = Rule(
    id=ID,
    name="application-error",
    kind="report",
    summary="The application's own code fails in the built image",
    explanation=__doc__,
    seeds=("S002-4", "S004-1", "S004-2", "S004-6", "S004-7", "S004-8"),
    case="s004-1-env-file-path",
    log=regex(r"^Traceback \(most recent call last\):"),
    from_log=from_log,
    checks=(*RUNS_CODE, "import-time"),
    from_check=from_check,
)
