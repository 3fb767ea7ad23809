"""Paths inside the image, as tracebacks and error messages print them, mapped back to the project's files."""

from __future__ import annotations

import posixpath
import re

from dockerfix.analyse.dockerfile import split_copy
from dockerfix.model import Context, Instruction, Project, Stage

SITE_PACKAGES = re.compile(r"/(?:site|dist)-packages/(.+)$")
INTERPRETER_LIBRARY = re.compile(r"/lib/python\d")


def workdir(context: Context) -> str:
    """The final stage's working directory ("/" when none is set)."""
    dockerfile = context.project.dockerfile
    instruction = dockerfile.last("WORKDIR") if dockerfile else None
    return posixpath.normpath(instruction.value.strip().strip("\"'")) if instruction else "/"


def workdir_at(stage: Stage, before: Instruction | None = None) -> str:
    """The working directory `before` runs in (None: the one the stage ends in), from the stage's WORKDIRs; "/"
    without any."""
    directory = "/"
    for instruction in stage.instructions:
        if before is not None and instruction.line >= before.line:
            break
        if instruction.keyword == "WORKDIR":
            directory = posixpath.join(directory, instruction.value.strip().strip("\"'"))
    return posixpath.normpath(directory)


def relative_to_workdir(context: Context, path: str) -> str:
    """`/app/scripts/x.py` → `scripts/x.py` when the working directory is /app; a path outside it stays absolute."""
    absolute = posixpath.normpath(posixpath.join(workdir(context), path))
    prefix = workdir(context).rstrip("/") + "/"
    return absolute[len(prefix):] if absolute.startswith(prefix) else absolute


def project_file(context: Context, path: str) -> str | None:
    """The project file `path` (inside the image) is a copy of, or None when it is not the project's own code.

    An installed copy in site-packages counts only under one of the project's import packages; the interpreter's
    own library never does. Otherwise the working directory is stripped, then the longest suffix of the path
    that names a file of the project wins.
    """
    root = context.root
    installed = SITE_PACKAGES.search(path)
    if installed:
        relative = installed.group(1)
        if relative.split("/")[0] not in context.project.import_packages:
            return None
        for candidate in (relative, f"src/{relative}"):
            if (root / candidate).is_file():
                return candidate
        return None
    if INTERPRETER_LIBRARY.search(path):
        return None
    candidate = relative_to_workdir(context, path)
    if not candidate.startswith("/") and (root / candidate).is_file():
        return candidate
    parts = path.strip("/").split("/")
    for start in range(1, len(parts)):
        candidate = "/".join(parts[start:])
        if (root / candidate).is_file():
            return candidate
    return None


def application_dirs(project: Project) -> list[str]:
    """The image directories that hold the application's files: the final stage's WORKDIR and where its COPY and
    ADD instructions put files; never / (the whole system)."""
    stage = project.dockerfile.final_stage if project.dockerfile else None
    found: list[str] = []
    workdir = "/"
    for instruction in stage.instructions if stage else ():
        if instruction.keyword == "WORKDIR":
            workdir = posixpath.normpath(posixpath.join(workdir, instruction.value.strip().strip("\"'")))
            found.append(workdir)
        elif instruction.keyword in ("COPY", "ADD"):
            destination = split_copy(instruction.value)[2].strip("\"'")
            if destination:
                found.append(posixpath.normpath(posixpath.join(workdir, destination)))
    return [d for d in dict.fromkeys(found) if d != "/"]
