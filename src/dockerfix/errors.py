"""Errors and the exit codes they map to. Only the CLI turns these into exits; the library raises them."""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    OK = 0  # repaired, or nothing to repair
    NOT_REPAIRED = 1  # the build or verification still fails, or findings at error level
    BAD_INPUT = 2  # malformed project files or command-line usage
    NO_ENGINE = 3  # no Docker engine answers
    INTERNAL = 4  # a bug in dockerfix
    INTERRUPTED = 130  # Ctrl-C


class DockerfixError(Exception):
    """Base of every error dockerfix raises on purpose."""

    exit_code: ExitCode = ExitCode.INTERNAL


class InputError(DockerfixError):
    """A project file (or argument) that dockerfix cannot read: always names the file and, when known, the line."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class EngineUnavailable(DockerfixError):
    """No Docker engine answers (seed S003-1)."""

    exit_code = ExitCode.NO_ENGINE

    def __init__(self, docker_host: str, detail: str) -> None:
        self.docker_host = docker_host
        self.detail = detail
        super().__init__(str(self))

    def __str__(self) -> str:
        return (
            f"Cannot connect to the Docker engine at {self.docker_host} ({self.detail}).\n"
            "Start one (Docker Desktop, `sudo systemctl start docker`, or `dockerd &`), "
            "or point DOCKER_HOST at an engine that runs (unix://, tcp:// or ssh://)."
        )


class DirtyTree(DockerfixError):
    """The files dockerfix would write have uncommitted changes; refuse rather than risk the user's work."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, paths: list[str]) -> None:
        self.paths = paths
        super().__init__(
            "refusing to overwrite files with uncommitted changes: "
            + ", ".join(paths)
            + " (commit or stash them, or pass --force; --dry-run shows the diff)"
        )
