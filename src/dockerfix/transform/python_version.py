"""The Python version a Dockerfile's stages run, read from and written to their `FROM python:X.Y[-variant]`
tags (or the global `ARG` such a tag takes its version from).

Changing it keeps each tag's variant (`-slim`, `-bookworm`) and touches only the stages on the old version,
so a `FROM debian` or `FROM node` stage is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from dockerfix.analyse.release import FLOATING_TAG
from dockerfix.model import Context, DockerfileInfo, Fix, Instruction, Skip, Stage
from dockerfix.transform.apt import parent_stage
from dockerfix.transform.dockerfile import replace_instruction

PYTHON_TAG = re.compile(r"^(?P<image>(?:docker\.io/)?(?:library/)?python):(?P<version>\d+\.\d+)(?:\.\d+)?(?P<variant>-[\w.-]+)?$")
ARG_TAG = re.compile(r"^(?P<image>(?:docker\.io/)?(?:library/)?python):\$\{?(?P<arg>\w+)\}?(?P<variant>-[\w.-]+)?$")


def stage_python(dockerfile: DockerfileInfo, stage: Stage, floating: Mapping[str, str] | None = None) -> str | None:
    """"3.12" for a stage built FROM python:3.12-slim (directly, through an earlier stage, or an ARG); for a tag
    that names no version (python:3), what `floating` says it runs (Context.base_pythons, read from the image)."""
    parent = parent_stage(dockerfile, stage)
    if parent is not None:
        return stage_python(dockerfile, parent, floating)
    match = PYTHON_TAG.match(stage.base)
    if match:
        return match.group("version")
    if floating and stage.base in floating:
        return floating[stage.base]
    arg = ARG_TAG.match(stage.base)
    default = arg_default(dockerfile, arg.group("arg")) if arg else None
    return default[1] if default else None


def arg_default(dockerfile: DockerfileInfo, name: str) -> tuple[Instruction, str] | None:
    """The global `ARG name=X.Y` and its X.Y, when FROM tags take the Python version from it."""
    for instruction in dockerfile.instructions:
        if instruction.keyword == "ARG" and instruction.stage == -1:
            match = re.fullmatch(rf"{name}=[\"']?(\d+\.\d+)(?:\.\d+)?[\"']?", instruction.value.strip())
            if match:
                return instruction, match.group(1)
    return None


def retag_python(text: str, dockerfile: DockerfileInfo, current: str, python: str, *,
                 floating: Mapping[str, str] | None = None) -> tuple[str, list[str]]:
    """Move every stage on Python `current` to `python`: (new text, what changed, e.g. "python:3.13-slim →
    python:3.12-slim"). Nothing changes when no tag names `current`. `floating` maps tags that name no version
    (`python:3`, `python:slim`) to the Python they run: those on `current` move too (`python:3-slim` → python:3.7-slim)."""
    changed: list[str] = []
    for stage in reversed(dockerfile.stages):
        base = stage.instructions[0]
        match = PYTHON_TAG.match(stage.base)
        unversioned = FLOATING_TAG.match(stage.base) if (floating or {}).get(stage.base) == current else None
        if match and match.group("version") == current:
            new_base = f"{match.group('image')}:{python}{match.group('variant') or ''}"
        elif unversioned:
            variant = unversioned.group("variant3") or unversioned.group("variant")
            new_base = f"{unversioned.group('image')}:{python}{'-' + variant if variant else ''}"
        else:
            continue
        text = replace_instruction(text, base, base.text.replace(stage.base, new_base, 1))
        changed.append(f"{stage.base} → {new_base}")
    arguments = {m.group("arg") for stage in dockerfile.stages if (m := ARG_TAG.match(stage.base))}
    for name in sorted(arguments):
        default = arg_default(dockerfile, name)
        if default and default[1] == current:
            instruction = default[0]
            text = replace_instruction(text, instruction, re.sub(r"\d+\.\d+(?:\.\d+)?", python, instruction.text, count=1))
            changed.append(f"ARG {name}={current} → {python}")
    return text, list(reversed(changed))


def unversioned_running(dockerfile: DockerfileInfo | None, python: str) -> dict[str, str]:
    """The stages' tags that name no version, each mapped to `python`: what a log showed them to run."""
    return {s.base: python for s in dockerfile.stages if FLOATING_TAG.match(s.base)} if dockerfile else {}


def move_python(context: Context, current: str, python: str, why: str, *,
                floating: Mapping[str, str] | None = None) -> Fix | Skip:
    """The fix that moves every stage on Python `current` to `python`; `why` ends its solution ("which X supports").
    Unversioned tags move when they run `current`: as the last build's base images say (Context.base_pythons), or
    `floating` (what the log showed)."""
    dockerfile = context.project.dockerfile
    if dockerfile is None:
        return Skip("no Dockerfile")
    text, changed = retag_python(context.dockerfile_text, dockerfile, current, python,
                                 floating={**context.base_pythons, **(floating or {})})
    if not changed:
        return Skip(f"no FROM tag of {context.dockerfile_path} names Python {current}")
    return Fix({context.dockerfile_path: text}, f"moved the image to Python {python}, {why}: " + "; ".join(changed))
