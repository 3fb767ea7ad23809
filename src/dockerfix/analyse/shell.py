"""Shell words of a RUN instruction: its commands split at `&&`, `||`, `;`, `|` (not inside quotes), and each
command's words as the shell splits them. The edits of those commands are `transform.shell`'s.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

OPERATORS = ("&&", "||", ";", "|")


@dataclass(frozen=True)
class Command:
    text: str  # the command, stripped
    separator: str  # the operator before it ("" for the first one)


def split_commands(script: str) -> list[Command]:
    """The commands of a shell script line, split at the top-level operators (not inside quotes)."""
    commands: list[Command] = []
    current: list[str] = []
    separator = ""
    quote: str | None = None
    index = 0
    while index < len(script):
        char = script[index]
        if quote:
            if char == "\\" and quote == '"' and index + 1 < len(script):
                current.append(script[index: index + 2])
                index += 2
                continue
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "\\" and index + 1 < len(script):
            current.append(script[index: index + 2])
            index += 2
            continue
        else:
            operator = next((op for op in OPERATORS if script.startswith(op, index)), None)
            if operator:
                commands.append(Command("".join(current).strip(), separator))
                current, separator = [], operator
                index += len(operator)
                continue
        current.append(char)
        index += 1
    commands.append(Command("".join(current).strip(), separator))
    return [c for c in commands if c.text]


def words(command: str) -> list[str]:
    """A command's words as the shell would split them (falls back to whitespace on unbalanced quotes)."""
    try:
        return shlex.split(command)
    except ValueError:
        return command.split()
