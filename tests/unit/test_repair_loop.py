"""The repair loop's guards, with a fake build backend (the engine cases live in tests/engine)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from dockerfix.build import BuildResult
from dockerfix.errors import DirtyTree
from dockerfix.repair import Options, repair
from dockerfix.verify import Check, Verification

# the module, not the facade's function of the same name (`dockerfix.repair`)
repair_module = importlib.import_module("dockerfix.repair")

DOCKERFILE = """FROM python:3.11-slim
RUN useradd --create-home app
WORKDIR /home/app
COPY requirements.txt .
RUN pip install -r requirements.txt
USER app
CMD ["python", "-c", "import six"]
"""


class FakeBackend:
    """Builds by asking `outcome(dockerfile_text, files)` for (ok, log)."""

    name = "fake"

    def __init__(self, outcome) -> None:
        self.outcome = outcome
        self.builds: list[dict[str, str]] = []

    def build(self, root, overlay, dockerfile, *, tag, labels, no_cache=False, timeout=None, network=None, progress=None):
        self.builds.append(dict(overlay))
        ok, log = self.outcome(dockerfile.text, overlay)
        return BuildResult(ok=ok, backend=self.name, log=log, image=tag if ok else None, error="" if ok else log.splitlines()[-1])

    def cleanup(self, result, *, keep_cache=False) -> None:
        pass


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "requirements.txt").write_text("six==1.17.0\n")
    (tmp_path / ".dockerignore").write_text("*.txt\n")  # hides requirements.txt: DF001, found before building
    return tmp_path


@pytest.fixture
def passing_verification(monkeypatch):
    verified = Verification(passed=True, checks=(Check("imports-project", True, "ok"),), image_size=1, layers=1)
    monkeypatch.setattr(repair_module, "verify", lambda project, image, **options: verified)


def use(monkeypatch, backend: FakeBackend) -> FakeBackend:
    monkeypatch.setattr(repair_module, "get_backend", lambda name: backend)
    return backend


def test_static_fix_then_one_green_build_writes_files(project, monkeypatch, passing_verification):
    backend = use(monkeypatch, FakeBackend(lambda text, files: (True, "Successfully built")))
    result = repair(project, Options(strategy="minimal", force=True))
    assert result.status == "repaired" and [s.rule for s in result.steps] == ["DF001"]
    assert len(backend.builds) == 1 and "!requirements.txt" in backend.builds[0][".dockerignore"]
    assert (project / ".dockerignore").read_text().endswith("!requirements.txt\n")
    assert (project / ".dockerignore.dockerfix-orig").read_text() == "*.txt\n"


def test_repairing_a_repaired_project_changes_nothing(project, monkeypatch, passing_verification):
    use(monkeypatch, FakeBackend(lambda text, files: (True, "Successfully built")))
    repair(project, Options(strategy="minimal", force=True))
    again = repair(project, Options(strategy="minimal", force=True))
    assert again.status == "ok" and not again.changed_files and len(again.builds) == 1


def test_conclusive_failure_stops_without_edits(project, monkeypatch, passing_verification):
    log = "Step 5/7 : RUN pip install -r requirements.txt\nWARNING: Retrying ... Failed to establish a new connection: " \
          "[Errno -3] Temporary failure in name resolution\nERROR: No matching distribution found for six==1.17.0"
    backend = use(monkeypatch, FakeBackend(lambda text, files: (False, log)))
    result = repair(project, Options(strategy="minimal", force=True))
    assert result.status == "failed" and "DF060" in {f.rule for f in result.findings}
    assert len(backend.builds) == 1  # no rule was tried on top of a network failure
    assert not result.written and (project / ".dockerignore").read_text() == "*.txt\n"


def test_unknown_failure_reports_the_lines_that_matter(project, monkeypatch, passing_verification):
    log = "Step 5/7 : RUN pip install -r requirements.txt\nsomething odd\nERROR: the flux capacitor failed\n"
    use(monkeypatch, FakeBackend(lambda text, files: (False, log)))
    result = repair(project, Options(strategy="minimal", fallback=False, force=True))
    assert result.status == "failed" and result.message == "unknown failure"
    assert "ERROR: the flux capacitor failed" in result.unknown


def test_budget_is_hard(project, monkeypatch, passing_verification):
    """A build that always fails the same unknown way ends at --max-builds, never loops."""
    backend = use(monkeypatch, FakeBackend(lambda text, files: (False, "ERROR: always\n")))
    result = repair(project, Options(strategy="minimal", max_builds=2, force=True))
    assert result.status == "failed" and len(backend.builds) <= 2


def test_minimal_falls_back_to_rewrite(project, monkeypatch, passing_verification):
    def outcome(text, files):
        return ("AS builder" in text, "ok" if "AS builder" in text else "ERROR: the flux capacitor failed\n")

    backend = use(monkeypatch, FakeBackend(outcome))
    result = repair(project, Options(strategy="minimal", force=True))
    assert result.status == "repaired" and result.strategy == "rewrite"
    assert [s.rule for s in result.steps][-1] == "rewrite" and len(backend.builds) == 2
    fallback = result.steps[-1]  # the report says which build and which lines made it fall back
    assert fallback.build == 1 and "ERROR: the flux capacitor failed" in fallback.symptom


def test_dry_run_writes_nothing(project, monkeypatch, passing_verification):
    use(monkeypatch, FakeBackend(lambda text, files: (True, "ok")))
    result = repair(project, Options(strategy="minimal", write=False))
    assert result.status == "repaired" and not result.written and result.diff.count("+!requirements.txt") == 1
    assert (project / ".dockerignore").read_text() == "*.txt\n"


def test_uncommitted_changes_are_refused_before_any_build(project, monkeypatch):
    import subprocess

    subprocess.run(["git", "init", "-q", str(project)], check=True)
    subprocess.run(["git", "-C", str(project), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(project), "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "x"], check=True)
    (project / "Dockerfile").write_text(DOCKERFILE + "# work in progress\n")
    backend = use(monkeypatch, FakeBackend(lambda text, files: (True, "ok")))
    with pytest.raises(DirtyTree):
        repair(project, Options(strategy="minimal"))
    assert not backend.builds
