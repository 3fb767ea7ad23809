"""Which context paths a Dockerfile's COPY/ADD instructions read, and which one a log says the engine did not find."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from dockerfix.analyse.dockerfile import split_copy
from dockerfix.model import Instruction, Project

GLOB = re.compile(r"[*?\[]")
# A COPY/ADD source the engine did not find in the build context: BuildKit (current: `failed to calculate
# checksum of ref ...: "/x": not found`; Docker 20.10's: `failed to compute cache key: "/x" not found: not
# found`), then the classic builder (Docker >= 19.03: `file not found in build context ...: stat x: file does not
# exist`; 17.06-19.03: `stat /var/lib/docker/tmp/docker-builderNNN/x: no such file or directory`; older:
# `lstat x: no such file or directory`).
MISSING_SOURCE = tuple(re.compile(pattern, re.MULTILINE) for pattern in (
    r'"/?(?P<path>[^"\s]+)":? not found',
    r"(?:COPY|ADD) failed: (?:file not found in build context or excluded by \.dockerignore: )?"
    r"stat (?P<path2>\S+): file does not exist",
    r"(?:COPY|ADD) failed: stat /var/lib/docker/tmp/docker-builder\d+/(?P<path3>\S+): no such file or directory",
    r"^lstat (?P<path4>\S+): no such file or directory",
))


def context_sources(instructions: Iterable[Instruction]) -> Iterator[tuple[str, Instruction]]:
    """(source as written, instruction) for every COPY/ADD source read from the build context (not --from)."""
    for instruction in instructions:
        if instruction.keyword not in ("COPY", "ADD"):
            continue
        flags, sources, _ = split_copy(instruction.value)
        if "from" not in flags:
            yield from ((source, instruction) for source in sources)


def copied_paths(project: Project) -> list[tuple[str, Instruction]]:
    """(context path, instruction) for every literal source of a COPY/ADD that reads the build context."""
    out: list[tuple[str, Instruction]] = []
    for source, instruction in context_sources(project.dockerfile.instructions if project.dockerfile else ()):
        path = source.strip().removeprefix("./").lstrip("/").rstrip("/")
        if path in ("", "."):
            continue
        if path and not GLOB.search(path) and "://" not in path and "$" not in path:
            out.append((path, instruction))
    return out


def missing_path_from_log(match: re.Match[str]) -> str:
    groups = match.groupdict()
    return next((v for v in groups.values() if v), "").strip("/")
