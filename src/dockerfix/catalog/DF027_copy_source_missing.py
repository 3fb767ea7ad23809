"""A COPY or ADD names a path that does not exist in the project (not ignored: really missing).

What it catches: `COPY requirements.txt .` failing with `"/requirements.txt": not found` (BuildKit) or
`COPY failed: file not found in build context or excluded by .dockerignore: stat requirements.txt: file does
not exist` (classic builder) when the project keeps its requirements in `requirements/base.txt`, or after a
file was moved or the Dockerfile has a typo.
Why it breaks: COPY reads from the build context only, and the path is not there at all (a path that
exists but is excluded by `.dockerignore` is DF001's).
The fix: when exactly one plausible file exists (the same file name elsewhere in the project, or, for a
requirements file, the project's one top-level requirements file), the COPY copies it instead, under the
name the later steps use (`COPY requirements/base.txt ./requirements.txt`). Otherwise, or when the candidate
includes other requirements files, the finding lists what was looked for and nothing is edited. Detected
before any build.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator

from dockerfix.analyse.dockerfile import exec_form, split_copy
from dockerfix.analyse.dockerignore import excluding_pattern
from dockerfix.model import Instruction, Project
from dockerfix.analyse.copy_sources import MISSING_SOURCE, copied_paths, missing_path_from_log
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip
from dockerfix.transform.dockerfile import replace_instruction

ID = "DF027"
NOT_SEARCHED = frozenset({".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".nox", ".mypy_cache",
                          "build", "dist"})
REQUIREMENTS_NAME = re.compile(r"^requirements[\w.-]*\.(?:txt|in)$")


def _exists(context: Context, path: str) -> bool:
    in_root = context.project.root_path(path)
    return in_root in context.files or (context.root / in_root).exists()


def candidates(project: Project, path: str) -> list[str]:
    """Context paths that are plausibly what the COPY meant: same file name elsewhere, else the manifest."""
    name = posixpath.basename(path)
    found: list[str] = []
    context_root = project.root / project.context
    for folder, dirs, files in os.walk(context_root):
        dirs[:] = sorted(d for d in dirs if d not in NOT_SEARCHED)
        for entry in (*dirs, *files):
            if entry == name:
                found.append(os.path.relpath(os.path.join(folder, entry), context_root).replace(os.sep, "/"))
    found = [f for f in found
             if f != path and not re.search(r"\s", f) and excluding_pattern(project.dockerignore, f) is None]
    if not found and REQUIREMENTS_NAME.match(name):
        included = {i for r in project.requirements for i in r.includes}
        found = [posixpath.relpath(r.path, project.context) for r in project.requirements if r.path not in included]
        found = [f for f in found if f != path and not f.startswith("..")]
    return found


def _finding(context: Context, path: str, instruction: Instruction, evidence: tuple[str, ...]) -> Finding:
    found = candidates(context.project, path)
    where = (f"; the project has {found[0]}" if len(found) == 1 else
             f"; several files could be meant: {', '.join(found[:5])}" if found else "; no file of that name exists")
    return Finding(ID, f"{path}, copied by {context.dockerfile_path}:{instruction.line}, is not in the project{where}",
                   evidence=evidence, location=Location(context.dockerfile_path, instruction.line),
                   captures={"path": path, "candidate": found[0] if len(found) == 1 else ""})


def _missing(context: Context, path: str) -> bool:
    return not _exists(context, path) and excluding_pattern(context.project.dockerignore, path) is None


def detect(context: Context) -> Iterator[Finding]:
    for path, instruction in copied_paths(context.project):
        if _missing(context, path):
            yield _finding(context, path, instruction, (instruction.text,))


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    path = missing_path_from_log(match)
    if not path or not _missing(context, path):
        return None  # present, or ignored (DF001's)
    instruction = next((i for p, i in copied_paths(context.project) if p == path), None)
    if instruction is None:
        return None
    return _finding(context, path, instruction, (match.group(0), instruction.text))


def _is_directory(destination: str, instruction: Instruction, project: Project, sources: int) -> bool:
    if sources > 1 or destination.endswith("/") or destination in (".", "./"):
        return True
    workdirs = {i.value.strip().rstrip("/") for i in project.dockerfile.instructions  # type: ignore[union-attr]
                if i.keyword == "WORKDIR" and i.stage == instruction.stage}
    return destination.rstrip("/") in workdirs


def fix(context: Context, finding: Finding) -> Fix | Skip:
    path, candidate = finding.capture("path"), finding.capture("candidate")
    if not candidate:
        return Skip(f"no single file in the project is plausibly {path}: " + finding.message.split("; ", 1)[-1])
    included = next((r.includes for r in context.project.requirements if r.path == candidate), ())
    if included:
        return Skip(f"{candidate} includes {', '.join(included)}: copy them together (e.g. the whole directory)")
    instruction = next((i for p, i in copied_paths(context.project) if p == path), None)
    if instruction is None or exec_form(instruction.value) is not None:
        return Skip(f"no shell-form COPY of {path} is left")
    flags, sources, destination = split_copy(instruction.value)
    written = next(s for s in sources if s.strip().removeprefix("./").strip("/") == path)
    rest = [s for s in sources if s is not written]
    renamed = posixpath.basename(candidate) != posixpath.basename(path)
    target = destination
    if renamed and _is_directory(destination, instruction, context.project, len(sources)):
        target = posixpath.join(destination, posixpath.basename(path))  # the name later steps use
    options = " ".join(f"--{k}={v}" if v else f"--{k}" for k, v in flags.items())
    keyword = instruction.keyword
    new_copy = " ".join(w for w in (keyword, options, candidate, target) if w)
    lines = [" ".join(w for w in (keyword, options, *rest, destination) if w)] if rest else []
    new = "\n".join([*lines, new_copy])
    text = replace_instruction(context.dockerfile_text, instruction, new)
    return Fix({context.dockerfile_path: text}, f"copied {candidate} instead of the missing {path}"
               + (f" (as {target}, the name the later steps use)" if target != destination else ""))


RULE = Rule(
    id=ID,
    name="copy-source-missing",
    kind="build",
    summary="A COPY/ADD source does not exist in the project",
    explanation=__doc__,
    case="copy-missing-requirements",
    log=MISSING_SOURCE,
    detect=detect,
    from_log=from_log,
    fix=fix,
)
