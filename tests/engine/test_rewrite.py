"""The rewrite builds and verifies the first time, for every kind of project, on the real engine."""

from __future__ import annotations

import pytest

from conftest import ROOT, keep_for_cleanup
from dockerfix.analyse import analyse
from dockerfix.build import MANAGED_LABEL, new_tag
from dockerfix.build.engine import build_cache_records
from dockerfix.build.buildkit import BuildKitBackend
from dockerfix.build.sdk import SdkBackend
from dockerfix.repair import Options, repair

FIXTURES = ROOT / "tests" / "fixtures" / "projects"
# fixture → (manager, the Python its constraints select)
EXPECTED = {
    "poetry1": ("poetry", "3.9"),  # Poetry 1.8 lock (lock-version 2.0), flat layout, .python-version
    "poetry2": ("poetry", "3.13"),  # Poetry 2.1 lock (2.1), PEP 621 + [tool.poetry], src layout, console script
    "uvproj": ("uv", "3.12"),  # uv.lock, src layout
    "pdmproj": ("pdm", "3.10"),  # pdm.lock
    "pipenvproj": ("pipenv", "3.11"),  # Pipfile.lock, no pyproject
    "piptools": ("requirements", "3.13"),  # pip-compile --generate-hashes
    "pep621": ("pip", "3.12"),  # PEP 621 without a lock, src layout
    "psycopg2src": ("requirements", "3.11"),  # psycopg2 (not -binary) built from source: gcc + libpq-dev, libpq5
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_rewrite_builds_and_verifies_first_time(name, engine, project_copy):
    project_dir = project_copy(FIXTURES / name)
    manager, python = EXPECTED[name]
    project = analyse(project_dir)
    assert (project.manager, project.python.version) == (manager, python)

    result = repair(project_dir, Options(strategy="rewrite", keep_cache=True, force=True))
    keep_for_cleanup(result)
    assert result.status == "repaired", (result.message, result.unknown, [s.rule for s in result.steps])
    assert [s.rule for s in result.steps] == ["rewrite"]
    assert len(result.builds) == 1
    checks = {c.name: c.passed for c in result.verification.checks}
    assert all(checks.values()) and checks["non-root"] and checks["imports-project"], result.verification.checks
    dockerfile = (project_dir / "Dockerfile").read_text()
    assert f"FROM python:{python}-slim AS builder" in dockerfile  # no tag of the user's: the plain tag (trixie)


def test_rewrite_builds_with_buildkit_and_prunes_its_cache(engine, project_copy):
    """The rendered layout builds under BuildKit too (the docker CLI), and the repair leaves no cache record behind."""
    project_dir = project_copy(FIXTURES / "uvproj")
    class RecordingBackend(BuildKitBackend):
        """BuildKit, noting the cache records each build made (other workers' builds make records meanwhile)."""
        made: list[str] = []

        def build(self, *args, **kwargs):
            built = super().build(*args, **kwargs)
            self.made.extend(built.created_cache)
            return built

    backend = RecordingBackend()
    result = repair(project_dir, Options(strategy="rewrite", force=True), backend=backend)
    assert result.status == "repaired", (result.message, result.unknown, [s.rule for s in result.steps])
    assert [b.backend for b in result.builds] == ["buildkit"] and result.verification.passed
    assert backend.made and not set(backend.made) & set(build_cache_records(engine))
    assert not engine.images.list(filters={"label": MANAGED_LABEL, "reference": f"dockerfix/{project_dir.name}*"})


def test_buildkit_mounts_survive_the_rewrite_and_build_with_buildkit(engine, tmp_path):
    """The original's cache and secret mounts stay on the dependency install; the plan says BuildKit is needed."""
    from dockerfix.plan import plan

    project_dir = tmp_path / "mounts"
    (project_dir / "svc").mkdir(parents=True)
    (project_dir / "svc" / "__init__.py").write_text("import six\n")
    (project_dir / "requirements.txt").write_text("six==1.17.0\n")
    mounts = "--mount=type=cache,target=/root/.cache/pip --mount=type=secret,id=netrc,target=/root/.netrc"
    (project_dir / "Dockerfile").write_text(
        f"FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN {mounts} pip install -r requirements.txt\n"
        "COPY . .\nCMD [\"python\", \"-c\", \"import svc\"]\n")
    assert plan(analyse(project_dir)).needs_buildkit
    result = repair(project_dir, Options(strategy="rewrite", backend="buildkit", force=True))
    assert result.status == "repaired", (result.message, result.unknown, [s.rule for s in result.steps])
    assert f"RUN {mounts} pip install -r requirements.txt" in (project_dir / "Dockerfile").read_text()
    assert [b.backend for b in result.builds] == ["buildkit"]


def test_source_only_change_reuses_the_dependency_layer(engine, project_copy):
    project_dir = project_copy(FIXTURES / "poetry1")
    first = repair(project_dir, Options(strategy="rewrite", keep_cache=True, force=True))
    keep_for_cleanup(first)
    assert first.status == "repaired"
    source = project_dir / "svc_poetry1" / "__main__.py"
    source.write_text(source.read_text() + "\n# a source-only change\n")

    project = analyse(project_dir)
    backend = SdkBackend()
    rebuilt = backend.build(project_dir, {}, project.dockerfile, tag=new_tag(project_dir), labels={MANAGED_LABEL: "1"})
    keep_for_cleanup(rebuilt)
    backend.cleanup(rebuilt, keep_cache=True)
    assert rebuilt.ok, rebuilt.log[-2000:]
    install = next(step for step in rebuilt.cached_steps + rebuilt.ran_steps if "poetry export" in step)
    assert install in rebuilt.cached_steps and install not in rebuilt.ran_steps
    assert any(step.startswith("COPY . .") for step in rebuilt.ran_steps)  # the sources did change


@pytest.mark.parametrize("name, install", [
    ("uvproj", "uv sync --frozen --no-dev --no-install-project"),  # pyproject and uv.lock both name the version
    ("poetry1", "poetry export"),  # [tool.poetry] version
    ("pdmproj", "pdm export"),  # [project] version
])
def test_version_bump_reuses_the_dependency_layer(name, install, engine, project_copy):
    """Only `version =` changes (and uv.lock's entry for the project itself): the dependency install is cached,
    the project is installed again with its new version."""
    project_dir = project_copy(FIXTURES / name)
    first = repair(project_dir, Options(strategy="rewrite", keep_cache=True, force=True))
    keep_for_cleanup(first)
    assert first.status == "repaired", (first.message, first.unknown, [s.rule for s in first.steps])
    for manifest in ("pyproject.toml", "uv.lock"):
        path = project_dir / manifest
        if path.is_file():
            path.write_text(path.read_text().replace('version = "0.1.0"', 'version = "0.2.0"'))

    project = analyse(project_dir)
    backend = SdkBackend()
    rebuilt = backend.build(project_dir, {}, project.dockerfile, tag=new_tag(project_dir), labels={MANAGED_LABEL: "1"})
    keep_for_cleanup(rebuilt)
    backend.cleanup(rebuilt, keep_cache=True)
    assert rebuilt.ok, rebuilt.log[-2000:]
    dependencies = next(step for step in rebuilt.cached_steps + rebuilt.ran_steps if install in step)
    assert dependencies in rebuilt.cached_steps and dependencies not in rebuilt.ran_steps, (rebuilt.ran_steps, rebuilt.cached_steps)
    assert any(step.startswith("COPY . .") for step in rebuilt.ran_steps)  # the new version is installed


def test_rewrite_keeps_what_the_original_meant(tmp_path):
    """CMD, ENTRYPOINT, EXPOSE, ENV, ARG, LABEL, HEALTHCHECK, extra steps and the workdir survive the rewrite."""
    from dockerfix.repair import rewrite_files

    project_dir = tmp_path / "svc"
    (project_dir / "svc").mkdir(parents=True)
    (project_dir / "svc" / "__init__.py").write_text("")
    (project_dir / "requirements.txt").write_text("six==1.17.0\n")
    (project_dir / "Dockerfile").write_text(
        "ARG BASE_TAG=3.11\nFROM python:3.11-slim\nARG BUILD_ID\nENV APP_MODE=prod PATH=/root/.local/bin:$PATH\n"
        "LABEL org.example.team=payments\nWORKDIR /srv/svc\nRUN apt-get update && apt-get install -y curl gcc libpq-dev\n"
        "COPY requirements.txt .\nRUN pip install --user -r requirements.txt\nRUN mkdir -p /srv/data && echo ready > /srv/data/flag\n"
        "COPY docker/entrypoint.sh /entrypoint.sh\nCOPY . .\nEXPOSE 8080\nHEALTHCHECK CMD curl -f http://localhost:8080/ || exit 1\n"
        "ENTRYPOINT [\"/entrypoint.sh\"]\nCMD [\"python\", \"-m\", \"svc\"]\n")
    (project_dir / "docker").mkdir()
    (project_dir / "docker" / "entrypoint.sh").write_text("#!/bin/sh\nexec \"$@\"\n")
    files = rewrite_files(analyse(project_dir))
    dockerfile = files["Dockerfile"]
    for kept in ("ARG BASE_TAG=3.11", "ARG BUILD_ID", "ENV APP_MODE=prod PATH=/root/.local/bin:$PATH",
                 "LABEL org.example.team=payments", "WORKDIR /srv/svc", "RUN mkdir -p /srv/data && echo ready > /srv/data/flag",
                 "COPY docker/entrypoint.sh /entrypoint.sh", "EXPOSE 8080", "HEALTHCHECK CMD curl -f http://localhost:8080/ || exit 1",
                 'ENTRYPOINT ["/entrypoint.sh"]', 'CMD ["python", "-m", "svc"]'):
        assert kept in dockerfile, kept
    final = dockerfile.split("\nFROM python:3.11-slim\n")[1]
    assert "curl" in final and "libpq-dev" not in final and "gcc" not in final  # build-only packages stay in the builder
    assert "pip install --user" not in dockerfile
    assert dockerfile.index("USER app") > dockerfile.index("RUN mkdir -p /srv/data")
    assert ".dockerignore" in files and "!requirements.txt" not in files[".dockerignore"]


@pytest.mark.parametrize("dockerfile, exposed", [
    (None, "EXPOSE 8000"),  # no Dockerfile: the detected uvicorn server's port is exposed
    ("FROM python:3.11-slim\nCOPY . .\nCMD [\"python\", \"-m\", \"app\"]\n", None),  # the user's CMD: nothing added
    ("FROM python:3.11-slim\nEXPOSE 9000\nCOPY . .\n", "EXPOSE 9000"),  # the user's EXPOSE kept, not doubled
])
def test_a_detected_server_exposes_its_port(tmp_path, dockerfile, exposed):
    from dockerfix.repair import rewrite_files

    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "main.py").write_text("from fastapi import FastAPI\napp = FastAPI()\n")
    (tmp_path / "requirements.txt").write_text("fastapi==0.115.0\nuvicorn==0.30.6\n")
    if dockerfile:
        (tmp_path / "Dockerfile").write_text(dockerfile)
    rendered = rewrite_files(analyse(tmp_path))["Dockerfile"]
    lines = [line for line in rendered.splitlines() if line.startswith("EXPOSE")]
    assert lines == ([exposed] if exposed else [])
