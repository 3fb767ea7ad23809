"""The Docker SDK backend: the classic builder, streamed step by step."""

from __future__ import annotations

import re
import time
from pathlib import Path

import requests
import urllib3
from docker.errors import APIError, DockerException

from dockerfix.model import DockerfileInfo
from dockerfix.build import BuildResult, FailedStep, LogBuffer, ProgressCallback, split_stream_switches, step_instruction
from dockerfix.build.context import build_context
from dockerfix.build.engine import engine_client, remove_build

STEP = re.compile(r"^Step (\d+)/\d+ : (.*)$")
IMAGE = re.compile(r"^ ---> ([0-9a-f]{12})$")
EXIT = re.compile(r"returned a non-zero code: (\d+)")
COLOUR = re.compile(r"\x1b\[[0-9;]*m")


class SdkBackend:
    name = "sdk"

    def build(self, root: Path, overlay: dict[str, str], dockerfile: DockerfileInfo, *, tag: str,
              labels: dict[str, str], no_cache: bool = False, timeout: float | None = None,
              network: str | None = None, progress: ProgressCallback | None = None) -> BuildResult:
        client = engine_client()
        context = build_context(root, overlay, dockerfile.path)
        log = LogBuffer()
        ran: list[str] = []
        cached: list[str] = []
        created: list[str] = []
        step_number, step_text, error, image_id = 0, "", "", None
        step_cached = False  # the current step's image came from the cache: another build made it, and may use it now
        pending = ""  # the unfinished last line of the stream so far
        started = time.monotonic()
        try:
            stream = client.api.build(fileobj=context, custom_context=True, dockerfile=dockerfile.path, tag=tag,
                                      labels=labels, rm=True, forcerm=True, nocache=no_cache, decode=True,
                                      pull=False, timeout=timeout or 3600, network_mode=network)
            for chunk in stream:
                if timeout and time.monotonic() - started > timeout:
                    error = f"build timed out after {timeout:.0f} s"
                    break
                if "error" in chunk:
                    error = chunk["error"].strip()
                    lines, pending = [*pending.splitlines(), error], ""
                elif "aux" in chunk and "ID" in chunk["aux"]:
                    image_id = chunk["aux"]["ID"]
                    continue
                else:
                    # a chunk is whatever the command wrote at once (apt writes "E", ": " and its message
                    # separately): only a newline ends a line, or a write to the other stream
                    *complete, pending = split_stream_switches(pending + chunk.get("stream", "")).split("\n")
                    lines = [part for line in complete for part in line.splitlines()]
                for line in lines:
                    line = COLOUR.sub("", line.rstrip())
                    if not line:
                        continue
                    log.add(line)
                    if progress:
                        progress(line)
                    if match := STEP.match(line):
                        step_number, step_text, step_cached = int(match.group(1)), match.group(2), False
                        if not step_text.upper().startswith("FROM"):
                            ran.append(step_text)  # until the builder says it came from the cache
                    elif line == " ---> Using cache":
                        step_cached = True
                        if ran and ran[-1] == step_text:
                            cached.append(ran.pop())
                    elif (match := IMAGE.match(line)) and not step_cached and not step_text.upper().startswith("FROM"):
                        created.append(match.group(1))
            if pending.strip():
                log.add(COLOUR.sub("", pending.rstrip()))
        except APIError as exc:  # before RequestException, its base: the daemon answered, and refused the build
            error = f"the engine refused the build: {exc.explanation or str(exc)[:300]}"
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            # a silent step outlasting the read timeout is our own time limit; closing the stream cancels the build
            if timeout and time.monotonic() - started >= timeout - 1:
                error = f"build timed out after {timeout:.0f} s"
            else:
                error = f"the engine stopped answering during the build: {str(exc)[:200]}"
        except DockerException as exc:
            error = f"engine error: {str(exc)[:300]}"
        finally:
            # closing the connection is what cancels a build the daemon is still running (timeout, Ctrl-C)
            client.close()
            context.close()
        seconds = time.monotonic() - started
        if error:
            exit_match = EXIT.search(error)
            failed = FailedStep(step_instruction(dockerfile, None, step_number, global_index=True), step_text, None) if step_number else None
            if image_id:
                created.append(image_id)
            return BuildResult(ok=False, backend=self.name, log=log.text(), error=error, failed=failed,
                               exit_code=int(exit_match.group(1)) if exit_match else None, seconds=seconds,
                               ran_steps=tuple(ran), cached_steps=tuple(cached), created_images=tuple(created))
        return BuildResult(ok=True, backend=self.name, log=log.text(), image=tag, image_id=image_id, seconds=seconds,
                           ran_steps=tuple(ran), cached_steps=tuple(cached), created_images=tuple(created))

    def cleanup(self, result: BuildResult, *, keep_cache: bool = False) -> None:
        remove_build(result, keep_cache=keep_cache)

