"""Cleanup steps (`RUN rm -rf /opt/wheels /opt/requirements.txt`) and where in their stage they belong.

A cleanup must run after the last step that uses what it removes (seed S001-10) and as root when root put
those files there (S001-9). Both rules about misplaced cleanups (DF012, DF013) move it to the one place
`placement` computes from the whole stage, never relative to where it was: whichever symptom showed first,
the result is the same, so a repair loop cannot bounce between "too late" and "too early".
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from dockerfix.analyse.dockerfile import split_copy
from dockerfix.model import DockerfileInfo, Instruction, Stage
from dockerfix.analyse.image_paths import workdir_at
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Skip
from dockerfix.analyse.users import is_root
from dockerfix.transform.apt import user_before
from dockerfix.transform.dockerfile import insert_after, remove_instruction, source_lines
from dockerfix.analyse.shell import split_commands, words

# Where any user may delete what it created; everything else is root's unless copied with --chown.
USER_WRITABLE = ("/tmp/", "/var/tmp/", "/home/")


@dataclass(frozen=True)
class Cleanup:
    instruction: Instruction  # a RUN made only of `rm` commands
    paths: tuple[str, ...]  # absolute paths it removes


def cleanups(dockerfile: DockerfileInfo | None) -> list[Cleanup]:
    found = []
    for instruction in dockerfile.instructions if dockerfile else ():
        if instruction.keyword != "RUN":
            continue
        commands = split_commands(instruction.value)
        if not commands or not all(words(c.text)[:1] == ["rm"] for c in commands):
            continue
        workdir = workdir_at(dockerfile.stages[instruction.stage], instruction)  # type: ignore[union-attr]
        paths = tuple(posixpath.normpath(posixpath.join(workdir, w)) for c in commands for w in words(c.text)[1:]
                      if not w.startswith("-") and not re.search(r"[*?$]", w))
        if paths:
            found.append(Cleanup(instruction, paths))
    return found


def _mentions(instruction: Instruction, path: str) -> bool:
    tokens = re.split(r"[\s=\"',;:]+", instruction.value)
    return any(t == path or t.startswith(path.rstrip("/") + "/") for t in tokens)


def _recreates(instruction: Instruction, stage: Stage, path: str) -> bool:
    if instruction.keyword not in ("COPY", "ADD"):
        return False
    _, _, destination = split_copy(instruction.value)
    target = posixpath.normpath(posixpath.join(workdir_at(stage, instruction), destination)) if destination else ""
    return target == path or path.startswith(target.rstrip("/") + "/")


def last_use(dockerfile: DockerfileInfo, cleanup: Cleanup) -> Instruction | None:
    """The last instruction of the stage that reads what the cleanup removes (COPYs that put it there excluded)."""
    stage = dockerfile.stages[cleanup.instruction.stage]
    uses = [i for i in stage.instructions if i is not cleanup.instruction and i.keyword == "RUN"
            and any(_mentions(i, p) for p in cleanup.paths)]
    return uses[-1] if uses else None


def used_after_removal(dockerfile: DockerfileInfo, cleanup: Cleanup) -> Instruction | None:
    """A later instruction that reads a removed path, with nothing putting it back in between (S001-10)."""
    stage = dockerfile.stages[cleanup.instruction.stage]
    later = [i for i in stage.instructions if i.line > cleanup.instruction.line]
    for path in cleanup.paths:
        for instruction in later:
            if _recreates(instruction, stage, path):
                break
            if instruction.keyword == "RUN" and _mentions(instruction, path):
                return instruction
    return None


def removes_as_user(dockerfile: DockerfileInfo, cleanup: Cleanup) -> str | None:
    """The non-root user a cleanup runs as when it removes root's files (S001-9), else None."""
    stage = dockerfile.stages[cleanup.instruction.stage]
    user = user_before(dockerfile, stage, cleanup.instruction)
    if is_root(user):
        return None
    name = user.split(":")[0]
    chowned = [i for i in stage.instructions if i.keyword in ("COPY", "ADD") and i.line < cleanup.instruction.line
               and name in split_copy(i.value)[0].get("chown", "").split(":")]
    for path in cleanup.paths:
        if path.startswith(USER_WRITABLE) or any(_recreates(i, stage, path) for i in chowned):
            continue
        return user
    return None


def placement(dockerfile: DockerfileInfo, cleanup: Cleanup) -> tuple[Instruction, str | None]:
    """(instruction the cleanup goes right after, the user to switch back to when it needs `USER root` there).

    After the last step that uses the files; with nothing using them, before the switch away from root that
    made it run as a user (or where it is).
    """
    stage = dockerfile.stages[cleanup.instruction.stage]
    anchor = last_use(dockerfile, cleanup)
    if anchor is not None:
        user = user_before(dockerfile, stage, anchor)  # the anchor is a RUN: the user after it is the same
        return anchor, (None if is_root(user) else user)
    if removes_as_user(dockerfile, cleanup) is None:
        return cleanup.instruction, None
    switches = [i for i in stage.instructions if i.keyword == "USER" and i.line < cleanup.instruction.line]
    first_away = next((i for i in reversed(switches) if is_root(user_before(dockerfile, stage, i))
                       and not is_root(i.value)), None)
    before = [i for i in stage.instructions if first_away is not None and i.line < first_away.line]
    return (before[-1], None) if before else (cleanup.instruction, None)


def move_cleanup(text: str, dockerfile: DockerfileInfo, cleanup: Cleanup) -> tuple[str, str] | None:
    """The Dockerfile text with the cleanup at its place, and one sentence saying where; None when it is there."""
    anchor, switch_back = placement(dockerfile, cleanup)
    instruction = cleanup.instruction
    if anchor == instruction:
        return None
    stage = dockerfile.stages[instruction.stage]
    following = next((i for i in stage.instructions if i.line > anchor.line), None)
    if following == instruction and switch_back is None:
        return None
    block = source_lines(text, instruction)
    if switch_back is not None:
        block = f"USER root\n{block}\nUSER {switch_back}"
    if instruction.line > anchor.line:  # moving up: remove below first, the anchor's lines stay valid
        text = insert_after(remove_instruction(text, instruction), anchor, block)
    else:  # moving down: insert below first, then remove above
        text = remove_instruction(insert_after(text, anchor, block), instruction)
    where = f"after `{anchor.text.splitlines()[0][:70]}` (line {anchor.line}), the last step that uses the files"
    return text, where + (f", as root, then back to {switch_back}" if switch_back else ", as root")


def cleanup_finding(rule: str, context: Context, cleanup: Cleanup, message: str,
                    evidence: tuple[str, ...]) -> Finding:
    """A finding about a misplaced cleanup, located at it and captured by its line for `move_misplaced_cleanup`."""
    line = cleanup.instruction.line
    return Finding(rule, message, evidence=evidence, location=Location(context.dockerfile_path, line),
                   captures={"line": str(line)})


def move_misplaced_cleanup(context: Context, finding: Finding) -> Fix | Skip:
    """The fix of DF012 and DF013: the cleanup the finding points at moves to its `placement`."""
    dockerfile = context.project.dockerfile
    cleanup = next((c for c in cleanups(dockerfile) if str(c.instruction.line) == finding.capture("line")), None)
    if dockerfile is None or cleanup is None:
        return Skip("the cleanup is no longer there")
    moved = move_cleanup(context.dockerfile_text, dockerfile, cleanup)
    if moved is None:
        return Skip("the cleanup is already where it belongs")
    text, where = moved
    return Fix({context.dockerfile_path: text}, f"moved `{cleanup.instruction.value}` {where}")
