"""The rewrite builds on the Debian release the user's base implies, and names apt packages for it."""

from __future__ import annotations

from pathlib import Path

from dockerfix.analyse import analyse
from dockerfix.plan import plan
from dockerfix.render import render_dockerfile


def rewritten(tmp_path: Path, from_line: str, requirements: str = "six==1.16.0\n") -> tuple[object, str]:
    (tmp_path / "requirements.txt").write_text(requirements)
    (tmp_path / "app.py").write_text("print('hi')\n")
    (tmp_path / "Dockerfile").write_text(f"{from_line}\nRUN apt-get update && apt-get install -y libpcre3 libssl3"
                                         " && rm -rf /var/lib/apt/lists/*\nCOPY . /app\nCMD [\"python\", \"app.py\"]\n")
    built = plan(analyse(tmp_path))
    return built, render_dockerfile(built)


def test_plain_tags_mean_trixie(tmp_path):
    built, text = rewritten(tmp_path, "FROM python:3.12-slim")
    assert built.base_image == "python:3.12-slim" and built.release == "trixie" and built.release_reason is None
    assert "libpcre2-8-0" in built.runtime_packages and "libpcre3" not in built.runtime_packages
    assert "libssl3" in built.runtime_packages  # the user's name, which trixie installs through Provides
    assert "Debian trixie named" not in text


def test_a_stated_release_is_kept_and_the_header_says_why(tmp_path):
    built, text = rewritten(tmp_path, "FROM python:3.12-slim-bookworm")
    assert built.base_image == "python:3.12-slim-bookworm" and built.release == "bookworm"
    assert "libpcre3" in built.runtime_packages
    assert "# Debian bookworm named in the tag: Dockerfile:1 builds on python:3.12-slim-bookworm (Debian bookworm)." in text
    assert "FROM python:3.12-slim-bookworm AS builder" in text


def test_table_packages_are_named_for_the_release(tmp_path):
    built, _ = rewritten(tmp_path, "FROM python:3.12-slim", "python-magic==0.4.27\n")
    assert "libmagic1t64" in built.runtime_packages
    built, _ = rewritten(tmp_path, "FROM debian:12", "python-magic==0.4.27\n")
    assert "libmagic1" in built.runtime_packages and built.base_image.endswith("-slim-bookworm")
