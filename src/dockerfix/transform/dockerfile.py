"""Line-based edits of a Dockerfile text, addressed by the instructions `parse_dockerfile` found.

Edits keep every other line (comments, spacing, continuation style) exactly as the user wrote it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from dockerfix.model import Instruction, Stage


def _lines(text: str) -> list[str]:
    return text.splitlines()


def _join(lines: list[str]) -> str:
    return "\n".join(lines).rstrip("\n") + "\n"


def replace_instruction(text: str, instruction: Instruction, new: str) -> str:
    lines = _lines(text)
    lines[instruction.line - 1: instruction.end_line] = new.splitlines()
    return _join(lines)


def insert_before(text: str, instruction: Instruction, new: str) -> str:
    lines = _lines(text)
    lines[instruction.line - 1: instruction.line - 1] = new.splitlines()
    return _join(lines)


def insert_after(text: str, instruction: Instruction, new: str) -> str:
    lines = _lines(text)
    lines[instruction.end_line: instruction.end_line] = new.splitlines()
    return _join(lines)


def remove_instruction(text: str, instruction: Instruction) -> str:
    lines = _lines(text)
    del lines[instruction.line - 1: instruction.end_line]
    return _join(lines)


def edit_each(text: str, instructions: Iterable[Instruction], edit: Callable[[str, Instruction], str]) -> str:
    """`edit` applied to each of `instructions`, the last in the file first, so that no edit moves the lines of an
    instruction still to be edited."""
    for instruction in sorted(instructions, key=lambda i: i.line, reverse=True):
        text = edit(text, instruction)
    return text


def move_after(text: str, instruction: Instruction, anchor: Instruction) -> str:
    """Move `instruction` to just after `anchor` (which must come later in the file)."""
    if anchor.line < instruction.line:
        raise ValueError("move_after moves an instruction down the file only")
    lines = _lines(text)
    block = lines[instruction.line - 1: instruction.end_line]
    rest = lines[: instruction.line - 1] + lines[instruction.end_line:]
    anchor_end = anchor.end_line - len(block)
    return _join(rest[:anchor_end] + block + rest[anchor_end:])


def source_lines(text: str, instruction: Instruction) -> str:
    """The instruction's lines exactly as the file has them (comment lines inside continuations included)."""
    return "\n".join(_lines(text)[instruction.line - 1: instruction.end_line])


# Instructions that only describe how the image runs; new build steps go before a stage's trailing run of them.
RUN_METADATA = frozenset({"CMD", "ENTRYPOINT", "HEALTHCHECK", "EXPOSE", "LABEL", "STOPSIGNAL", "VOLUME"})


def insert_at_stage_end(text: str, stage: Stage, new: str) -> str:
    """Insert `new` after the stage's last build step, before its trailing CMD/ENTRYPOINT/EXPOSE/... block."""
    instructions = list(stage.instructions)
    index = len(instructions)
    while index > 1 and instructions[index - 1].keyword in RUN_METADATA:
        index -= 1
    if index < len(instructions):
        return insert_before(text, instructions[index], new)
    return insert_after(text, instructions[-1], new)
