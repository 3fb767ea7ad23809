"""The lean layout: a venv without pip, only what runs in the final stage, the version masked before the
dependency install, cache mounts only for BuildKit, bytecode only on request."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace

from conftest import ROOT
from dockerfix.analyse import analyse
from dockerfix.plan import plan
from dockerfix.plan.layout import MASK_VERSION_SCRIPT
from dockerfix.render import render_dockerfile

FIXTURES = ROOT / "tests" / "fixtures" / "projects"


def _final_stage(dockerfile: str) -> str:
    return dockerfile.rsplit("\nFROM ", 1)[1]


def test_an_installed_project_leaves_its_sources_out_of_the_final_stage():
    build_plan = plan(analyse(FIXTURES / "uvproj"))
    dockerfile = render_dockerfile(build_plan)
    assert build_plan.runtime_files == ()
    assert "left out" in build_plan.runtime_reason and "src/" in build_plan.runtime_reason and "uv.lock" in build_plan.runtime_reason
    assert "COPY --chown=app:app . ." not in dockerfile and "COPY --from=builder /opt/venv /opt/venv" in dockerfile
    assert "RUN python -m venv --without-pip /opt/venv" in dockerfile and "ENV PIP_PYTHON=/opt/venv/bin/python" in dockerfile
    assert "chown -R" not in dockerfile


def test_code_that_runs_from_its_sources_keeps_them():
    build_plan = plan(analyse(FIXTURES / "piptools"))
    assert build_plan.runtime_files is None and "sources are copied" in build_plan.runtime_reason
    assert "COPY --chown=app:app . ." in _final_stage(render_dockerfile(build_plan))


def test_the_files_the_entry_command_names_are_copied(tmp_path):
    project_dir = tmp_path / "svc"
    shutil.copytree(FIXTURES / "uvproj", project_dir)
    (project_dir / "scripts").mkdir()
    (project_dir / "scripts" / "serve.py").write_text("import svc_uv\n")
    (project_dir / "settings.toml").write_text("debug = false\n")
    (project_dir / "Dockerfile").write_text('FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n'
                                            'HEALTHCHECK CMD python probe.py\n'
                                            'CMD ["python", "scripts/serve.py", "--config", "/app/settings.toml"]\n')
    (project_dir / "probe.py").write_text("")
    build_plan = plan(analyse(project_dir))
    assert build_plan.runtime_files == ("scripts/serve.py", "settings.toml", "probe.py")
    final = _final_stage(render_dockerfile(build_plan))
    assert 'COPY --chown=app:app ["scripts/serve.py", "scripts/serve.py"]' in final
    assert 'COPY --chown=app:app ["settings.toml", "settings.toml"]' in final


def test_setuptools_package_data_keeps_the_sources(tmp_path):
    (tmp_path / "web" / "templates").mkdir(parents=True)
    (tmp_path / "web" / "__init__.py").write_text("")
    (tmp_path / "web" / "templates" / "index.html").write_text("<p>hi</p>\n")
    (tmp_path / "pyproject.toml").write_text('[build-system]\nrequires = ["setuptools>=61"]\n'
                                             'build-backend = "setuptools.build_meta"\n'
                                             '[project]\nname = "web"\nversion = "1.0"\ndependencies = ["six"]\n')
    build_plan = plan(analyse(tmp_path))
    assert build_plan.install_project is not None
    assert build_plan.runtime_files is None and "web/templates/index.html" in build_plan.runtime_reason


def test_cache_mounts_only_when_buildkit_builds_it():
    plain = plan(analyse(FIXTURES / "uvproj"))
    mounted = replace(plain, cache_mounts=True)
    assert not plain.needs_buildkit and "--mount" not in render_dockerfile(plain)
    assert "PIP_NO_CACHE_DIR=1" in render_dockerfile(plain)
    dockerfile = render_dockerfile(mounted)
    assert mounted.needs_buildkit and "PIP_NO_CACHE_DIR" not in dockerfile
    assert "RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-dev --no-install-project" in dockerfile
    poetry = render_dockerfile(plan(analyse(FIXTURES / "poetry1"), cache_mounts=True))
    assert "RUN --mount=type=cache,target=/root/.cache/uv /opt/tools/bin/poetry export" in poetry


def test_the_lock_managers_tools_and_pins_install_with_uv_in_the_builder():
    poetry = render_dockerfile(plan(analyse(FIXTURES / "poetry2")))
    builder = poetry.split("\nFROM ")[2]
    assert "COPY --from=ghcr.io/astral-sh/uv:latest /uv /uvx /bin/" in builder and "UV_PYTHON=" not in builder
    assert "uv tool install --python /usr/local/bin/python3.13 poetry==2.1.3 --with poetry-plugin-export" in builder
    assert "&& uv pip install --no-deps --require-hashes -r /tmp/requirements.txt" in builder
    assert builder.index("/uv /uvx") < builder.index("uv tool install") < builder.index("RUN uv pip install --no-deps .")
    assert "uv" not in _final_stage(poetry)
    pdm = render_dockerfile(plan(analyse(FIXTURES / "pdmproj")))
    assert "pdm==2.22.4 --with 'unearth<0.18' --with 'hishel<0.2' --with httpx==0.28.1" in pdm
    pep621 = render_dockerfile(plan(analyse(FIXTURES / "pep621")))  # no lock: pip, whose messages the rules read
    assert "astral-sh/uv" not in pep621 and "RUN pip install --no-deps ." in pep621


def test_bytecode_is_compiled_only_on_request():
    project = analyse(FIXTURES / "poetry1")
    assert "compileall" not in render_dockerfile(plan(project)) and "PIP_COMPILE=0" in render_dockerfile(plan(project))
    assert "RUN python -m compileall -q -j 0 /opt/venv" in render_dockerfile(plan(project, compile_bytecode=True))


def test_the_dependency_install_reads_manifests_with_the_version_masked():
    dockerfile = render_dockerfile(plan(analyse(FIXTURES / "uvproj")))
    assert "FROM python:3.12-slim AS manifests" in dockerfile and "COPY --from=manifests /manifests/ ./" in dockerfile
    builder = dockerfile.split("AS builder", 1)[1]
    assert builder.index("COPY --from=manifests") < builder.index("uv sync --frozen --no-dev --no-install-project")


def test_the_mask_changes_only_the_projects_own_version(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "svc"\nversion = "1.2.3"\n\n[tool.poetry]\nversion = "1.2.3"\n\n'
                         '[tool.poetry.dependencies.requests]\nversion = "^2.31"\n')
    lock = tmp_path / "uv.lock"
    lock.write_text('[[package]]\nname = "requests"\nversion = "2.32.3"\nsource = { registry = "https://pypi.org/simple" }\n\n'
                    '[[package]]\nname = "svc"\nversion = "1.2.3"\nsource = { editable = "." }\n')
    subprocess.run([sys.executable, "-c", MASK_VERSION_SCRIPT, str(pyproject), str(lock)], check=True)
    assert pyproject.read_text() == ('[project]\nname = "svc"\nversion = "0"\n\n[tool.poetry]\nversion = "0"\n\n'
                                     '[tool.poetry.dependencies.requests]\nversion = "^2.31"\n')
    assert 'name = "requests"\nversion = "2.32.3"' in lock.read_text() and 'name = "svc"\nversion = "0"' in lock.read_text()


def test_an_extra_install_through_python_m_pip_uses_the_base_images_pip(tmp_path):
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "__init__.py").write_text("")
    (tmp_path / "requirements.txt").write_text("six==1.17.0\n")
    (tmp_path / "Dockerfile").write_text("FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\n"
                                         "RUN pip install -r requirements.txt\nRUN python -m pip install gunicorn==23.0.0\n")
    steps = [step.text for step in plan(analyse(tmp_path)).builder_steps]
    assert steps == ["RUN pip install gunicorn==23.0.0"]


def test_the_plan_knows_the_backend_that_builds_it(monkeypatch):
    import dockerfix.build.engine
    from dockerfix.repair import plan_for_backend

    project = analyse(FIXTURES / "uvproj")
    assert plan_for_backend(project, "buildkit").cache_mounts and not plan_for_backend(project, "sdk").cache_mounts
    assert not plan_for_backend(project, "fake").cache_mounts  # a backend the caller injected
    monkeypatch.setattr(dockerfix.build.engine, "engine_builder_default", lambda: ("buildkit", "Docker 27 builds with BuildKit"))
    assert plan_for_backend(project, "auto").cache_mounts
    monkeypatch.setattr(dockerfix.build.engine, "engine_builder_default", lambda: ("sdk", "Docker 20.10"))
    assert not plan_for_backend(project, "auto").cache_mounts


def test_the_report_says_what_the_final_stage_left_out_and_why(tmp_path):
    import json

    from dockerfix.repair import RepairResult
    from dockerfix.report import to_json, to_markdown

    stage = plan(analyse(FIXTURES / "uvproj")).final_stage
    assert stage.copies == () and stage.left_out == ("pyproject.toml", "src/", "uv.lock")
    result = RepairResult(status="repaired", root=tmp_path, strategy="rewrite", steps=(), builds=(), verification=None,
                          changed_files=(), diff="", written=False, final_stage=stage)
    text = to_markdown(result)
    assert "## What the final stage holds" in text and "The installed venv, and besides it: nothing else." in text
    assert "Left out of the build context (installed in the venv, or not read at run time): " \
           "`pyproject.toml`, `src/`, `uv.lock`." in text
    assert json.loads(to_json(result))["final_stage"] == {"copies": [], "left_out": ["pyproject.toml", "src/", "uv.lock"],
                                                          "reason": stage.reason}
    whole = plan(analyse(FIXTURES / "piptools")).final_stage
    copied = to_markdown(replace(result, final_stage=whole))
    assert whole.sources_copied and "The venv and the whole sources: the code runs from its sources" in copied
    assert "final stage holds" not in to_markdown(replace(result, final_stage=None))


def test_a_pyproject_that_names_no_project_is_not_installed(tmp_path):
    """`pdm init` once wrote `name = ""` for applications: no backend builds that, so the rewrite runs the code
    from its sources (the dependencies still come from the lock)."""
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "__init__.py").write_text("")
    (tmp_path / "main.py").write_text("import models\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = ""\nversion = ""\ndependencies = ["six"]\n'
                                             'requires-python = ">=3.10"\n\n[build-system]\nrequires = ["pdm-pep517"]\n'
                                             'build-backend = "pdm.pep517.api"\n')
    dockerfile = render_dockerfile(plan(analyse(tmp_path)))
    assert "install --no-deps ." not in dockerfile and "COPY --chown=app:app . ." in dockerfile
