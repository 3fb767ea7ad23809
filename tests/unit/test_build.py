"""The build backends' reading of what the engine sends, with a fake engine: log lines, steps, what a build made."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from docker.errors import APIError

import dockerfix.build.sdk as sdk
from dockerfix.analyse.dockerfile import parse_dockerfile
from dockerfix.build import BuildResult, choose_backend, engine


def sdk_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dockerfile: str, chunks: list[dict]) -> BuildResult:
    """A build by the SDK backend of an engine that streams ``chunks``."""
    client = SimpleNamespace(api=SimpleNamespace(build=lambda **_: iter(chunks)), close=lambda: None)
    monkeypatch.setattr(sdk, "engine_client", lambda: client)
    (tmp_path / "Dockerfile").write_text(dockerfile)
    return sdk.SdkBackend().build(tmp_path, {}, parse_dockerfile("Dockerfile", dockerfile), tag="t", labels={})


APT_FAILS = "FROM python:3.11-slim\nRUN apt-get install curl\n"
APT_STEPS = [{"stream": "Step 1/2 : FROM python:3.11-slim\n"}, {"stream": " ---> 30ceac53ca99\n"},
             {"stream": "Step 2/2 : RUN apt-get install curl\n"}]
APT_ERROR = {"error": "The command '/bin/sh -c apt-get install curl' returned a non-zero code: 100"}


def test_sdk_backend_joins_a_line_streamed_in_pieces(tmp_path, monkeypatch):
    """The daemon streams apt's `E`, `: ` and message as separate chunks; they are one log line."""
    chunks = [*APT_STEPS, {"stream": "\x1b[91mE"}, {"stream": "\x1b[0m\x1b[91m: "},
              {"stream": "\x1b[0m\x1b[91mUnable to locate package curl\n"}, APT_ERROR]
    result = sdk_build(tmp_path, monkeypatch, APT_FAILS, chunks)
    assert "\nE: Unable to locate package curl\n" in result.log
    assert result.failed is not None and result.failed.text == "RUN apt-get install curl"


def test_sdk_backend_ends_a_line_where_the_other_stream_writes(tmp_path, monkeypatch):
    """apt's stdout "Reading package lists..." waits for its newline while its error goes to stderr: two lines."""
    chunks = [*APT_STEPS, {"stream": "Reading package lists..."}, {"stream": "\x1b[91mE"},
              {"stream": "\x1b[0m\x1b[91m: "}, {"stream": "\x1b[0m\x1b[91mUnable to locate package curl\n"},
              {"stream": "\x1b[0m\n"}, {"stream": "Building dependency tree..."}, {"stream": "\n"}, APT_ERROR]
    log = sdk_build(tmp_path, monkeypatch, APT_FAILS, chunks).log
    assert "\nReading package lists...\nE: Unable to locate package curl\nBuilding dependency tree...\n" in log


def test_sdk_backend_removes_only_the_images_its_own_steps_made(tmp_path, monkeypatch):
    """A layer taken from the cache was made by another build, which may be using it right now: not ours to remove."""
    chunks = [{"stream": "Step 1/3 : FROM python:3.11-slim\n"}, {"stream": " ---> 30ceac53ca99\n"},
              {"stream": "Step 2/3 : RUN useradd app\n"}, {"stream": " ---> Using cache\n"}, {"stream": " ---> 1111aaaa2222\n"},
              {"stream": "Step 3/3 : RUN pip install six\n"}, {"stream": " ---> Running in 9f8e7d6c5b4a\n"},
              {"stream": "Successfully installed six\n"}, {"stream": " ---> 3333bbbb4444\n"},
              {"aux": {"ID": "sha256:3333bbbb4444"}}, {"stream": "Successfully built 3333bbbb4444\n"}]
    result = sdk_build(tmp_path, monkeypatch, "FROM python:3.11-slim\nRUN useradd app\nRUN pip install six\n", chunks)
    assert result.ok and result.created_images == ("3333bbbb4444",)
    assert result.cached_steps == ("RUN useradd app",) and result.ran_steps == ("RUN pip install six",)


def test_build_cache_records_wait_for_a_disk_usage_already_running(monkeypatch):
    """Docker 20.10 refuses a second `system df` while one runs (two builds side by side in batch mode)."""
    answers = iter([APIError("500 Server Error: a disk usage operation is already running"),
                    {"BuildCache": [{"ID": "r1", "CreatedAt": "2026-12-01T10:00:00Z"}]}])

    def df():
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(engine.time, "sleep", lambda _: None)
    assert engine.build_cache_records(SimpleNamespace(df=df)) == {"r1": "2026-12-01T10:00:00Z"}  # type: ignore[arg-type]


MOUNT = parse_dockerfile("Dockerfile", "FROM python:3.11-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install six\n")
PLAIN = parse_dockerfile("Dockerfile", "FROM python:3.11-slim\nRUN pip install six\n")


@pytest.mark.parametrize(("requested", "dockerfile", "setting", "version", "chosen"), [
    ("auto", MOUNT, None, "20.10.24+dfsg1", "buildkit"),  # the Dockerfile needs it, whatever the engine
    ("auto", MOUNT, "0", "20.10.24", "buildkit"),
    ("auto", PLAIN, None, "20.10.24+dfsg1", "sdk"),
    ("auto", PLAIN, None, "24.0.7", "buildkit"),  # Docker 23 made BuildKit the default of `docker build`
    ("auto", PLAIN, "1", "20.10.24", "buildkit"),
    ("auto", PLAIN, "0", "27.1.0", "sdk"),
    ("auto", PLAIN, None, None, "sdk"),  # no engine answers: the build says so
    ("sdk", MOUNT, "1", "27.1.0", "sdk"),  # asked for: no choice made
    ("buildkit", PLAIN, None, "20.10.24", "buildkit"),
])
def test_choose_backend(monkeypatch, requested, dockerfile, setting, version, chosen):
    monkeypatch.delenv("DOCKER_BUILDKIT", raising=False)
    if setting is not None:
        monkeypatch.setenv("DOCKER_BUILDKIT", setting)
    monkeypatch.setattr(engine, "_server_version", lambda host: version)
    name, why = choose_backend(requested, dockerfile)
    assert name == chosen and why


def test_choose_backend_names_the_reason(monkeypatch):
    monkeypatch.delenv("DOCKER_BUILDKIT", raising=False)
    monkeypatch.setattr(engine, "_server_version", lambda host: "20.10.24")
    assert choose_backend("auto", MOUNT) == ("buildkit", "Dockerfile:2 RUN --mount needs BuildKit")
    assert choose_backend("auto", PLAIN) == ("sdk", "Docker 20.10.24 builds with the classic builder by default")
    with pytest.raises(ValueError, match="unknown build backend"):
        choose_backend("kaniko", PLAIN)
