"""Python 3.14 is valid input: a project that requires it is analysed, checked, rewritten and repaired for 3.14,
up to the build; on an engine without python:3.14-slim and no registry the repair ends environment-blocked
(DF064) with nothing edited, exit 1, never exit 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import dockerfix.repair as repair_module
from dockerfix.analyse import analyse
from dockerfix.build import BuildResult
from dockerfix.cli import main
from dockerfix.repair import Options, repair
from dockerfix.verify import Check, Verification

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# What the classic builder printed on this engine for FROM python:3.14-slim-bookworm (no registry answers).
MISSING_IMAGE_LOG = (FIXTURES / "logs" / "base-image-python314-sdk.log").read_text().replace(
    "FROM python:3.14-slim", "FROM python:3.14-slim-bookworm AS builder")
DOCKERFILE = """FROM python:3.12-slim
RUN useradd --create-home app
WORKDIR /home/app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
USER app
CMD ["python", "-c", "import six"]
"""


def pep621(root: Path) -> None:
    (root / "pyproject.toml").write_text('[project]\nname = "svc"\nversion = "0.1.0"\nrequires-python = ">=3.14"\n'
                                         'dependencies = ["six==1.17.0"]\n')
    (root / "svc").mkdir()
    (root / "svc" / "__init__.py").write_text("import six\n")


def python_version_file(root: Path) -> None:
    (root / "Dockerfile").write_text(DOCKERFILE)  # the FROM tag says 3.12: .python-version, the project's own word, wins
    (root / "requirements.txt").write_text("six==1.17.0\n")
    (root / ".python-version").write_text("3.14\n")


def poetry(root: Path) -> None:
    shutil.copytree(FIXTURES / "projects" / "poetry1", root, dirs_exist_ok=True)
    for name in ("pyproject.toml", "poetry.lock"):
        path = root / name
        path.write_text(path.read_text().replace('python = "^3.9"', 'python = "^3.14"')
                        .replace('python-versions = "^3.9"', 'python-versions = "^3.14"'))
    (root / ".python-version").unlink(missing_ok=True)  # the fixture's says 3.9


PROJECTS = {"requires-python": pep621, "python-version": python_version_file, "poetry": poetry}


@pytest.fixture(params=sorted(PROJECTS))
def project(request, tmp_path) -> Path:
    PROJECTS[request.param](tmp_path)
    return tmp_path


class MissingImageBackend:
    """An engine without python:3.14-slim whose registry does not answer; or, `has_image`, one that builds."""

    name = "fake"

    def __init__(self, has_image: bool = False) -> None:
        self.has_image = has_image
        self.dockerfiles: list[str] = []

    def build(self, root, overlay, dockerfile, *, tag, labels, no_cache=False, timeout=None, network=None, progress=None):
        self.dockerfiles.append(dockerfile.text)
        if self.has_image:
            return BuildResult(ok=True, backend=self.name, log="Successfully built", image=tag)
        return BuildResult(ok=False, backend=self.name, log=MISSING_IMAGE_LOG, error=MISSING_IMAGE_LOG.splitlines()[-1])

    def cleanup(self, result, *, keep_cache=False) -> None:
        pass


def use(monkeypatch, backend: MissingImageBackend) -> MissingImageBackend:
    monkeypatch.setattr(repair_module, "get_backend", lambda name: backend)
    verified = Verification(passed=True, checks=(Check("imports-project", True, "ok"),), image_size=1, layers=1)
    monkeypatch.setattr(repair_module, "verify", lambda project, image, **options: verified)
    return backend


def test_analysed_for_314(project):
    python = analyse(project).python
    assert python.version == "3.14", python.reason


def test_checked_without_bad_input(project, capsys):
    assert main(["check", str(project)]) in (0, 1)
    assert "dockerfix can build only" not in capsys.readouterr().err


def test_rewritten_for_314(project, capsys):
    assert main(["rewrite", "--dry-run", str(project)]) == 0
    diff = capsys.readouterr().out
    assert "+FROM python:3.14-slim" in diff and 'org.dockerfix.python="3.14"' in diff


def test_repaired_for_314_where_the_image_exists(project, monkeypatch):
    backend = use(monkeypatch, MissingImageBackend(has_image=True))
    # the rewrite: a user's Dockerfile that builds as it is would be left alone (auto)
    result = repair(project, Options(strategy="rewrite", force=True, write=False))
    assert result.status == "repaired", (result.message, result.findings)
    assert backend.dockerfiles[0].startswith("# Written by dockerfix") and "FROM python:3.14-slim" in backend.dockerfiles[0]


def test_blocked_without_the_image_and_a_registry(project, monkeypatch):
    backend = use(monkeypatch, MissingImageBackend())
    before = {p.name: p.read_bytes() for p in project.iterdir() if p.is_file()}
    result = repair(project, Options(force=True))
    assert result.status == "failed" and result.blocked and len(backend.dockerfiles) == 1
    assert [f.rule for f in result.findings] == ["DF064"]
    assert result.message == ("environment-blocked: python:3.14-slim-bookworm is not on this engine and no registry "
                              "answers (registry-1.docker.io: no such host); with a registry it would be pulled")
    assert [s.rule for s in result.steps if s.build is not None] == []  # nothing tried after the blocked build
    assert not result.written and {p.name: p.read_bytes() for p in project.iterdir() if p.is_file()} == before


def test_blocked_is_exit_1_and_said_so(project, monkeypatch, capsys, tmp_path_factory):
    use(monkeypatch, MissingImageBackend())
    report = tmp_path_factory.mktemp("report") / "report.json"
    assert main(["repair", str(project), "--force", "--json", str(report)]) == 1
    err = capsys.readouterr().err
    assert "environment-blocked" in err and "python:3.14-slim-bookworm is not on this engine" in err
    data = json.loads(report.read_text())
    assert data["status"] == "failed" and data["blocked"] is True and data["findings"][0]["rule"] == "DF064"
