"""Dockerfile text → `DockerfileInfo`, through dockerfile-parse, with the checks it does not make.

dockerfile-parse predates heredocs (`RUN <<EOF`, `COPY <<EOF file`) and reads their bodies as instructions,
and it knows only the `\\` escape: both are handled here before it sees the text, so every Dockerfile a
current BuildKit builds is read, with the facts later stages need (`buildkit_features`: what the classic
builder of Docker 20.10 cannot build).
"""

from __future__ import annotations

import io
import json
import re
import shlex
from dataclasses import dataclass

from dockerfile_parse import DockerfileParser

from dockerfix.model import DockerfileInfo, Instruction, Stage
from dockerfix.errors import InputError

KEYWORDS = frozenset(
    ["FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"]
)
# Parser directives BuildKit knows; they count only in the first lines, before any comment, blank or instruction.
DIRECTIVES = frozenset({"syntax", "escape", "check"})
DIRECTIVE = re.compile(r"#\s*(?P<key>[A-Za-z]+)\s*=\s*(?P<value>\S.*?)\s*")
HEREDOC = re.compile(r"(?<!<)<<(?!<)(?P<strip>-?)(?P<quote>[\"']?)(?P<word>[A-Za-z_][A-Za-z0-9_]*)(?P=quote)")
HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})
FLAG = re.compile(r"^--(?P<name>[a-z-]+)(?:=(?P<value>\S*))?")
# The BuildKit flags a RUN may start with (`RUN --mount=type=cache,target=/root/.cache pip install .`).
RUN_FLAGS = re.compile(r"^(?:--(?:mount|network|security)=\S+\s+)+")
AUTOMATIC_PLATFORM_ARG = re.compile(r"\$\{?(?:BUILD|TARGET)(?:PLATFORM|OS|ARCH|VARIANT)\b")
# Instruction flags the classic builder (Docker 20.10, DOCKER_BUILDKIT=0) refuses; all need BuildKit.
BUILDKIT_FLAGS = {
    "RUN": frozenset({"mount", "network", "security"}),
    "COPY": frozenset({"chmod", "link", "parents", "exclude"}),
    "ADD": frozenset({"chmod", "link", "checksum", "keep-git-dir", "parents", "exclude"}),
}


@dataclass(frozen=True)
class _Heredoc:
    """An instruction with here-documents: its last line (the last terminator) and its value as the shell sees it."""

    end: int  # 0-based index of the last terminator line
    value: str


def parser_directives(lines: list[str]) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    for line in lines:
        match = DIRECTIVE.fullmatch(line.strip())
        key = match["key"].lower() if match else ""
        if key not in DIRECTIVES or any(k == key for k, _ in found):
            break  # an unknown directive is a comment, and a comment ends the directives
        found.append((key, match["value"]))  # type: ignore[index]
    return tuple(found)


def _logical_end(lines: list[str], start: int, escape: str) -> int:
    """The index of the last physical line of the instruction starting at `start` (comments inside are skipped)."""
    index = start
    while lines[index].rstrip().endswith(escape) and index + 1 < len(lines):
        index += 1
        while index + 1 < len(lines) and (not lines[index].strip() or lines[index].lstrip().startswith("#")):
            index += 1
    return index


def _quoted(command: str, position: int) -> bool:
    """Whether `position` lies inside a quoted string of the shell command (`echo '<<EOF'` has no here-document)."""
    quote = ""
    for char in command[:position]:
        if char in "'\"" and quote in ("", char):
            quote = "" if quote else char
    return bool(quote)


def _heredocs(relpath: str, lines: list[str], escape: str) -> dict[int, _Heredoc]:
    """Instructions with here-documents, by the 0-based index of their first line."""
    found: dict[int, _Heredoc] = {}
    index = 0
    while index < len(lines):
        stripped = lines[index].strip()
        if not stripped or stripped.startswith("#"):
            index += 1
            continue
        start, end = index, _logical_end(lines, index, escape)
        index = end + 1
        keyword, _, rest = stripped.partition(" ")
        if keyword.upper() not in HEREDOC_KEYWORDS:
            continue
        command = " ".join([rest, *(line.strip().removesuffix(escape) for line in lines[start + 1:end + 1]
                                    if line.strip() and not line.lstrip().startswith("#"))])
        command = command.replace(escape + " ", " ").strip()
        markers = [m for m in HEREDOC.finditer(command) if not _quoted(command, m.start())]
        if not markers:
            continue
        bodies: list[str] = []
        for marker in markers:
            body: list[str] = []
            while index < len(lines) and (lines[index].lstrip("\t") if marker["strip"] else lines[index]).rstrip() != marker["word"]:
                body.append(lines[index].lstrip("\t") if marker["strip"] else lines[index])
                index += 1
            if index >= len(lines):
                raise InputError(relpath, start + 1, f"the here-document <<{marker['word']} is never closed "
                                                     f"(no line {marker['word']!r} after it)")
            bodies.append("\n".join(body))
            index += 1
        flags = [w for w in command.split() if w.startswith("--")]
        words = [w for w in HEREDOC.sub(" ", command).split() if not w.startswith("--")]
        if keyword.upper() == "RUN" and not words:
            # `RUN <<EOF` alone runs the document as the script: that is the command the later stages read
            value = " ".join([*flags, "\n".join(bodies)]).strip()
        elif keyword.upper() == "RUN":
            # `RUN python - <<EOF`: the instruction and its documents are one shell script, as written
            value = "\n".join([command, *(f"{b}\n{m['word']}" for b, m in zip(bodies, markers, strict=True))])
        else:
            value = command  # COPY/ADD <<EOF dest: the document is a source (split_copy leaves it out)
        found[start] = _Heredoc(end=index - 1, value=value)
    return found


def _buildkit_features(instructions: list[Instruction], heredocs: dict[int, _Heredoc]) -> tuple[tuple[int, str], ...]:
    features: list[tuple[int, str]] = []
    for instruction in instructions:
        if instruction.line - 1 in heredocs:
            features.append((instruction.line, f"{instruction.keyword} with a here-document (<<)"))
        for word in instruction.value.split():
            flag = FLAG.match(word)
            if not flag:
                break
            if flag["name"] in BUILDKIT_FLAGS.get(instruction.keyword, ()):
                features.append((instruction.line, f"{instruction.keyword} --{flag['name']}"))
            elif flag["name"] == "platform" and AUTOMATIC_PLATFORM_ARG.search(flag["value"] or ""):
                # the classic builder does not define BuildKit's automatic platform ARGs: the flag is empty there
                features.append((instruction.line, f"{instruction.keyword} --platform={flag['value']}"))
    return tuple(features)


def parse_dockerfile(relpath: str, text: str) -> DockerfileInfo:
    if not text.strip():
        raise InputError(relpath, None, "is empty: a Dockerfile needs at least a FROM instruction")
    lines = text.splitlines()
    directives = parser_directives(lines)
    escape = dict(directives).get("escape", "\\")
    if escape not in ("\\", "`"):
        raise InputError(relpath, 1, f"unknown escape character {escape!r} (Docker accepts \\ and `)")
    heredocs = _heredocs(relpath, lines, escape)
    # What dockerfile-parse reads: heredoc bodies blanked (same line numbers), the escape character as `\`.
    hidden = {i for start, doc in heredocs.items() for i in range(_logical_end(lines, start, escape) + 1, doc.end + 1)}
    readable = ["" if i in hidden else line for i, line in enumerate(lines)]
    if escape == "`":
        readable = [line.rstrip()[:-1] + "\\" if line.rstrip().endswith("`") else line for line in readable]
    parser = DockerfileParser(fileobj=io.BytesIO(("\n".join(readable) + "\n").encode("utf-8")), env_replace=False)
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
        heredoc = heredocs.get(item["startline"])
        end = heredoc.end if heredoc else item["endline"]
        instructions.append(
            Instruction(
                keyword=keyword,
                value=heredoc.value if heredoc else item["value"].strip(),
                line=line,
                end_line=end + 1,
                stage=max(stage_index, 0) if keyword != "ARG" or stage_index >= 0 else -1,
                text="\n".join(lines[item["startline"]:end + 1]),
            )
        )
    if stage_index < 0:
        raise InputError(relpath, None, "has no FROM instruction")
    for index in range(stage_index + 1):
        in_stage = tuple(i for i in instructions if i.stage == index)
        base, name = _from_parts(relpath, in_stage[0])
        stages.append(Stage(index=index, name=name, base=base, instructions=in_stage))
    return DockerfileInfo(path=relpath, text=text, instructions=tuple(instructions), stages=tuple(stages),
                          directives=directives, buildkit_features=_buildkit_features(instructions, heredocs))


def needs_buildkit(dockerfile: DockerfileInfo) -> str | None:
    """The first construct only BuildKit builds ("Dockerfile:4 RUN --mount"), or None. A `# syntax=` line alone
    does not count: the classic builder reads it as a comment, and BuildKit would have to pull its frontend."""
    if not dockerfile.buildkit_features:
        return None
    line, what = dockerfile.buildkit_features[0]
    return f"{dockerfile.path}:{line} {what}"


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


def run_flags(value: str) -> tuple[str, str]:
    """(`--mount=... --network=...` flags, the command) of a RUN's value."""
    match = RUN_FLAGS.match(value)
    return (match.group(0).strip(), value[match.end():]) if match else ("", value)


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
    # `COPY <<EOF dest`: a here-document is inline content, not a path in the build context
    return flags, [w for w in rest[:-1] if not HEREDOC.fullmatch(w)], rest[-1]
