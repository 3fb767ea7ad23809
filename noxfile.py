"""Sessions: lint (ruff, mypy), tests (unit + engine), demo (repair an example project), and the benchmarks corpus,
bench-rewrite, bench-images, bench-verify, explain-bench and realworld."""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
ROOT = Path(__file__).parent
ENGINE_UP = ROOT.parent / "shared" / "engine" / "up"


def _engine(session: nox.Session) -> None:
    """Start this machine's seeded engine when the script exists (elsewhere, any running engine will do)."""
    if ENGINE_UP.exists():
        session.run("bash", str(ENGINE_UP), "--quiet", external=True)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (configured in pyproject.toml), mypy over the package (--strict on the facade, the check results and the
    model), and the import-linter contracts (imports run one way, down the pipeline)."""
    session.install("-e", ".", "ruff", "mypy", "import-linter")
    session.run("ruff", "check", "src", "tests", "noxfile.py", "benchmarks")
    session.run("mypy")
    session.run("mypy", "--strict", "--follow-imports=silent", "src/dockerfix/__init__.py", "src/dockerfix/checks.py",
                "src/dockerfix/model.py", "src/dockerfix/version.py")
    session.run("lint-imports")


@nox.session
def tests(session: nox.Session) -> None:
    session.install("-e", ".[test]")
    _engine(session)
    # four workers on two cores: engine tests mostly wait on downloads (measured load ~1 with two workers);
    # each worker removes only what it made
    session.run("pytest", "-n", "4", "--durations=15", *session.posargs, env={"DOCKERFIX_REQUIRE_ENGINE": os.environ.get("DOCKERFIX_REQUIRE_ENGINE", "1")})


@nox.session
def demo(session: nox.Session) -> None:
    """Repair a copy of a broken example project (seed S000-1) and print the report."""
    import shutil
    import tempfile

    session.install("-e", ".")
    _engine(session)
    scratch = Path(tempfile.mkdtemp(prefix="dockerfix-demo-"))
    example = scratch / "project"
    shutil.copytree(ROOT / "corpus" / "s000-1-lock-ignored" / "project", example)
    session.run("dockerfix", "repair", str(example), "--report", "-", success_codes=[0, 1])
    session.log(f"the repaired project is in {example}")


@nox.session
def corpus(session: nox.Session) -> None:
    """Benchmark: repair every corpus case on the engine; writes corpus/RESULTS.md and corpus/results.json."""
    session.install("-e", ".")
    _engine(session)
    session.run("python", "benchmarks/corpus.py", *session.posargs)


@nox.session(name="bench-rewrite")
def bench_rewrite(session: nox.Session) -> None:
    """Benchmark: analysis time, build time and image size of the rewrite vs a naive single-stage image."""
    session.install("-e", ".")
    _engine(session)
    session.run("python", "benchmarks/rewrite.py", *session.posargs)


@nox.session(name="bench-images")
def bench_images(session: nox.Session) -> None:
    """Benchmark: the rewrite, the manager's documented expert layout and `docker init`'s, side by side (issue 14);
    options: --only NAME, --quick (cold and source-only builds), --write. uv runs the lock tools (uvx)."""
    session.install("-e", ".", "uv")
    _engine(session)
    session.run("python", "benchmarks/images.py", *session.posargs)


@nox.session(name="bench-verify")
def bench_verify(session: nox.Session) -> None:
    """Benchmark: wall time of the verification of a correct image (target: under 30 s)."""
    session.install("-e", ".")
    _engine(session)
    session.run("python", "benchmarks/verify.py", *session.posargs)


@nox.session(name="explain-bench")
def explain_bench(session: nox.Session) -> None:
    """Benchmark: `dockerfix explain` on hand-labelled real build logs (fetched, not vendored); no engine needed."""
    session.install("-e", ".")
    session.run("python", "benchmarks/explain.py", *session.posargs)


@nox.session
def realworld(session: nox.Session) -> None:
    """Benchmark: public Python applications (benchmarks/realworld/projects.toml), the original build and
    `repair --dry-run` with each strategy (auto, minimal, rewrite; `--strategies auto` for the default alone);
    options: --split dev|held-out|all, --only NAME, --jobs N, --mirrors DIR, --strategies LIST."""
    session.install("-e", ".")
    _engine(session)
    session.run("python", "benchmarks/realworld.py", *session.posargs)
