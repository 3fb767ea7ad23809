"""A COPY or ADD names a file that `.dockerignore` keeps out of the build context.

What it catches: `COPY pyproject.toml poetry.lock ./` failing with `"/poetry.lock": not found` (BuildKit) or
`COPY failed: file not found in build context or excluded by .dockerignore` (classic builder) although the
file is right there in the project (seed S000-1: `.dockerignore` had `*.lock`).
Why it breaks: the engine only sees the files the client sends, and the client drops every path a
`.dockerignore` pattern matches, whatever the Dockerfile asks for.
The fix: never ignore a file a COPY/ADD needs. A pattern naming exactly that file is removed; a wider pattern
(`*.lock`) stays and the file is re-included after it with `!poetry.lock`. Detected before any build.
"""

from __future__ import annotations

from collections.abc import Iterator

from dockerfix.analyse.dockerignore import excluding_pattern
from dockerfix.analyse.copy_sources import MISSING_SOURCE, copied_paths, missing_path_from_log
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip
from dockerfix.transform.dockerignore import fix_ignored_path

ID = "DF001"


def detect(context: Context) -> Iterator[Finding]:
    project = context.project
    for path, instruction in copied_paths(project):
        excluded = excluding_pattern(project.dockerignore, path)
        if excluded and (project.root / project.root_path(path)).exists():
            pattern, line = excluded
            yield Finding(ID, f"{path} is copied by {context.dockerfile_path}:{instruction.line} but "
                              f".dockerignore:{line} ({pattern}) keeps it out of the build context",
                          evidence=(instruction.text, f".dockerignore:{line}: {pattern}"),
                          location=Location(".dockerignore", line), captures={"path": path})


def from_log(context: Context, match, log: str) -> Finding | None:
    path = missing_path_from_log(match)
    excluded = excluding_pattern(context.project.dockerignore, path)
    if not excluded or not (context.root / context.project.root_path(path)).exists():
        return None  # really missing: DF027's case
    pattern, line = excluded
    return Finding(ID, f"{path} exists but .dockerignore:{line} ({pattern}) keeps it out of the build context",
                   evidence=(match.group(0), f".dockerignore:{line}: {pattern}"), location=Location(".dockerignore", line),
                   captures={"path": path})


def fix(context: Context, finding: Finding) -> Fix | Skip:
    path = finding.capture("path")
    return fix_ignored_path(context, path, f"the build copies {path}")


RULE = Rule(
    id=ID,
    name="copied-file-ignored",
    kind="build",
    summary="A file the Dockerfile copies is excluded by .dockerignore",
    explanation=__doc__,
    seeds=("S000-1",),
    case="s000-1-lock-ignored",
    log=MISSING_SOURCE,
    detect=detect,
    from_log=from_log,
    fix=fix,
)
