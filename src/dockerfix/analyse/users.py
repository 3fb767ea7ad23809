"""The users a Dockerfile creates (`useradd`, Debian's `adduser`) and the home each of them gets.

Debian's defaults decide it: `useradd NAME` records /home/NAME but creates it only with `--create-home`;
`adduser NAME` creates /home/NAME; `adduser --system NAME` gets /nonexistent, which is never created,
unless `--home DIR` is given (then DIR is created, owned by the user) (checked on python:3.11-slim, bookworm).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from dockerfix.model import DockerfileInfo, Instruction, Stage
from dockerfix.analyse.shell import split_commands, words

USER_TOOL = re.compile(r"^(?:\S*/)?(?P<tool>useradd|adduser)$")
# Options of each tool that take a value (the word after them is not the user name).
USERADD_VALUED = frozenset({"-d", "--home-dir", "--home", "-s", "--shell", "-u", "--uid", "-g", "--gid", "-G", "--groups",
                            "-c", "--comment", "-k", "--skel", "-e", "--expiredate", "-f", "--inactive", "-K",
                            "--key", "-p", "--password", "-R", "--root", "-P", "--prefix", "-b", "--base-dir"})
ADDUSER_VALUED = frozenset({"--home", "--shell", "--uid", "--gid", "--ingroup", "--gecos", "--comment", "--conf",
                            "--firstuid", "--lastuid", "--firstgid", "--lastgid", "--add-extra-groups",
                            # useradd's and BusyBox's, which Debian's adduser rejects (DF011) but must be read past
                            "-d", "--home-dir", "-h", "-s", "-u", "-g", "-G", "-c", "-k", "-e", "-f"})
NO_HOME = "/nonexistent"


@dataclass(frozen=True)
class UserCreation:
    instruction: Instruction
    command: str  # the useradd/adduser command, as written
    tool: str  # "useradd" or "adduser"
    name: str
    home: str  # the home directory the passwd entry records
    creates_home: bool  # whether the command creates it (owned by the user)
    options: tuple[tuple[str, str], ...]  # (option, value or "") in order


def parse_user_creation(instruction: Instruction, command: str) -> UserCreation | None:
    argv = words(command)
    match = USER_TOOL.match(argv[0]) if argv else None
    if match is None:
        return None
    tool = match.group("tool")
    valued = USERADD_VALUED if tool == "useradd" else ADDUSER_VALUED
    options: list[tuple[str, str]] = []
    positionals: list[str] = []
    index = 1
    while index < len(argv):
        word = argv[index]
        if word.startswith("-"):
            name, equals, value = word.partition("=")
            if not equals and name in valued and index + 1 < len(argv):
                index += 1
                value = argv[index]
            options.append((name, value))
        else:
            positionals.append(word)
        index += 1
    if not positionals or (tool == "adduser" and len(positionals) > 1):
        return None  # `adduser USER GROUP` adds a user to a group; nothing is created
    name = positionals[0]
    given = dict(options)
    if tool == "useradd":
        home = given.get("-d") or given.get("--home-dir") or given.get("--home") or posixpath.join("/home", name)
        creates = ("-m" in given or "--create-home" in given) and "-M" not in given and "--no-create-home" not in given
    else:
        system = "--system" in given
        home = given.get("--home") or (NO_HOME if system else posixpath.join("/home", name))
        creates = home != NO_HOME and "--no-create-home" not in given
    return UserCreation(instruction, command, tool, name, home, creates, tuple(options))


def user_creations(dockerfile: DockerfileInfo | None, stage: Stage | None = None) -> list[UserCreation]:
    """Every user the Dockerfile (or one stage of it) creates, in order."""
    found = []
    instructions = stage.instructions if stage is not None else (dockerfile.instructions if dockerfile else ())
    for instruction in instructions:
        if instruction.keyword != "RUN":
            continue
        for command in split_commands(instruction.value):
            creation = parse_user_creation(instruction, command.text)
            if creation is not None:
                found.append(creation)
    return found


def is_root(user: str) -> bool:
    """Whether a USER value ("" for the image default) means root."""
    return user.split(":")[0].strip() in ("", "root", "0")


def creation_of(dockerfile: DockerfileInfo, stage: Stage, user: str) -> UserCreation | None:
    """How the stage created `user` (a USER value), if it did."""
    name = user.split(":")[0].strip()
    return next((c for c in reversed(user_creations(dockerfile, stage)) if c.name == name), None)


def with_home(creation: UserCreation) -> str:
    """The creation command changed so that it creates the user's home, owned by the user."""
    home = creation.home if creation.home != NO_HOME else posixpath.join("/home", creation.name)
    command = creation.command
    if creation.tool == "useradd":
        command = re.sub(r"(?<!\S)(?:-M|--no-create-home)(?!\S)\s*", "", command)
        if creation.home == NO_HOME:
            command = re.sub(rf"((?:-d|--home-dir|--home)[=\s]+){re.escape(NO_HOME)}", rf"\g<1>{home}", command)
        return re.sub(r"^(\S*useradd)\b", r"\1 --create-home", command, count=1)
    command = re.sub(r"(?<!\S)--no-create-home(?!\S)\s*", "", command)
    if "--home" in dict(creation.options):
        return re.sub(rf"(--home[=\s]+){re.escape(creation.home)}", rf"\g<1>{home}", command)
    return re.sub(r"^(\S*adduser)\b", rf"\1 --home {home}", command, count=1)
