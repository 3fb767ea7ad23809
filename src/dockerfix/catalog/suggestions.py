"""Where a suggestion points: the Dockerfile instruction that failed and the FROM its stage is built on.

Rules whose fix is outside what dockerfix edits automatically (a base image to move, a URL to correct) still
name the line and the change; these helpers find the lines from the log and the project's Dockerfile, and
fall back to the log's own words when the Dockerfile of the log is not at hand.
"""

from __future__ import annotations

from dockerfix.model import Instruction
from dockerfix.analyse.failed_step import failed_command, failed_run
from dockerfix.catalog.rule import Context, Location
from dockerfix.transform import apt


def failed_instruction(context: Context, log: str) -> Instruction | None:
    return failed_run(context.project.dockerfile, log)


def base_of(context: Context, instruction: Instruction | None) -> Instruction | None:
    """The FROM instruction of the stage `instruction` runs in (the last stage's when it is not known)."""
    dockerfile = context.project.dockerfile
    if dockerfile is None or not dockerfile.stages:
        return None
    stage = apt.stage_of(dockerfile, instruction) if instruction else dockerfile.final_stage
    while stage is not None:
        parent = apt.parent_stage(dockerfile, stage)
        if parent is None:
            break
        stage = parent
    return next((i for i in dockerfile.instructions if i.keyword == "FROM" and stage and i.stage == stage.index), None)


def at(context: Context, instruction: Instruction | None) -> Location | None:
    return Location(context.dockerfile_path, instruction.line) if instruction else None


def step_named(context: Context, log: str) -> str:
    """How a suggestion names the failed step: `the RUN at Dockerfile:12`, else the log's command."""
    instruction = failed_instruction(context, log)
    if instruction is not None:
        return f"the {instruction.keyword} at {at(context, instruction)}"
    command = failed_command(log)
    return f"the step `RUN {command[:80]}{'...' if len(command) > 80 else ''}`" if command else "the failed step"


def base_named(context: Context, log: str) -> str:
    """How a suggestion names the base image line: `FROM debian:stretch (Dockerfile:1)`, else `the FROM line`."""
    base = base_of(context, failed_instruction(context, log))
    return f"`FROM {base.value}` ({at(context, base)})" if base else "the FROM line"
