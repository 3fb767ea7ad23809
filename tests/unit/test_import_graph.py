"""The import graph follows the pipeline: the import-linter contracts in pyproject.toml hold (`nox -s lint` runs
them too). A stage that imports a later one, or verification that imports the rules, fails here."""

from __future__ import annotations

from pathlib import Path

from importlinter.application.use_cases import lint_imports
from importlinter.configuration import configure

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_imports_run_one_way() -> None:
    configure()  # what the lint-imports command does first: the readers of pyproject.toml
    assert lint_imports(config_filename=str(PYPROJECT), cache_dir=None, no_logo=True), "an import-linter contract is broken (above)"
