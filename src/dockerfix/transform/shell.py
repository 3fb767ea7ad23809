"""Edits of the shell commands inside a RUN instruction: split at `&&`, `||`, `;`, `|`; drop, replace or
reword one command; render the instruction again.

An edit keeps the user's layout whenever it can: a command found verbatim in the instruction's text is
replaced in place; only a command that spans continuation lines makes the RUN be rendered again, one
command per line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from dockerfix.analyse.shell import Command, split_commands
from dockerfix.model import Instruction
from dockerfix.transform.dockerfile import remove_instruction, replace_instruction, source_lines


def _render(commands: list[Command], multiline: bool) -> str:
    joiner = " \\\n " if multiline else " "
    parts = [commands[0].text]
    for command in commands[1:]:
        parts.append(f"{joiner}{command.separator} {command.text}" if command.separator != ";" else f";{joiner}{command.text}")
    return "RUN " + "".join(parts)


def edit_commands(source: str, instruction: Instruction, replacements: Mapping[str, str | None]) -> str | None:
    """The RUN instruction's new source with commands replaced (old text → new text, None: dropped).

    `source` is the instruction's lines as the file has them (`transform.dockerfile.source_lines`). Returns
    None when no command is left (the caller removes the instruction).
    """
    if instruction.keyword != "RUN":
        raise ValueError(f"{instruction.keyword} is not a RUN instruction")
    commands = split_commands(instruction.value)
    edited: list[Command] = []
    for command in commands:
        if command.text not in replacements:
            edited.append(command)
            continue
        new = replacements[command.text]
        if new is None:
            continue
        edited.append(Command(new, command.separator))
    if not edited:
        return None
    edited[0] = Command(edited[0].text, "")
    in_place = _edit_in_place(source, commands, edited)
    if in_place is not None:
        return in_place
    return _render(edited, multiline="\n" in source)


def _edit_in_place(source: str, before: list[Command], after: list[Command]) -> str | None:
    """Replacements of whole commands found verbatim in the source; None when one spans lines or is ambiguous."""
    if len(before) != len(after):
        return None  # a dropped command: re-render rather than guess which operator and line break go with it
    for old, new in zip(before, after, strict=True):
        if old.text == new.text:
            continue
        if source.count(old.text) != 1:
            return None
        source = source.replace(old.text, new.text)
    return source


def apply_command_edits(text: str, edits: Mapping[Instruction, Mapping[str, str | None]]) -> str:
    """Edit the commands of several RUN instructions of a Dockerfile text (bottom-up, so lines stay valid);
    a RUN left without commands is removed."""
    for instruction in sorted(edits, key=lambda i: i.line, reverse=True):
        new = edit_commands(source_lines(text, instruction), instruction, edits[instruction])
        text = remove_instruction(text, instruction) if new is None else replace_instruction(text, instruction, new)
    return text


def replace_word(command: str, old: str, new: str) -> str:
    """Replace a whole word (delimited by whitespace, quotes, `=` or the ends) in a command."""
    return re.sub(rf"(?<![^\s'\"=]){re.escape(old)}(?![^\s'\";])", lambda _: new, command)


def remove_option(command: str, option: str) -> str:
    """Drop a flag (`--prod`, or `--prod=value`) from a command."""
    return re.sub(rf"\s+{re.escape(option)}(?:=\S+)?(?=\s|$)", "", command)
