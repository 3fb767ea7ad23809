"""The real-world benchmark's list follows its own rules, and its environment-blocked classification names
the image or URL (benchmarks/realworld.py; the builds themselves run only in `nox -s realworld`)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("realworld_benchmark", ROOT / "benchmarks" / "realworld.py")
assert _spec and _spec.loader
realworld = importlib.util.module_from_spec(_spec)
sys.modules["realworld_benchmark"] = realworld
_spec.loader.exec_module(realworld)

ENGINE = {"python:3.12-slim", "python:3.12", "debian:bookworm-slim", "ghcr.io/astral-sh/uv:latest"}


def test_the_list_is_large_enough_and_held_out_by_the_hash_rule() -> None:
    projects = realworld.load_projects()  # raises when a split does not follow the rule
    names = [p["name"] for p in projects]
    assert len(projects) >= 40 and len(set(names)) == len(names)
    held = sum(p["split"] == "held-out" for p in projects)
    assert 0.25 <= held / len(projects) <= 0.40
    for project in projects:
        assert len(project["commit"]) == 40 and project["dockerfile"] and project["why"]
        assert project["manager"] in {"poetry", "uv", "pdm", "pip-tools", "requirements", "pipenv", "none"}


def test_the_list_spreads_over_managers_layouts_and_kinds() -> None:
    projects = realworld.load_projects()
    assert {p["manager"] for p in projects} == {"poetry", "uv", "pdm", "pip-tools", "requirements", "pipenv", "none"}
    assert {p["layout"] for p in projects} == {"single", "multi"}
    assert {p["location"] for p in projects} == {"root", "subfolder"}
    assert {p["kind"] for p in projects} == {"web", "worker", "cli"}
    assert any(p["compose"] for p in projects)


def test_a_base_image_not_on_the_engine_is_named_with_its_arg_resolved() -> None:
    text = "ARG PY=3.7\nFROM python:${PY}-alpine AS build\nFROM build\nCOPY --from=build /a /a\n"
    assert realworld.blocked_by(text, ENGINE) == {"images": ["python:3.7-alpine"], "urls": []}


def test_stages_the_engine_images_and_scratch_are_not_blocked() -> None:
    text = ("FROM ghcr.io/astral-sh/uv:latest AS uv\nFROM python:3.12-slim AS builder\n"
            "COPY --from=uv /uv /bin/uv\nFROM scratch\nCOPY --from=builder /app /app\n")
    assert realworld.blocked_by(text, ENGINE) == {"images": [], "urls": []}


@pytest.mark.parametrize(("run", "blocked"), [
    ("curl -sSL https://install.python-poetry.org | python3 -", ["https://install.python-poetry.org"]),
    ("pip install --index-url https://pypi.org/simple x && curl http://deb.debian.org/debian/x", []),
    ("wget https://github.com/o/r/releases/download/v1/t.tgz \\\n && tar xf t.tgz",
     ["https://github.com/o/r/releases/download/v1/t.tgz"]),
])
def test_downloads_outside_pypi_and_debian_are_named(run: str, blocked: list[str]) -> None:
    assert realworld.blocked_by(f"FROM python:3.12-slim\nRUN {run}\n", ENGINE)["urls"] == blocked


def test_buildkit_is_chosen_for_mounts_and_heredocs_only() -> None:
    assert realworld.needs_buildkit("FROM x\nRUN --mount=type=cache,target=/root/.cache pip install .\n")
    assert realworld.needs_buildkit("FROM x\nRUN <<EOF\necho hi\nEOF\n")
    assert not realworld.needs_buildkit("FROM x\nRUN pip install -r requirements.txt\n")


def test_a_crash_is_reported_by_its_innermost_frame() -> None:
    stderr = ('Traceback (most recent call last):\n  File "/w/src/dockerfix/cli.py", line 10, in main\n'
              '  File "/w/src/dockerfix/analyse/x.py", line 42, in parse\nTypeError: bad\n')
    assert realworld.crash_frame(stderr) == "dockerfix/analyse/x.py:42 in parse: TypeError: bad"
