"""The repair loop's guards, with a fake build backend (the engine cases live in tests/engine)."""

from __future__ import annotations

import importlib
from dataclasses import replace
from pathlib import Path

import pytest

from dockerfix.build import BuildResult
from dockerfix.diagnose import static_findings
from dockerfix.errors import DirtyTree
from dockerfix.repair import Options, repair
from dockerfix.verify import Check, Verification
from dockerfix.workspace import Workspace

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
    monkeypatch.setattr(repair_module, "choose_backend", lambda requested, dockerfile: ("fake", "test"))
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


def test_a_fix_is_not_tried_twice_with_the_same_captures_on_the_same_files(project):
    state = repair_module._State(root=project, options=Options(), workspace=Workspace(project), strategy="minimal")
    context = state.context()
    [finding] = [f for f in static_findings(context) if f.rule == "DF001"]
    assert repair_module._apply(state, context, finding, "static", None)
    state.workspace = Workspace(project)  # back to the files it was tried on
    # the same rule and captures, given as another mapping: the same key, so not tried again
    again = replace(finding, message="found again", captures=dict(finding.captures))
    assert not repair_module._apply(state, context, again, "static", None)
    assert [s.rule for s in state.steps] == ["DF001"]


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


def test_a_working_build_is_left_alone(project, monkeypatch, passing_verification):
    """The default strategy builds the user's own Dockerfile first: it works, so ok, one build, nothing written."""
    (project / ".dockerignore").unlink()
    backend = use(monkeypatch, FakeBackend(lambda text, files: (True, "Successfully built")))
    result = repair(project, Options(force=True))
    assert result.status == "ok" and result.requested == "auto" and result.strategy == "minimal"
    assert len(backend.builds) == 1 and backend.builds[0] == {} and not result.changed_files and not result.written
    assert result.strategy_reason == "Dockerfile builds and verifies as it is"
    assert sorted(p.name for p in project.iterdir()) == ["Dockerfile", "requirements.txt"]


def test_a_project_without_dockerfile_gets_the_rewrite(project, monkeypatch, passing_verification):
    (project / "Dockerfile").unlink()
    use(monkeypatch, FakeBackend(lambda text, files: (True, "ok")))
    result = repair(project, Options(force=True, write=False))
    assert result.status == "repaired" and result.strategy == "rewrite" and "Dockerfile" in result.changed_files
    assert result.strategy_reason.startswith("the project has no Dockerfile")


def _layout_fails(text, files):
    """The verified layout (its builder stage) fails in a way no rule knows; the user's Dockerfile builds."""
    layout = "AS builder" in text
    return (not layout, "ERROR: the flux capacitor failed\n" if layout else "Successfully built")


def test_a_failed_rewrite_goes_back_to_targeted_edits(project, monkeypatch, passing_verification):
    backend = use(monkeypatch, FakeBackend(_layout_fails))
    result = repair(project, Options(strategy="rewrite", force=True))
    assert result.status == "repaired" and result.requested == "rewrite" and result.strategy == "minimal"
    assert len(backend.builds) == 2 and "AS builder" not in backend.builds[1].get("Dockerfile", DOCKERFILE)
    assert [s.rule for s in result.steps] == ["DF001"]  # the rewrite's steps went with it
    assert result.changed_files == (".dockerignore",) and (project / "Dockerfile").read_text() == DOCKERFILE
    assert "the verified layout failed: build 1 failed for a reason no rule fixes (ERROR: the flux capacitor failed)" \
        in result.strategy_reason and result.strategy_reason.endswith("targeted edits of Dockerfile make it build and verify")
    assert [b.ok for b in result.builds] == [False, True]


def test_a_failed_rewrite_of_a_working_build_ends_ok(project, monkeypatch, passing_verification):
    (project / ".dockerignore").unlink()
    use(monkeypatch, FakeBackend(_layout_fails))
    result = repair(project, Options(strategy="rewrite", force=True))
    assert result.status == "ok" and result.strategy == "minimal" and not result.changed_files and not result.steps


def test_the_rewrite_report_keeps_what_the_original_got_wrong(project, monkeypatch, passing_verification):
    use(monkeypatch, FakeBackend(lambda text, files: (True, "ok")))
    result = repair(project, Options(strategy="rewrite", force=True, write=False))
    assert result.status == "repaired" and result.strategy == "rewrite"
    assert [s.rule for s in result.steps] == ["DF001", "rewrite"]
    hidden = result.steps[0]
    assert hidden.phase == "static" and hidden.build is None and "requirements.txt" in hidden.diagnosis
    assert hidden.solution.startswith("solved by the rewrite") and hidden.cause.startswith("A COPY or ADD")


def test_the_rewrite_report_says_when_the_rewrite_did_not_solve_it(project, monkeypatch, passing_verification):
    use(monkeypatch, FakeBackend(lambda text, files: (False, "ERROR: always\n")))
    result = repair(project, Options(strategy="rewrite", force=True, fallback=False))
    assert result.status == "failed" and result.steps[0].rule == "DF001"
    assert result.steps[0].solution.startswith("not solved: the rewrite failed too")


def test_targeted_edits_then_rewrite_then_stop(project, monkeypatch, passing_verification):
    """Every strategy tried once: minimal runs out, the rewrite fails too, and the repair ends (no way back twice)."""
    backend = use(monkeypatch, FakeBackend(lambda text, files: (False, "ERROR: the flux capacitor failed\n")))
    result = repair(project, Options(force=True))
    assert result.status == "failed" and result.strategy == "rewrite" and len(backend.builds) == 2
    assert "the targeted edits of Dockerfile ran out" in result.strategy_reason
    assert result.strategy_reason.endswith("the rewrite strategy did not repair it either")


def test_reports_say_which_strategy_won_and_why(project, monkeypatch, passing_verification):
    import json

    from dockerfix.report import to_json, to_markdown

    use(monkeypatch, FakeBackend(_layout_fails))
    result = repair(project, Options(strategy="rewrite", force=True, write=False))
    data = json.loads(to_json(result))
    assert (data["strategy"], data["strategy_requested"]) == ("minimal", "rewrite")
    assert data["strategy_reason"] == result.strategy_reason and "went back to targeted edits" in data["strategy_reason"]
    assert [(b["strategy"], b["backend_reason"]) for b in data["builds"]] == [("rewrite", "test"), ("minimal", "test")]
    markdown = to_markdown(result)
    assert f"**Strategy:** {result.strategy_reason}." in markdown and "- Build 1 (rewrite, fake: test, 0 s): failed" in markdown
