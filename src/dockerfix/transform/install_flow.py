"""The project's own dependency install as one shell command, for a RUN of the user's Dockerfile.

It is the builder-stage install of the rewritten layout (`plan.installers.installer_for`), made to stand
alone in any stage: the packaging tool (Poetry, PDM, Pipenv) goes into a throw-away venv that the same RUN
removes again, so no tool is left in the image; uv installs into the stage's virtual environment, or the
system Python when there is none. Rules that replace a broken install (DF002, DF003) use it, so a repaired
Dockerfile installs exactly what the lock pins, the same way the rewrite does.
"""

from __future__ import annotations

import shlex

from dockerfix.model import DockerfileInfo, Instruction, Project, Stage
from dockerfix.plan.installers import EXPORTED, installer_for
from dockerfix.plan.safe import safe_requirement

# Where installer_for's commands expect the packaging tool's venv (`/opt/tools/bin/poetry`).
TOOLS_VENV = "/opt/tools"
SYSTEM_PREFIX = "/usr/local"  # the python images' interpreter prefix: uv's "environment" without a venv


def install_command(project: Project, environment: str | None = None) -> str:
    """The shell command that installs the project's locked run-time dependencies (not the project itself),
    one step per continuation line.

    `environment`: the virtual environment the stage has activated (its VIRTUAL_ENV), if any.
    """
    installer = installer_for(project, tuple(safe_requirement(r) for r in project.dependencies))
    steps: list[str] = []
    if installer.tools:
        steps.append(f"python -m venv {TOOLS_VENV}")
        steps.append(f"{TOOLS_VENV}/bin/pip install --no-cache-dir " + " ".join(shlex.quote(t) for t in installer.tools))
    command = installer.install_dependencies
    if installer.uses_uv_image:
        command = f"UV_PROJECT_ENVIRONMENT={environment or SYSTEM_PREFIX} {command}"
    steps += command.split(" && ")
    if installer.tools:
        steps.append(f"rm -rf {TOOLS_VENV} {EXPORTED}")
    return " \\\n && ".join(steps)


def stage_env(dockerfile: DockerfileInfo, instruction: Instruction, key: str) -> str | None:
    """The value ENV gave `key` before `instruction` in its stage (or in the earlier stage it is built FROM)."""
    return _env(dockerfile, dockerfile.stages[instruction.stage], instruction.line, key)


def _env(dockerfile: DockerfileInfo, stage: Stage, before_line: int | None, key: str) -> str | None:
    parent = next((s for s in dockerfile.stages[: stage.index] if s.name and s.name == stage.base), None)
    value = _env(dockerfile, parent, None, key) if parent is not None else None
    for candidate in stage.instructions:
        if before_line is not None and candidate.line >= before_line:
            break
        if candidate.keyword == "ENV":
            value = env_assignments(candidate.value).get(key, value)
    return value


def env_assignments(value: str) -> dict[str, str]:
    """`KEY=value KEY2="v 2"` (or the legacy `KEY value`) of an ENV instruction."""
    parts = shlex.split(value, posix=True) if value else []
    if parts and "=" not in parts[0]:
        return {parts[0]: value.split(None, 1)[1] if len(parts) > 1 else ""}
    return dict(part.split("=", 1) for part in parts if "=" in part)
