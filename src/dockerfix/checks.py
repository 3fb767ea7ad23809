"""What verification reports: per check, its id, whether it passed, typed facts, and words for people.

Verification (`verify/`, and `verify/probe.py` inside the image) makes these values; the catalog's run-time rules
read them (`Rule.checks` names the check ids a rule reads, `Rule.from_check` reads a check's facts). Rules match
a check's id and facts, never its `detail` or `output`, which are for people and may be reworded freely. The
code the image runs prints what it prints (a traceback, the shell's or the engine's error): that text is a fact
too (`Check.printed`), the input of the rules that know such messages from build logs as well.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, is_dataclass
from typing import Any


@dataclass(frozen=True)
class IgnoredImport:
    """A module the code imports whose file the .dockerignore keeps out of the image."""

    module: str  # dotted name as imported ("app.local_settings")
    path: str  # the file or package directory it resolves to, relative to the root
    importer: str  # "app/main.py:3"
    pattern: str  # the .dockerignore pattern that excludes it
    line: int  # its line in .dockerignore


@dataclass(frozen=True)
class Facts:
    """The typed findings of one check; `printed` is what the code the check ran printed (tracebacks, errors)."""

    def printed(self) -> str:
        return ""


@dataclass(frozen=True)
class ProbeRun(Facts):
    """`probe`: the probe itself did not finish (it crashed, or an import of the project never returned)."""

    status: int  # the probe's exit status (124: timed out)
    hung: str | None = None  # the project package whose import never returned
    output: str = ""  # what the probe printed

    def printed(self) -> str:
        return self.output


@dataclass(frozen=True)
class ImportFailure:
    module: str
    error: str  # what the import printed, and its traceback
    distribution: str | None = None  # the dependency it belongs to (None: the project's own package)
    # the only operating systems that distribution declares (its "Operating System ::" classifiers), when neither
    # Linux nor POSIX is among them: comtypes, frozen into requirements on Windows, refuses to import elsewhere
    systems: str | None = None


@dataclass(frozen=True)
class Imports(Facts):
    """`imports-project`, `imports-dependencies`: imports that fail. `unused` are notes only: project modules that
    fail although the entry command's code does not import them, and dependency modules that fail although the
    application does not import them, their distribution being otherwise usable, for other operating systems only,
    or declared but not installed and not imported by the entry command's code."""

    count: int = 0  # modules imported
    failures: tuple[ImportFailure, ...] = ()
    unused: tuple[ImportFailure, ...] = ()
    # the configuration whose absence stopped the failing imports: environment variables the image does not set, and
    # project files the repository withholds on purpose (a gitignored config.yaml); a deployment gives them, so the
    # check passes, since what is missing is configuration, not part of the image
    unconfigured: tuple[str, ...] = ()

    def printed(self) -> str:
        return "\n".join(f"import {f.module}\n{f.error}" for f in self.failures)


@dataclass(frozen=True)
class SlowImport:
    package: str
    seconds: float


@dataclass(frozen=True)
class ImportTimes(Facts):
    """`import-time`: project packages that take too long to import."""

    limit: float
    slow: tuple[SlowImport, ...] = ()


@dataclass(frozen=True)
class PipCheck(Facts):
    """`pip-check`: what `pip check` found broken."""

    problems: tuple[str, ...] = ()

    def printed(self) -> str:
        return "\n".join(self.problems)


@dataclass(frozen=True)
class EntryResolution(Facts):
    """`entry-resolves`: what the entry command needs that the image lacks."""

    missing_executable: str | None = None  # not on PATH (nor an absolute path that exists)
    installed_at: tuple[str, ...] = ()  # where the missing executable was found instead
    path: str = ""  # PATH in the image
    missing_script: str | None = None  # absolute path of the script `python x.py` runs, not in the image
    missing_module: str | None = None  # the module the command imports, not importable
    module_error: str = ""  # what importing it printed
    package_without_main: str | None = None  # `python -m pkg` where pkg is a package with no __main__ module

    def printed(self) -> str:
        return self.module_error


@dataclass(frozen=True)
class DockerignoreImports(Facts):
    """`dockerignore-imports`: project modules the code imports that `.dockerignore` kept out of the image."""

    missing: tuple[IgnoredImport, ...] = ()


@dataclass(frozen=True)
class UserId(Facts):
    """`non-root`: the uid the image runs as."""

    uid: int


@dataclass(frozen=True)
class Home(Facts):
    """`home-writable`: the user's HOME, and the error writing into it."""

    home: str
    error: str = ""  # empty: writable


@dataclass(frozen=True)
class CompileError:
    file: str  # as in the image
    line: int | None
    kind: str  # SyntaxError, IndentationError, TabError; OSError/ValueError for unreadable files
    message: str
    text: str = ""  # the offending line


@dataclass(frozen=True)
class Compiled(Facts):
    """`byte-compile`: the application's source files that do not compile."""

    files: int = 0
    errors: tuple[CompileError, ...] = ()


@dataclass(frozen=True)
class SecretFiles(Facts):
    """`no-secrets`: credential files among the application's files (paths relative to the working directory)."""

    paths: tuple[str, ...] = ()
    searched: tuple[str, ...] = ()  # the image directories that hold the application's files


@dataclass(frozen=True)
class EntryRun(Facts):
    """`entry-starts` (a server) and `entry-runs` (any other command): the image's own command, run briefly."""

    seconds: float  # how long it was given
    exit_code: int | None = None  # None: still running when the time was up
    refused: str = ""  # the engine's error when the command could not start at all
    output: str = ""  # what it printed
    needs_network: bool = False  # it failed reaching the network, which verification cuts off
    unconfigured: tuple[str, ...] = ()  # it stopped for configuration the image lacks (as Imports.unconfigured)
    denied: tuple[str, ...] = ()  # the paths it was refused writing (PermissionError [Errno 13], a shell's), in order

    def printed(self) -> str:
        return "\n".join(t for t in (self.refused, self.output) if t)


@dataclass(frozen=True)
class HttpAnswer(Facts):
    """`http-probe`: the server's answer to GET url (status 0: none)."""

    url: str
    status: int
    body: str = ""
    server_output: str = ""  # the server's log when it did not answer

    def printed(self) -> str:
        return self.server_output


@dataclass(frozen=True)
class RerunInstall:
    dockerfile: str
    line: int
    text: str  # the instruction's first line


@dataclass(frozen=True)
class CacheRebuild(Facts):
    """`cache`: the rebuild after a source-only change; which dependency installs ran again."""

    source: str | None = None  # the file touched
    reran: tuple[RerunInstall, ...] = ()
    build_error: str = ""  # the (re)build failed
    skipped: str = ""  # why the check did not run


FACTS: Mapping[str, type[Facts]] = {
    "probe": ProbeRun,
    "imports-project": Imports,
    "import-time": ImportTimes,
    "imports-dependencies": Imports,
    "pip-check": PipCheck,
    "entry-resolves": EntryResolution,
    "dockerignore-imports": DockerignoreImports,
    "non-root": UserId,
    "home-writable": Home,
    "byte-compile": Compiled,
    "no-secrets": SecretFiles,
    "entry-starts": EntryRun,
    "entry-runs": EntryRun,
    "http-probe": HttpAnswer,
    "cache": CacheRebuild,
}
CHECK_IDS = tuple(FACTS)
# The checks that run the application's code: what it prints is read by the rules that know the messages of
# Python, the shell and the engine (a missing module or shared library, an application's traceback).
RUNS_CODE = ("probe", "imports-project", "imports-dependencies", "entry-resolves", "entry-starts", "entry-runs",
             "http-probe")


@dataclass(frozen=True)
class Check:
    """One verification check: `name` is its id (one of CHECK_IDS); rules read `facts`, people read the rest."""

    name: str
    passed: bool
    detail: str  # one line, for people
    output: str = ""  # what explains the result, for people
    facts: Facts | None = None

    def printed(self) -> str:
        """What the code this check ran printed (empty for checks that ran none)."""
        return self.facts.printed() if self.facts is not None else ""


@dataclass(frozen=True)
class Verification:
    """Every check's result for one image, with the image's size and layer count."""

    passed: bool
    checks: tuple[Check, ...]
    image_size: int | None = None
    layers: int | None = None
    seconds: float = 0.0

    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)

    def output(self) -> str:
        """The failed checks, for people."""
        return "\n".join(f"[{c.name}] {c.detail}\n{c.output}" for c in self.failed())

    def to_json(self) -> dict[str, Any]:
        """The JSON shape `dockerfix verify --json` writes and `dockerfix explain` reads back."""
        return {"passed": self.passed, "seconds": round(self.seconds, 1),
                "checks": [asdict(c) for c in self.checks],
                "image": {"size_bytes": self.image_size, "layers": self.layers}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Verification:
        checks = tuple(check_from_json(c) for c in data["checks"])
        image = data.get("image") or {}
        return cls(passed=bool(data["passed"]), checks=checks, image_size=image.get("size_bytes"),
                   layers=image.get("layers"), seconds=float(data.get("seconds") or 0.0))


def check_from_json(data: Mapping[str, Any]) -> Check:
    """A check as the probe (or `to_json`) wrote it; its facts typed by the check's id."""
    name = str(data["name"])
    facts = data.get("facts")
    kind = FACTS.get(name)
    return Check(name, bool(data["passed"]), str(data.get("detail", "")), str(data.get("output", "")),
                 _load(kind, facts) if kind is not None and isinstance(facts, Mapping) else None)


def _load(kind: type[Any], data: Mapping[str, Any]) -> Any:
    hints = typing.get_type_hints(kind)
    return kind(**{f.name: _value(hints[f.name], data[f.name]) for f in fields(kind) if f.name in data})


def _value(hint: Any, value: Any) -> Any:
    if typing.get_origin(hint) is tuple and isinstance(value, (list, tuple)):
        item = typing.get_args(hint)[0]
        return tuple(_value(item, v) for v in value)
    if isinstance(hint, type) and is_dataclass(hint) and isinstance(value, Mapping):
        return _load(hint, value)
    return value  # str, int, float, bool, and "X | None" of those, as JSON has them
