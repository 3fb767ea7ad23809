"""The command line: exit codes, messages naming file and line, nothing written on bad input."""

from __future__ import annotations

import shutil

import pytest

from conftest import ROOT
from dockerfix.cli import main

FIXTURES = ROOT / "tests" / "fixtures" / "projects"


@pytest.fixture
def project(tmp_path):
    target = tmp_path / "p"
    shutil.copytree(FIXTURES / "poetry1", target)
    return target


def snapshot(path):
    return {p.relative_to(path): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("relpath, text, where", [
    ("pyproject.toml", "[tool.poetry\nname = 'x'\n", "pyproject.toml:1"),
    ("poetry.lock", "[[package]]\nname = \n", "poetry.lock:2"),
    ("Dockerfile", "FROM python:3.11-slim\nFROBNICATE\n", "Dockerfile:2"),
    ("requirements.txt", "six==1.17.0\nnot a requirement!!\n", "requirements.txt:2"),
])
def test_malformed_input_exits_2_names_file_and_line_and_writes_nothing(project, capsys, relpath, text, where):
    (project / relpath).write_text(text)
    before = snapshot(project)
    for command in (["rewrite", str(project)], ["repair", str(project)], ["check", str(project)]):
        assert main(command) == 2
        assert where in capsys.readouterr().err
    assert snapshot(project) == before


def test_missing_directory_is_bad_input(tmp_path, capsys):
    assert main(["rewrite", str(tmp_path / "nope")]) == 2
    assert "is not a directory" in capsys.readouterr().err


def test_usage_error_is_2(capsys):
    assert main(["repair", "--strategy", "bogus", "."]) == 2
    assert main(["repair", "--backend", "kaniko", "."]) == 2
    assert main(["batch", "--strategy", "bogus", "-"]) == 2


def test_rewrite_dry_run_prints_diff_and_writes_nothing(project, capsys):
    before = snapshot(project)
    assert main(["rewrite", str(project), "--dry-run"]) == 0
    output = capsys.readouterr().out
    assert "+FROM python:3.9-slim AS builder" in output
    assert snapshot(project) == before


def test_rewrite_writes_atomically_with_backup(project):
    (project / "Dockerfile").write_text("FROM python:3.9-slim\nCMD [\"python\", \"-m\", \"svc_poetry1\"]\n")
    assert main(["rewrite", str(project), "--force"]) == 0
    assert "AS builder" in (project / "Dockerfile").read_text()
    assert (project / "Dockerfile.dockerfix-orig").read_text().startswith("FROM python:3.9-slim\nCMD")


def test_rewrite_refuses_uncommitted_changes(project, capsys):
    import subprocess

    (project / "Dockerfile").write_text("FROM python:3.9-slim\n")
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    subprocess.run(["git", "-C", str(project), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(project), "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "x"], check=True)
    (project / "Dockerfile").write_text("FROM python:3.9-slim\n# my uncommitted edit\n")
    assert main(["rewrite", str(project)]) == 2
    assert "uncommitted" in capsys.readouterr().err
    assert (project / "Dockerfile").read_text().endswith("# my uncommitted edit\n")


def test_no_engine_exits_3_naming_docker_host(project, capsys, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:1")
    assert main(["repair", str(project), "--force"]) == 3
    err = capsys.readouterr().err
    assert "tcp://127.0.0.1:1" in err and "DOCKER_HOST" in err
    assert not (project / "Dockerfile").exists()


def test_rules_lists_and_documents():
    assert main(["rules"]) == 0
    assert main(["rules", "DF001"]) == 0
    assert main(["rules", "DF999"]) == 2
