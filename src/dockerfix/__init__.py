"""dockerfix: repairs the Docker builds of Python projects.

The pipeline, one package per stage: analyse → plan → render → build → diagnose → transform → verify → report.
This module is the library's documented surface::

    import dockerfix
    result = dockerfix.repair("path/to/project", dockerfix.Options(strategy="minimal", write=False, on_event=print))
    print(result.status, [step.rule for step in result.steps])

`on_event` receives the repair's progress as typed events (`BuildStarted`, `BuildFinished`, `CheckResult`,
`RuleApplied`, ...; `str(event)` is one line for people).

Everything it names is typed (the package ships `py.typed`); the modules behind it may change.
"""

from __future__ import annotations

from pathlib import Path

from dockerfix.analyse import analyse as _analyse
from dockerfix.build import BuildBackend
from dockerfix.checks import Check, Verification
from dockerfix.diagnose import Diagnosis, diagnose, diagnose_verification, static_findings
from dockerfix.model import (
    BuildFinished,
    BuildOutput,
    BuildRecord,
    BuildStarted,
    CheckResult,
    Context,
    Event,
    Finding,
    Location,
    Project,
    RepairResult,
    RuleApplied,
    RuleSkipped,
    Step,
    StrategyChanged,
    VerificationStarted,
)
from dockerfix.repair import Options, Verifier, rewrite_files
from dockerfix.repair import repair as _repair
from dockerfix.verify import CacheProbe
from dockerfix.verify import verify as _verify
from dockerfix.version import __version__

__all__ = [
    "BuildBackend",
    "BuildFinished",
    "BuildOutput",
    "BuildRecord",
    "BuildStarted",
    "CacheProbe",
    "Check",
    "CheckResult",
    "Diagnosis",
    "Event",
    "Finding",
    "Location",
    "Options",
    "Project",
    "RepairResult",
    "RuleApplied",
    "RuleSkipped",
    "Step",
    "StrategyChanged",
    "Verification",
    "VerificationStarted",
    "__version__",
    "analyse",
    "check",
    "explain",
    "repair",
    "rewrite",
    "verify",
]


def analyse(path: str | Path, *, dockerfile: str | None = None) -> Project:
    """What dockerfix knows about the project at `path` (its manifests, locks, Dockerfile, compose files), frozen.

    `dockerfile` names the Dockerfile to repair when the project has several. Bad input raises
    `dockerfix.errors.InputError` naming the file and line.
    """
    return _analyse(Path(path), dockerfile=dockerfile)


def check(path: str | Path, *, dockerfile: str | None = None) -> tuple[Finding, ...]:
    """The failures found in the project's files without building (what `dockerfix check` prints)."""
    project = analyse(path, dockerfile=dockerfile)
    return static_findings(Context(root=project.root, files={}, project=project))


def rewrite(path: str | Path, *, dockerfile: str | None = None) -> dict[str, str]:
    """The verified multi-stage layout for the project: the new texts of its Dockerfile and `.dockerignore`, by path
    relative to the project. Nothing is built or written."""
    return rewrite_files(analyse(path, dockerfile=dockerfile))


def repair(path: str | Path, options: Options | None = None, *, backend: BuildBackend | None = None,
           verifier: Verifier | None = None) -> RepairResult:
    """Build, diagnose and fix until the image builds and verifies; write the fixed files when `options.write`.

    `backend` builds the images (default: the Docker SDK or BuildKit, as `options.backend` says) and `verifier`
    checks each built image (default: `verify`'s checks): scripts and tests pass their own.
    """
    return _repair(path, options or Options(), backend=backend, verifier=verifier)


def explain(log: str | Verification, project: str | Path = ".", *, dockerfile: str | None = None) -> Diagnosis:
    """Diagnose a saved build log (classic builder, BuildKit, compose, CI), or a failed verification, of the project
    at `project`: the catalog's findings, or the log lines that matter when no rule knows the failure."""
    analysed = analyse(project, dockerfile=dockerfile)
    context = Context(root=analysed.root, files={}, project=analysed)
    return diagnose_verification(context, log) if isinstance(log, Verification) else diagnose(context, log)


def verify(path: str | Path, image: str, *, dockerfile: str | None = None, http_path: str | None = None,
           cache: CacheProbe | None = None) -> Verification:
    """Run the verification checks in `image`, built from the project at `path` (no network, time-bounded).

    `http_path` ("/health") also asks a server for that page; `cache` adds the cache check (one more build).
    """
    return _verify(analyse(path, dockerfile=dockerfile), image, http_path=http_path, cache=cache)
