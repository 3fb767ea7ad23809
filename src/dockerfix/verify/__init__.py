"""Stage 7, verify: prove the built image works, with checks run inside it (no network, time-bounded).

One container runs `probe.py` (shipped beside this file) for the checks that need only Python: imports of the
project's packages and of every declared dependency, `pip check`, the entry command resolving, a non-root
user with a writable HOME, the sources byte-compiling. A second container starts the entry command of a
server and checks that it stays up. Each check has a name, a result and the output that explains it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from docker.errors import DockerException

from dockerfix.analyse.model import Project
from dockerfix.build import MANAGED_LABEL
from dockerfix.build.engine import engine_client

PROBE = Path(__file__).with_name("probe.py")
CHECK_TIMEOUT_SECONDS = 120
SERVER_UP_SECONDS = 4


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str  # one line
    output: str = ""  # what the check printed: the input of run-time diagnosis


@dataclass(frozen=True)
class Verification:
    passed: bool
    checks: tuple[Check, ...]
    image_size: int | None = None
    layers: int | None = None
    seconds: float = 0.0

    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)

    def output(self) -> str:
        return "\n".join(f"[{c.name}] {c.detail}\n{c.output}" for c in self.failed())


def _run(client, image: str, command: list[str], *, timeout: float, entrypoint: list[str] | None = None,
         user: str | None = None) -> tuple[int, str]:
    """Run a command in a fresh container (no network) and return (exit status, output); always removes it."""
    container = client.containers.create(image, command=command, entrypoint=entrypoint, network_disabled=True,
                                         labels={MANAGED_LABEL: "1"}, user=user or "", detach=True)
    try:
        container.start()
        try:
            status = container.wait(timeout=timeout).get("StatusCode", 1)
        except Exception:
            container.kill()
            return 124, f"timed out after {timeout:.0f} s"
        return status, container.logs().decode("utf-8", "replace")
    finally:
        container.remove(force=True)


def _probe_spec(project: Project) -> dict:
    entry = project.entry
    return {
        "packages": list(project.import_packages),
        "distributions": sorted({r.name for r in project.dependencies if not r.marker or "extra" not in r.marker}),
        "executable": entry.executable if entry else None,
        "module": entry.module if entry else None,
    }


def verify(project: Project, image: str, *, timeout: float = CHECK_TIMEOUT_SECONDS) -> Verification:
    started = time.monotonic()
    client = engine_client()
    checks: list[Check] = []
    spec = json.dumps(_probe_spec(project))
    status, output = _run(client, image, ["python", "-c", PROBE.read_text(), spec], entrypoint=[], timeout=timeout)
    try:
        results = json.loads(output.strip().splitlines()[-1])
        checks += [Check(r["name"], r["passed"], r["detail"], r.get("output", "")) for r in results]
    except (json.JSONDecodeError, IndexError, KeyError, TypeError):
        checks.append(Check("probe", False, f"the verification probe did not run (exit {status})", output[-4000:]))
    if project.entry is not None and project.entry.server and all(c.passed for c in checks):
        checks.append(_server_stays_up(client, image))
    try:
        inspected = client.images.get(image).attrs
        size, layers = inspected.get("Size"), len(inspected.get("RootFS", {}).get("Layers", []))
    except DockerException:
        size = layers = None
    return Verification(passed=all(c.passed for c in checks), checks=tuple(checks), image_size=size, layers=layers,
                        seconds=time.monotonic() - started)


def _server_stays_up(client, image: str) -> Check:
    """Start the image's own command; a server that exits within a few seconds did not start."""
    container = client.containers.create(image, network_disabled=True, labels={MANAGED_LABEL: "1"}, detach=True)
    try:
        container.start()
        time.sleep(SERVER_UP_SECONDS)
        container.reload()
        logs = container.logs().decode("utf-8", "replace")
        if container.status == "running":
            return Check("entry-starts", True, f"the entry command is still running after {SERVER_UP_SECONDS} s", logs[-2000:])
        code = container.attrs.get("State", {}).get("ExitCode")
        return Check("entry-starts", False, f"the entry command exited with status {code} within {SERVER_UP_SECONDS} s", logs[-4000:])
    finally:
        container.remove(force=True)
