"""Every documented command runs on every corpus case's project and every fixture project without an internal
error (exit 4), and reads each as the valid input it is (never exit 2). Builds go to a fake backend and the
verification is faked, so this is a unit test; the engine cases live in tests/engine/test_corpus.py."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import pytest
from conftest import ROOT
from corpus_cases import CORPUS

from dockerfix.build import BuildResult
from dockerfix.cli import main
from dockerfix.errors import ExitCode
from dockerfix.verify import Check, Verification

repair_module = importlib.import_module("dockerfix.repair")  # the package exports the function `repair`

PROJECTS = sorted([*CORPUS.glob("*/project"), *(ROOT / "tests" / "fixtures" / "projects").iterdir()])
# A classic-builder failure and a BuildKit one, for `explain` (what it names depends on the project).
LOGS = {
    "classic.log": "Step 4/6 : RUN pip install -r requirements.txt\n ---> Running in 0123456789ab\n"
                   "ERROR: Could not find a version that satisfies the requirement nosuchpackage==9.9\n"
                   "ERROR: No matching distribution found for nosuchpackage==9.9\n"
                   "The command '/bin/sh -c pip install -r requirements.txt' returned a non-zero code: 1\n",
    "buildkit.log": "#8 [builder 4/6] RUN apt-get install -y libfoo-dev\n#8 0.412 E: Unable to locate package libfoo-dev\n"
                    "#8 ERROR: process \"/bin/sh -c apt-get install -y libfoo-dev\" did not complete successfully: "
                    "exit code: 100\n",
}


class FakeBackend:
    """Fails the first build with `first_log` (when given), then builds."""

    name = "fake"

    def __init__(self, first_log: str | None) -> None:
        self.first_log = first_log
        self.builds = 0

    def build(self, root, overlay, dockerfile, *, tag, labels, no_cache=False, timeout=None, network=None, progress=None):
        self.builds += 1
        if self.first_log is not None and self.builds == 1:
            return BuildResult(ok=False, backend=self.name, log=self.first_log, error=self.first_log.splitlines()[-1])
        return BuildResult(ok=True, backend=self.name, log="Successfully built", image=tag)

    def cleanup(self, result, *, keep_cache=False) -> None:
        pass


def _name(path: Path) -> str:
    return path.parent.name if path.name == "project" else f"fixture-{path.name}"


@pytest.fixture
def copy(tmp_path):
    def copied(project: Path) -> Path:
        target = tmp_path / "project"
        shutil.copytree(project, target)
        return target
    return copied


def _run(argv: list[str], capsys) -> int:
    code = main(argv)
    captured = capsys.readouterr()
    assert code != ExitCode.INTERNAL, f"{argv}: {captured.err[-3000:]}"
    assert code != ExitCode.BAD_INPUT, f"{argv}: valid input refused: {captured.err[-1000:]}"
    return code


@pytest.mark.parametrize("project", PROJECTS, ids=[_name(p) for p in PROJECTS])
def test_read_only_commands(project, copy, tmp_path, capsys):
    root = copy(project)
    before = {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert _run(["analyse", str(root)], capsys) == 0
    assert _run(["check", str(root)], capsys) in (0, 1)
    for fmt in ("json", "sarif"):
        assert _run(["check", str(root), "--format", fmt], capsys) in (0, 1)
    assert _run(["rewrite", str(root), "--dry-run"], capsys) == 0
    for name, text in LOGS.items():
        log = tmp_path / name
        log.write_text(text)
        assert _run(["explain", str(log), "--project", str(root)], capsys) in (0, 1)
    after = {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert after == before, "a read-only command wrote into the project"


# Each strategy once with a build that passes, and each failure once: the loop's paths, at a unit test's cost.
REPAIRS = [("minimal", None), ("rewrite", None), ("minimal", LOGS["classic.log"]), ("rewrite", LOGS["buildkit.log"])]


@pytest.mark.parametrize(("strategy", "first_log"), REPAIRS,
                         ids=["minimal-builds", "rewrite-builds", "minimal-classic-failure", "rewrite-buildkit-failure"])
@pytest.mark.parametrize("project", PROJECTS, ids=[_name(p) for p in PROJECTS])
def test_repair_dry_run(project, first_log, strategy, copy, monkeypatch, capsys):
    root = copy(project)
    verified = Verification(passed=True, checks=(Check("imports-project", True, "ok"),), image_size=1, layers=1)
    monkeypatch.setattr(repair_module, "verify", lambda project, image, **options: verified)
    monkeypatch.setattr(repair_module, "get_backend", lambda name: FakeBackend(first_log))
    assert _run(["repair", str(root), "--dry-run", "--strategy", strategy, "--max-builds", "3", "-q"], capsys) in (0, 1)
