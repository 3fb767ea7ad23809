"""Stage 4, build: run a build on a real engine and return one `BuildResult`, whichever backend ran it.

Two backends share the result type and the context: the Docker SDK (classic builder, streamed) and BuildKit
through the `docker` CLI; `choose_backend` picks one per build unless the caller names it. Everything they create carries the label `org.dockerfix.managed` and is removed
by `cleanup()`; a run's images are tagged uniquely, so concurrent repairs never collide.
"""

from __future__ import annotations

import os
import re
import uuid
from collections import deque
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol

from dockerfix.analyse.dockerfile import needs_buildkit
from dockerfix.model import DockerfileInfo, Instruction

MANAGED_LABEL = "org.dockerfix.managed"
RUN_LABEL = "org.dockerfix.run"
LOG_HEAD_LINES = 200
LOG_TAIL_LINES = 2000

ProgressCallback = Callable[[str], None]
# The engine this thread's builds, verification and cleanup talk to, when one was chosen (`engine.use_engine`:
# a batch spreads repairs over several engines); unset, DOCKER_HOST decides, as for any docker client.
SELECTED_HOST: ContextVar[str | None] = ContextVar("dockerfix_selected_host", default=None)


@dataclass(frozen=True)
class FailedStep:
    instruction: Instruction | None  # the instruction in the Dockerfile, when it could be mapped
    text: str  # the step as the builder printed it
    stage: str | None


@dataclass(frozen=True)
class BuildResult:
    ok: bool
    backend: str
    log: str  # the head and tail of the log (long logs are cut in the middle, see `LogBuffer`)
    image: str | None = None  # tag of the built image
    image_id: str | None = None
    exit_code: int | None = None  # of the failing RUN
    failed: FailedStep | None = None
    error: str = ""  # the builder's one-line error
    seconds: float = 0.0
    ran_steps: tuple[str, ...] = ()  # steps that ran (not taken from the cache)
    cached_steps: tuple[str, ...] = ()
    created_images: tuple[str, ...] = field(default=(), repr=False)  # ids to remove on cleanup
    created_cache: tuple[str, ...] = field(default=(), repr=False)  # BuildKit cache records made, to prune on cleanup


# The classic builder wraps each write a step makes to stderr in red (`ESC[91m ... ESC[0m`, the reset of one
# write opening the next). A line one stream leaves unfinished ends where the other writes: apt's stdout
# "Reading package lists..." waits for its newline while "E: Unable to locate package" goes to stderr.
_STREAM_SWITCH = re.compile(r"(?<=[^\n])(?:(?<!\x1b\[0m)\x1b\[91m|\x1b\[0m(?!\x1b\[91m|\n|$))")


def split_stream_switches(text: str) -> str:
    """Classic-builder output with a line break wherever stdout and stderr meet inside a line."""
    return _STREAM_SWITCH.sub(lambda match: "\n" + match.group(0), text)


class LogBuffer:
    """Keeps the first and last lines of a build log, so memory stays bounded on any log length."""

    def __init__(self, head: int = LOG_HEAD_LINES, tail: int = LOG_TAIL_LINES) -> None:
        self.head: list[str] = []
        self.tail: deque[str] = deque(maxlen=tail)
        self.head_size = head
        self.dropped = 0

    def add(self, line: str) -> None:
        if len(self.head) < self.head_size:
            self.head.append(line)
            return
        if len(self.tail) == self.tail.maxlen:
            self.dropped += 1
        self.tail.append(line)

    def text(self) -> str:
        middle = [f"[dockerfix: {self.dropped} log lines omitted]"] if self.dropped else []
        return "\n".join([*self.head, *middle, *self.tail])


class BuildBackend(Protocol):
    """What builds an image: the tree at `root` with `overlay`'s texts over it; `cleanup` removes what it made."""

    name: str

    def build(self, root: Path, overlay: dict[str, str], dockerfile: DockerfileInfo, *, tag: str,
              labels: dict[str, str], no_cache: bool = False, timeout: float | None = None,
              network: str | None = None, progress: ProgressCallback | None = None) -> BuildResult: ...

    def cleanup(self, result: BuildResult, *, keep_cache: bool = False) -> None: ...


def new_tag(project: Path) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", project.resolve().name.lower()).strip("-") or "project"
    return f"dockerfix/{slug}:{uuid.uuid4().hex[:12]}"


def docker_host() -> str:
    return SELECTED_HOST.get() or os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")


def step_instruction(dockerfile: DockerfileInfo, stage: str | None, index: int, *, global_index: bool) -> Instruction | None:
    """The instruction a builder's step number points at.

    The classic builder counts every instruction of the file (`Step 7/9`); BuildKit counts within a stage,
    FROM being 1 (`[builder 3/5]`), and names unnamed stages `stage-N`.
    """
    if global_index:
        return dockerfile.instructions[index - 1] if 0 < index <= len(dockerfile.instructions) else None
    for candidate in dockerfile.stages:
        if stage in (candidate.name, f"stage-{candidate.index}"):
            return candidate.instructions[index - 1] if 0 < index <= len(candidate.instructions) else None
    return None


BACKENDS = ("sdk", "buildkit")


def choose_backend(requested: str, dockerfile: DockerfileInfo) -> tuple[str, str]:
    """(backend, why) for building `dockerfile`: the one requested, or for "auto" BuildKit when the Dockerfile
    needs it or the engine's own `docker build` uses it (Docker >= 23, DOCKER_BUILDKIT=1), else the classic builder."""
    if requested in BACKENDS:
        return requested, "requested"
    if requested != "auto":
        raise ValueError(f"unknown build backend {requested!r} (auto, sdk or buildkit)")
    needs = needs_buildkit(dockerfile)
    if needs:
        return "buildkit", f"{needs} needs BuildKit"
    from dockerfix.build.engine import engine_builder_default

    return engine_builder_default()


def get_backend(name: str = "sdk") -> BuildBackend:
    if name == "sdk":
        from dockerfix.build.sdk import SdkBackend

        return SdkBackend()
    if name == "buildkit":
        from dockerfix.build.buildkit import BuildKitBackend

        return BuildKitBackend()
    raise ValueError(f"unknown build backend {name!r} (sdk or buildkit)")
