"""The rewrite keeps what the original Dockerfile meant, and accounts for every one of its instructions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dockerfix.analyse import analyse
from dockerfix.analyse.dockerfile import parse_dockerfile
from dockerfix.plan import plan
from dockerfix.render import render_dockerfile


def project(tmp_path: Path, dockerfile: str, files: dict[str, str] | None = None):
    files = {"requirements.txt": "six==1.17.0\n", "svc/__init__.py": "", **(files or {})}
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    (tmp_path / "Dockerfile").write_text(dockerfile)
    return analyse(tmp_path)


def rendered(tmp_path: Path, dockerfile: str, files: dict[str, str] | None = None) -> tuple[str, str]:
    """(builder stage, final stage) of the rendered Dockerfile."""
    _, builder, final = render_dockerfile(plan(project(tmp_path, dockerfile, files))).split("\nFROM python:")
    return builder, final


def test_every_instruction_is_accounted_for(tmp_path):
    dockerfile = ("ARG TAG=3.11\nFROM python:3.11-slim AS build\nRUN python -m venv /venv\nCOPY . .\n"
                  "FROM python:3.11-slim\nENV PATH=/venv/bin:$PATH MODE=prod\nWORKDIR /app\nCOPY --from=build /venv /venv\n"
                  "COPY . .\nRUN pip install -r requirements.txt\nRUN mkdir -p /data\nUSER nobody\nEXPOSE 8000\n"
                  "CMD [\"python\", \"-m\", \"svc\"]\n")
    accounting = plan(project(tmp_path, dockerfile)).accounting
    assert [a.origin for a in accounting] == [f"Dockerfile:{n}" for n in range(1, 15)]
    outcome = {a.instruction: a.outcome for a in accounting}
    assert outcome["RUN pip install -r requirements.txt"] == "dropped"
    assert outcome["RUN mkdir -p /data"] == "kept"
    assert outcome["COPY --from=build /venv /venv"] == "dropped"
    assert all(a.how for a in accounting)


@pytest.mark.parametrize("cmd, expected", [
    ('CMD ["poetry", "run", "svc", "serve"]', 'CMD ["svc", "serve"]'),
    ('CMD ["uv", "run", "--no-dev", "--with", "x", "uvicorn", "svc:app"]', 'CMD ["uvicorn", "svc:app"]'),
    ('CMD ["pdm", "run", "python", "-m", "svc"]', 'CMD ["python", "-m", "svc"]'),
    ('CMD ["/app/.venv/bin/gunicorn", "svc:app"]', 'CMD ["gunicorn", "svc:app"]'),
    ('CMD ["/usr/local/bin/python", "-m", "svc"]', 'CMD ["python", "-m", "svc"]'),
    ("CMD poetry run uvicorn svc:app --host 0.0.0.0", "CMD uvicorn svc:app --host 0.0.0.0"),
    ("CMD exec /srv/env/bin/svc", "CMD exec svc"),
    ('CMD ["/entrypoint.sh", "svc"]', 'CMD ["/entrypoint.sh", "svc"]'),  # the user's own script stays
])
def test_the_entry_command_loses_runners_and_old_venv_paths(tmp_path, cmd, expected):
    built = plan(project(tmp_path, f"FROM python:3.11-slim\nRUN python -m venv /srv/env\nCOPY . .\n{cmd}\n"))
    assert built.cmd == expected
    assert next(a for a in built.accounting if a.instruction == cmd).outcome == ("kept" if cmd == expected else "translated")


def test_entrypoint_is_translated_too(tmp_path):
    built = plan(project(tmp_path, 'FROM python:3.11-slim\nENTRYPOINT ["pipenv", "run", "celery"]\nCMD ["worker"]\n'))
    assert (built.entrypoint, built.cmd) == ('ENTRYPOINT ["celery"]', 'CMD ["worker"]')


def test_extra_installs_move_to_the_builder(tmp_path):
    loop = 'RUN for d in plugins/*; do pip install -r "$d/requirements.txt"; done'
    builder, final = rendered(tmp_path, f"FROM python:3.11-slim\nCOPY . .\nRUN pip install -r requirements.txt\n{loop}\n"
                                        "RUN /app/.venv/bin/pip install gunicorn==23.0.0\nRUN pip install six\n",
                              {"plugins/a/requirements.txt": "idna\n"})
    assert loop in builder and "RUN pip install gunicorn==23.0.0" in builder
    assert builder.index(loop) > builder.index("COPY . .")
    assert "RUN pip install six" not in builder + final  # six is in requirements.txt: the dependency install has it
    builder, final = rendered(tmp_path, 'FROM python:3.11-slim\nRUN pip install pdm==2.22.4 "hishel<0.2"\n')
    assert "hishel" not in builder + final  # a packaging tool and its pins: the builder has its own tool venv
    assert loop not in final


def test_requirement_includes_are_copied_at_their_paths(tmp_path):
    builder, _ = rendered(tmp_path, "FROM python:3.11-slim\nCOPY . .\nRUN pip install -r requirements.txt\n",
                          {"requirements.txt": "-r requirements/base.txt\n-c constraints.txt\n",
                           "requirements/base.txt": "six\n", "constraints.txt": "six==1.17.0\n"})
    assert 'COPY ["requirements.txt", "constraints.txt", "./"]' in builder
    assert 'COPY ["requirements/base.txt", "requirements/"]' in builder


def test_the_originals_own_user_and_uid_stay(tmp_path):
    built = plan(project(tmp_path, "FROM python:3.11-slim\nRUN groupadd -g 1234 svc && useradd -u 1234 -g svc -m svc "
                                   "&& mkdir -p /data && chown -R svc:svc /data\nCOPY . .\nUSER svc\n"))
    assert (built.user, built.uid) == ("svc", 1234)
    assert [k.text for k in built.kept] == ["RUN mkdir -p /data && chown -R svc:svc /data"]
    final = render_dockerfile(built).split("\nFROM python:")[2]
    assert "--uid 1234" in final and "COPY --chown=svc:svc . ." in final and "\nUSER svc\n" in final


def test_bash_syntax_runs_with_bash(tmp_path):
    _, final = rendered(tmp_path, "FROM python:3.11-slim\nRUN mkdir -p /srv/{a,b} && [[ -d /srv/a ]]\n")
    assert 'SHELL ["/bin/bash", "-c"]\nRUN mkdir -p /srv/{a,b} && [[ -d /srv/a ]]\nSHELL ["/bin/sh", "-c"]' in final
    _, final = rendered(tmp_path, 'FROM python:3.11-slim\nSHELL ["/bin/bash", "-c"]\nRUN source /etc/os-release\n')
    assert 'SHELL ["/bin/bash", "-c"]\nRUN source /etc/os-release\n' in final and "/bin/sh" not in final


def test_the_shell_of_a_moved_install_goes_with_it(tmp_path):
    builder, _ = rendered(tmp_path, 'FROM python:3.11-slim\nSHELL ["/bin/bash", "-c"]\nCOPY . .\n'
                                    "RUN for d in plugins/{a,b}; do pip install -r $d/requirements.txt; done\n")
    assert builder.index('SHELL ["/bin/bash", "-c"]') < builder.index("RUN for d in plugins/{a,b}")


SCM = ('[project]\nname = "svc"\ndynamic = ["version"]\ndependencies = ["six"]\n'
       '[build-system]\nrequires = ["setuptools>=68", "setuptools_scm[toml]>=8"]\nbuild-backend = "setuptools.build_meta"\n')


@pytest.mark.parametrize("pyproject, variable, version", [
    (SCM, "SETUPTOOLS_SCM_PRETEND_VERSION", "0.0.0"),
    (SCM + '[tool.setuptools_scm]\nfallback_version = "1.2.3"\n', "SETUPTOOLS_SCM_PRETEND_VERSION", "1.2.3"),
    (SCM.replace('"setuptools>=68", "setuptools_scm[toml]>=8"', '"hatchling", "hatch-vcs"')
     .replace("setuptools.build_meta", "hatchling.build"), "SETUPTOOLS_SCM_PRETEND_VERSION", "0.0.0"),
    (SCM.replace('"setuptools>=68", "setuptools_scm[toml]>=8"', '"pdm-backend"').replace("setuptools.build_meta", "pdm.backend")
     + '[tool.pdm.version]\nsource = "scm"\n', "PDM_BUILD_SCM_VERSION", "0.0.0"),
])
def test_a_vcs_version_gets_its_stand_in_in_the_builder(tmp_path, pyproject, variable, version):
    builder, _ = rendered(tmp_path, "FROM python:3.11-slim\nCOPY . .\nRUN pip install .\n", {"pyproject.toml": pyproject})
    assert f"ENV {variable}={version}\n" in builder
    assert builder.index(f"ENV {variable}") < builder.index("RUN pip install --no-deps .")


def test_the_originals_version_variable_is_kept_for_the_builder(tmp_path):
    builder, _ = rendered(tmp_path, "FROM python:3.11-slim AS build\nARG SETUPTOOLS_SCM_PRETEND_VERSION=4.5.6\nCOPY . .\n"
                                    "RUN pip install .\nFROM python:3.11-slim\n", {"pyproject.toml": SCM})
    assert "ARG SETUPTOOLS_SCM_PRETEND_VERSION=4.5.6" in builder and "=0.0.0" not in builder


def test_a_static_version_needs_no_stand_in(tmp_path):
    builder, _ = rendered(tmp_path, "FROM python:3.11-slim\n", {"pyproject.toml": SCM.replace('dynamic = ["version"]',
                                                                                            'version = "1.0"')})
    assert "SCM" not in builder


def test_buildkit_mounts_stay_and_are_visible(tmp_path):
    built = plan(project(tmp_path, "FROM python:3.11-slim\nCOPY requirements.txt .\n"
                                   "RUN --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=bind,source=a,target=b "
                                   "pip install -r requirements.txt\n"))
    assert built.needs_buildkit and built.install_mounts == "--mount=type=secret,id=netrc,target=/root/.netrc"
    assert "RUN --mount=type=secret,id=netrc,target=/root/.netrc pip install -r requirements.txt" in render_dockerfile(built)
    assert not plan(project(tmp_path, "FROM python:3.11-slim\nRUN pip install -r requirements.txt\n")).needs_buildkit


def test_an_application_of_bare_modules_is_not_pip_installed(tmp_path):
    (tmp_path / "svc").mkdir()
    built = plan(project(tmp_path, "FROM python:3.11-slim\nCOPY . .\n",
                         {"app.py": "import config\n", "config.py": "", "svc/__init__.py": "",
                          "pyproject.toml": '[project]\nname = "site"\nversion = "1"\ndependencies = ["six"]\n'
                                            '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'}))
    assert built.install_project == "pip install --no-deps ."  # svc/ is a package the backend can build
    (tmp_path / "svc" / "__init__.py").unlink()
    (tmp_path / "svc").rmdir()
    built = plan(analyse(tmp_path))
    assert built.install_project is None and built.pythonpath == "/app"


def test_a_pdm_lock_without_markers_is_synced_not_exported(tmp_path):
    lock = ('[metadata]\ngroups = ["default"]\nstrategy = ["cross_platform"]\nlock_version = "4.5.0"\n'
            'content_hash = "sha256:00"\n\n[[package]]\nname = "six"\nversion = "1.17.0"\n')
    pyproject = '[project]\nname = "svc"\nversion = "1"\ndependencies = ["six"]\n[tool.pdm]\ndistribution = false\n'
    built = plan(project(tmp_path, "FROM python:3.11-slim\n", {"pdm.lock": lock, "pyproject.toml": pyproject}))
    assert built.installer.install_dependencies.endswith("/opt/tools/bin/pdm sync --prod --no-self --no-editable")
    (tmp_path / "pdm.lock").write_text(lock.replace('["cross_platform"]', '["inherit_metadata"]'))
    assert "pdm export" in plan(analyse(tmp_path)).installer.install_dependencies


def test_reports_carry_the_accounting(tmp_path):
    from dockerfix.plan.intent import Accounted
    from dockerfix.repair import RepairResult
    from dockerfix.report import to_json, to_markdown

    accounting = (Accounted("Dockerfile:3", "CMD poetry run svc | tee x", "translated", "`poetry run` removed"),)
    result = RepairResult(status="repaired", root=tmp_path, strategy="rewrite", steps=(), builds=(), verification=None,
                          changed_files=(), diff="", written=False, accounting=accounting)
    assert "| Dockerfile:3 | `` CMD poetry run svc \\| tee x `` | translated | `poetry run` removed |" in to_markdown(result)
    assert json.loads(to_json(result))["accounting"][0]["outcome"] == "translated"


def test_the_rendered_dockerfile_parses_with_all_of_it(tmp_path):
    text = render_dockerfile(plan(project(tmp_path, (
        'FROM python:3.11-slim\nSHELL ["/bin/bash", "-c"]\nRUN useradd -u 99 svc && mkdir -p /d/{a,b}\n'
        'RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt && pip install gunicorn\n'
        "USER svc\nCMD poetry run gunicorn svc:app\n"))))
    assert parse_dockerfile("Dockerfile", text).final_stage is not None


def test_the_stand_in_version_is_the_latest_git_tag(tmp_path):
    import subprocess

    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    project(tmp_path, "FROM python:3.11-slim\nCOPY . .\nRUN pip install .\n", {"pyproject.toml": SCM})
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "first"], check=True)
    subprocess.run([*git, "tag", "v2.4.1"], check=True)
    assert "ENV SETUPTOOLS_SCM_PRETEND_VERSION=2.4.1\n" in render_dockerfile(plan(analyse(tmp_path)))
