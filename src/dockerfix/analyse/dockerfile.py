"""Dockerfile text → `DockerfileInfo`, through dockerfile-parse, with the checks it does not make."""

from __future__ import annotations

import io
import itertools
import json
import re
import shlex

from dockerfile_parse import DockerfileParser

from dockerfix.analyse.model import DockerfileInfo, Instruction, Stage
from dockerfix.errors import InputError

KEYWORDS = frozenset(
    "FROM RUN CMD LABEL MAINTAINER EXPOSE ENV ADD COPY ENTRYPOINT VOLUME USER WORKDIR ARG ONBUILD "
    "STOPSIGNAL HEALTHCHECK SHELL".split()
)


def parse_dockerfile(relpath: str, text: str) -> DockerfileInfo:
    if not text.strip():
        raise InputError(relpath, None, "is empty: a Dockerfile needs at least a FROM instruction")
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")), env_replace=False)
    instructions: list[Instruction] = []
    stages: list[Stage] = []
    stage_index = -1
    for item in parser.structure:
        keyword = item["instruction"].upper()
        line = item["startline"] + 1
        if keyword == "COMMENT":
            continue
        if keyword not in KEYWORDS:
            raise InputError(relpath, line, f"unknown instruction {item['instruction']!r}")
        if keyword == "FROM":
            stage_index += 1
        elif stage_index < 0 and keyword != "ARG":
            raise InputError(relpath, line, f"{keyword} before the first FROM (only ARG may come before FROM)")
        instructions.append(
            Instruction(
                keyword=keyword,
                value=item["value"].strip(),
                line=line,
                end_line=item["endline"] + 1,
                stage=max(stage_index, 0) if keyword != "ARG" or stage_index >= 0 else -1,
                text=item["content"].rstrip("\n"),
            )
        )
    if stage_index < 0:
        raise InputError(relpath, None, "has no FROM instruction")
    for index in range(stage_index + 1):
        in_stage = tuple(i for i in instructions if i.stage == index)
        base, name = _from_parts(relpath, in_stage[0])
        stages.append(Stage(index=index, name=name, base=base, instructions=in_stage))
    return DockerfileInfo(path=relpath, text=text, instructions=tuple(instructions), stages=tuple(stages))


# What the classic builder cannot build: BuildKit's RUN flags (--mount, --network, --security), COPY/ADD flags
# other than --chown/--from (--link, --chmod, --checksum, --parents, --exclude), heredocs, a `# syntax=` frontend.
CLASSIC_COPY_FLAGS = frozenset({"chown", "from"})
HEREDOC = re.compile(r"(?<!<)<<-?\s*([\"']?)[A-Za-z_][\w.-]*\1")
SYNTAX_DIRECTIVE = re.compile(r"^#\s*syntax\s*=", re.IGNORECASE)
DIRECTIVE = re.compile(r"^#\s*\w+\s*=")


def needs_buildkit(dockerfile: DockerfileInfo) -> str | None:
    """What in the Dockerfile only BuildKit builds ("Dockerfile:4 RUN --mount"), or None."""
    for number, line in enumerate(dockerfile.text.splitlines(), start=1):
        if not DIRECTIVE.match(line.strip()):
            break  # parser directives come first, before any comment, blank line or instruction
        if SYNTAX_DIRECTIVE.match(line.strip()):
            return f"{dockerfile.path}:{number} {line.strip()}"
    for ins in dockerfile.instructions:
        where = f"{dockerfile.path}:{ins.line} {ins.keyword}"
        if ins.keyword in ("RUN", "COPY", "ADD") and HEREDOC.search(ins.value.split("\n")[0]):
            return f"{where} <<heredoc"
        flags = [w[2:].partition("=")[0] for w in itertools.takewhile(lambda w: w.startswith("--"), ins.value.split())]
        if ins.keyword == "RUN" and flags:
            return f"{where} --{flags[0]}"
        unsupported = [f for f in flags if f not in CLASSIC_COPY_FLAGS]
        if ins.keyword in ("COPY", "ADD") and unsupported:
            return f"{where} --{unsupported[0]}"
    return None


def _from_parts(relpath: str, instruction: Instruction) -> tuple[str, str | None]:
    words = [w for w in instruction.value.split() if not w.startswith("--platform")]
    if not words:
        raise InputError(relpath, instruction.line, "FROM without an image")
    if len(words) >= 3 and words[1].lower() == "as":
        return words[0], words[2]
    if len(words) != 1:
        raise InputError(relpath, instruction.line, f"cannot read FROM {instruction.value!r} (expected IMAGE [AS NAME])")
    return words[0], None


def exec_form(value: str) -> tuple[str, ...] | None:
    """The argv of a JSON-form CMD/ENTRYPOINT/RUN, or None for shell form."""
    stripped = value.strip()
    if not stripped.startswith("["):
        return None
    try:
        parsed = json.loads(stripped)
    except json.JSONDecodeError:
        return None  # Docker runs an unparsable JSON array as a shell command, and so do we
    if isinstance(parsed, list) and all(isinstance(a, str) for a in parsed):
        return tuple(parsed)
    return None


def command_argv(value: str) -> tuple[str, ...]:
    """argv Docker would run for a CMD/ENTRYPOINT value (shell form goes through /bin/sh -c)."""
    return exec_form(value) or ("/bin/sh", "-c", value)


def split_copy(value: str) -> tuple[dict[str, str], list[str], str]:
    """COPY/ADD value → (flags, sources, destination)."""
    argv = exec_form(value)
    if argv is None:
        argv = tuple(shlex.split(value, posix=True))
    flags: dict[str, str] = {}
    rest: list[str] = []
    for word in argv:
        if word.startswith("--") and not rest:
            key, _, val = word[2:].partition("=")
            flags[key] = val
        else:
            rest.append(word)
    if len(rest) < 2:
        return flags, rest, ""
    return flags, rest[:-1], rest[-1]
