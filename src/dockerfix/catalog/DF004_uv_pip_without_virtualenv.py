"""`uv pip install` / `uv pip sync` run where there is no virtual environment.

What it catches: `error: No virtual environment found; run `uv venv` to create an environment, or pass
`--system` to install into a non-virtual environment` (seed S000-5).
Why it breaks: unlike pip, uv never installs into the interpreter it finds on PATH unless told to: it looks
for an activated venv (VIRTUAL_ENV) or a `.venv` and refuses without one, so the system Python's packages
cannot be changed by accident.
The fix: the stage gets a venv: `ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH` and `RUN uv venv
/opt/venv` before the first such command, so uv installs there and everything after it (CMD included) runs
the venv's Python. That keeps the system interpreter clean and makes the environment one directory a later
stage can copy. Where a later stage copies this stage's system prefix (`COPY --from=<stage> /usr/local ...`)
a venv would put the packages outside what is copied, so there the commands get `--system` instead.
Detected before any build.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockerfix.analyse.dockerfile import split_copy
from dockerfix.model import DockerfileInfo, Instruction, Stage
from dockerfix.analyse.failed_step import failed_run
from dockerfix.analyse.installer_commands import InstallerCommand, installer_commands
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, evidence_lines, regex
from dockerfix.transform.dockerfile import insert_before
from dockerfix.transform.install_flow import SYSTEM_PREFIX, stage_env
from dockerfix.transform.shell import apply_command_edits

ID = "DF004"
VENV = "/opt/venv"
# Options (and environment) that tell uv pip where to install, so it needs no venv.
TARGETING = frozenset({"--system", "--python", "-p", "--target", "--prefix"})
CREATES_VENV = re.compile(r"(?:^|\s)(?:uv\s+venv|(?:\S*/)?python3?(?:\.\d+)?\s+-m\s+(?:venv|virtualenv)|virtualenv)\b")


def _needs_venv(dockerfile: DockerfileInfo, instruction: Instruction, command: InstallerCommand) -> bool:
    if not command.tool.startswith("uv pip ") or command.tool.split()[-1] not in ("install", "sync", "uninstall"):
        return False
    if TARGETING & set(command.options) or re.search(r"\b(?:VIRTUAL_ENV|UV_SYSTEM_PYTHON|UV_PYTHON)=", command.text):
        return False
    if any(stage_env(dockerfile, instruction, key) for key in ("VIRTUAL_ENV", "UV_SYSTEM_PYTHON", "UV_PYTHON")):
        return False
    stage = dockerfile.stages[instruction.stage]
    earlier = [i.value for i in stage.instructions if i.keyword == "RUN" and i.line < instruction.line]
    before_in_run = instruction.value.split(command.text, 1)[0]
    return not any(CREATES_VENV.search(text) for text in [*earlier, before_in_run])


def _without_venv(dockerfile: DockerfileInfo | None) -> list[tuple[Instruction, InstallerCommand]]:
    found = []
    for instruction in dockerfile.instructions if dockerfile else ():
        for command in installer_commands(instruction):
            if _needs_venv(dockerfile, instruction, command):  # type: ignore[arg-type]
                found.append((instruction, command))
    return found


def detect(context: Context) -> Iterator[Finding]:
    for instruction, command in _without_venv(context.project.dockerfile):
        yield Finding(ID, f"`{command.tool}` at {context.dockerfile_path}:{instruction.line} runs with no virtual "
                          "environment and without --system: uv refuses to install",
                      evidence=(instruction.text,), location=Location(context.dockerfile_path, instruction.line),
                      captures={"stage": str(instruction.stage)})


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    failed = failed_run(context.project.dockerfile, log)
    candidates = [(i, c) for i, c in _without_venv(context.project.dockerfile) if failed is None or i == failed]
    stage = str(candidates[0][0].stage) if candidates else ""
    return Finding(ID, "uv found no virtual environment to install into", evidence=evidence_lines(log, match),
                   location=Location(context.dockerfile_path, candidates[0][0].line) if candidates else None,
                   captures={"stage": stage})


def _system_prefix_copied(dockerfile: DockerfileInfo, stage: Stage) -> bool:
    """Whether a later stage copies this stage's system prefix, where `--system` installs."""
    names = {str(stage.index), *([stage.name] if stage.name else [])}
    for later in dockerfile.stages[stage.index + 1:]:
        for instruction in later.instructions:
            if instruction.keyword != "COPY":
                continue
            flags, sources, _ = split_copy(instruction.value)
            if flags.get("from") in names and any(s.rstrip("/").startswith(SYSTEM_PREFIX) for s in sources):
                return True
    return False


def fix(context: Context, finding: Finding) -> Fix | Skip:
    dockerfile = context.project.dockerfile
    pending = _without_venv(dockerfile)
    if finding.capture("stage"):
        pending = [(i, c) for i, c in pending if str(i.stage) == finding.capture("stage")]
    if not pending or dockerfile is None:
        return Skip("every uv pip command has an environment now")
    stage = dockerfile.stages[pending[0][0].stage]
    if _system_prefix_copied(dockerfile, stage):
        edits: dict[Instruction, dict[str, str | None]] = {}
        for instruction, command in pending:
            edits.setdefault(instruction, {})[command.text] = command.text.replace(
                command.tool, f"{command.tool} --system", 1)
        return Fix({context.dockerfile_path: apply_command_edits(context.dockerfile_text, edits)},
                   f"added --system to the uv pip commands of stage {stage.name or stage.index}: a later stage "
                   f"copies its {SYSTEM_PREFIX}, so the packages must land in the system Python")
    first = pending[0][0]
    setup = (f'ENV VIRTUAL_ENV={VENV} PATH="{VENV}/bin:$PATH"\n'
             f'RUN uv venv {VENV} --python "$(command -v python3)"')
    return Fix({context.dockerfile_path: insert_before(context.dockerfile_text, first, setup)},
               f"created a virtual environment at {VENV} before the first `uv pip` of stage "
               f"{stage.name or stage.index} and activated it (VIRTUAL_ENV, PATH) for every later step and the CMD")


RULE = Rule(
    id=ID,
    name="uv-pip-without-virtualenv",
    kind="build",
    summary="uv pip installs with no virtual environment to install into",
    explanation=__doc__,
    seeds=("S000-5",),
    case="s000-5-uv-no-venv",
    log=regex(r"No virtual environment found; run `?uv venv`? to create an environment, or pass `?--system`?"),
    detect=detect,
    from_log=from_log,
    fix=fix,
)
