"""`dockerfix verify` without an engine (seed S003-1): exit 3, and the message says where it looked and what to do."""

from __future__ import annotations

from dockerfix.cli import main


def test_verify_without_engine_exits_3_naming_docker_host(tmp_path, capsys, monkeypatch):
    (tmp_path / "requirements.txt").write_text("six==1.17.0\n")
    (tmp_path / "Dockerfile").write_text('FROM python:3.11-slim\nCMD ["python"]\n')
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:1")
    assert main(["verify", str(tmp_path), "--image", "python:3.11-slim", "--probe", "/health"]) == 3
    err = capsys.readouterr().err
    assert "tcp://127.0.0.1:1" in err and "DOCKER_HOST" in err
