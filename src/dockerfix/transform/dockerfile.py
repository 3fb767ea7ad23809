"""Line-based edits of a Dockerfile text, addressed by the instructions `parse_dockerfile` found.

Edits keep every other line (comments, spacing, continuation style) exactly as the user wrote it.
"""

from __future__ import annotations

from dockerfix.analyse.model import Instruction


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


def move_after(text: str, instruction: Instruction, anchor: Instruction) -> str:
    """Move `instruction` to just after `anchor` (which must come later in the file)."""
    if anchor.line < instruction.line:
        raise ValueError("move_after moves an instruction down the file only")
    lines = _lines(text)
    block = lines[instruction.line - 1: instruction.end_line]
    rest = lines[: instruction.line - 1] + lines[instruction.end_line:]
    anchor_end = anchor.end_line - len(block)
    return _join(rest[:anchor_end] + block + rest[anchor_end:])
