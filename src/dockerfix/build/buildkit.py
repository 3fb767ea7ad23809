"""The BuildKit backend: `docker build` with DOCKER_BUILDKIT=1 and plain progress, the context on stdin.

Its cache records cannot carry a label on Docker 20.10: a build notes the records it made (see
`engine.new_cache_records`) and cleanup prunes them unless the cache is kept.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

from dockerfix.model import DockerfileInfo
from dockerfix.build import SELECTED_HOST, BuildResult, FailedStep, LogBuffer, ProgressCallback, step_instruction
from dockerfix.build.context import build_context
from dockerfix.build.engine import build_cache_records, engine_client, new_cache_records, remove_build

STEP = re.compile(r"^#(\d+) \[(?:([\w.-]+) )?(\d+)/\d+\] (.*)$")
CACHED = re.compile(r"^#(\d+) CACHED$")
ERROR = re.compile(r"^#(\d+) ERROR: (.*)$")
EXIT = re.compile(r"exit code: (\d+)")


def docker_cli() -> str:
    """The docker CLI that can drive BuildKit without buildx (Debian's 20.10 CLI is one); override with DOCKERFIX_DOCKER_CLI."""
    configured = os.environ.get("DOCKERFIX_DOCKER_CLI")
    if configured:
        return configured
    return "/usr/bin/docker" if Path("/usr/bin/docker").exists() else (shutil.which("docker") or "docker")


class BuildKitBackend:
    name = "buildkit"

    def build(self, root: Path, overlay: dict[str, str], dockerfile: DockerfileInfo, *, tag: str,
              labels: dict[str, str], no_cache: bool = False, timeout: float | None = None,
              network: str | None = None, progress: ProgressCallback | None = None) -> BuildResult:
        client = engine_client()  # fail early, with the S003-1 message, when no engine answers
        cache_before = build_cache_records(client)
        argv = [docker_cli(), "build", "--progress=plain", "-f", dockerfile.path, "-t", tag]
        argv += [f"--label={key}={value}" for key, value in labels.items()]
        argv += ["--no-cache"] if no_cache else []
        argv += [f"--network={network}"] if network else []
        argv.append("-")
        context = build_context(root, overlay, dockerfile.path)
        log = LogBuffer()
        steps: dict[str, tuple[str | None, int, str]] = {}
        ran: list[str] = []
        cached: list[str] = []
        failed_vertex, error = None, ""
        started = time.monotonic()
        host = SELECTED_HOST.get()  # the engine engine_client pinged, when this thread selected one
        env = {**os.environ, "DOCKER_BUILDKIT": "1", **({"DOCKER_HOST": host} if host else {})}
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   env=env, start_new_session=True)
        feeder = threading.Thread(target=_feed, args=(process, context), daemon=True)
        feeder.start()
        timer = threading.Timer(timeout, _stop, args=(process,)) if timeout else None
        if timer:
            timer.start()
        try:
            assert process.stdout is not None
            for raw in process.stdout:
                line = raw.decode("utf-8", "replace").rstrip()
                log.add(line)
                if progress:
                    progress(line)
                if match := STEP.match(line):
                    vertex, stage, index, text = match.groups()
                    steps[vertex] = (stage, int(index), text)
                    if not text.upper().startswith("FROM"):
                        ran.append(text)
                elif (match := CACHED.match(line)) and match.group(1) in steps:
                    text = steps[match.group(1)][2]
                    cached.append(text)
                    if text in ran:
                        ran.remove(text)
                elif match := ERROR.match(line):
                    failed_vertex, error = match.group(1), match.group(2)
            process.wait()
        finally:
            if timer:
                timer.cancel()
            feeder.join(timeout=10)
            context.close()
        seconds = time.monotonic() - started
        created_cache = new_cache_records(client, cache_before)
        if timeout and seconds >= timeout and process.returncode != 0:
            error = f"build timed out after {timeout:.0f} s"
        if process.returncode == 0:
            return BuildResult(ok=True, backend=self.name, log=log.text(), image=tag, seconds=seconds,
                               ran_steps=tuple(ran), cached_steps=tuple(cached), created_cache=created_cache)
        failed = None
        if failed_vertex in steps:
            stage, index, text = steps[failed_vertex]
            instruction = step_instruction(dockerfile, stage or dockerfile.stages[-1].name or f"stage-{len(dockerfile.stages) - 1}",
                                           index, global_index=False)
            failed = FailedStep(instruction, text, stage)
        last_line = next((l for l in reversed(log.text().splitlines()) if l.strip()), "")
        exit_match = EXIT.search(error or last_line)
        return BuildResult(ok=False, backend=self.name, log=log.text(), error=error or last_line, failed=failed,
                           exit_code=int(exit_match.group(1)) if exit_match else None, seconds=seconds,
                           ran_steps=tuple(ran), cached_steps=tuple(cached), created_cache=created_cache)

    def cleanup(self, result: BuildResult, *, keep_cache: bool = False) -> None:
        remove_build(result, keep_cache=keep_cache)


def _feed(process: subprocess.Popen, context) -> None:
    try:
        assert process.stdin is not None
        shutil.copyfileobj(context, process.stdin)
        process.stdin.close()
    except (BrokenPipeError, ValueError):
        pass  # the CLI stopped reading (an early error); its output says why


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
