"""The build backend needs the README (or LICENSE) that `.dockerignore` keeps out of the build context.

What it catches: `pip install .` (or `poetry install`, `uv sync`, `pdm install` of the project itself)
after `COPY . .` failing with hatchling's `OSError: Readme file does not exist: README.md`, poetry-core's
``Readme path `/app/README.md` does not exist``, flit's `Description file README.md does not exist`,
pdm-backend's `Readme file not found ('README.md')`, hatchling's `License file does not exist: LICENSE` or a
setup.py's `FileNotFoundError: ... 'README.md'`, in a project whose `.dockerignore` has `*.md` or `README*`.
Why it breaks: the backend puts the file into the package metadata (the long description, the license),
and refuses to build without it; `.dockerignore` removed it from what `COPY . .` could copy.
The fix: the file is let back into the build context: a pattern naming exactly it is removed, a wider one
stays and `!README.md` follows it (DF001's edit). Detected before any build from `readme` / `license-files`
in pyproject.toml when the Dockerfile installs the project itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockerfix.analyse.dockerignore import excluding_pattern
from dockerfix.analyse.copy_sources import copied_paths
from dockerfix.analyse.install_steps import installs_project_too
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, evidence_lines, regex
from dockerfix.transform.dockerignore import fix_ignored_path

ID = "DF029"


def metadata_files(context: Context) -> list[str]:
    """The files the build backend reads into the metadata: the readme and the license files."""
    pyproject = context.project.pyproject
    if pyproject is None:
        return []
    # as the build context names them: in a monorepo they lie in the project's folder (backend/README.md)
    return [context.project.context_path(p) for p in (pyproject.readme, *pyproject.license_files) if p and "*" not in p]


def _ignored(context: Context, path: str) -> tuple[str, int] | None:
    in_root = context.project.root_path(path)
    if not (context.root / in_root).is_file() and in_root not in context.files:
        return None
    return excluding_pattern(context.project.dockerignore, path)


def _finding(context: Context, path: str, evidence: tuple[str, ...]) -> Finding | None:
    excluded = _ignored(context, path)
    if excluded is None:
        return None
    pattern, line = excluded
    return Finding(ID, f"the build backend reads {path} into the package metadata, but .dockerignore:{line} "
                       f"({pattern}) keeps it out of the build context",
                   evidence=(*evidence, f".dockerignore:{line}: {pattern}"), location=Location(".dockerignore", line),
                   captures={"path": path})


def detect(context: Context) -> Iterator[Finding]:
    dockerfile = context.project.dockerfile
    installs = next((i for i in dockerfile.instructions if i.keyword == "RUN" and installs_project_too(i.value)),
                    None) if dockerfile else None
    if installs is None:
        return
    named = {path for path, _ in copied_paths(context.project)}  # a COPY naming the file itself is DF001's
    for path in metadata_files(context):
        if path not in named:
            finding = _finding(context, path, (installs.text,))
            if finding is not None:
                yield finding


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    logged = next(v for v in match.groupdict().values() if v).strip("'\"`")
    known = metadata_files(context) or ["README.md"]
    path = next((p for p in known if logged == p or logged.endswith("/" + p)), None)
    return _finding(context, path, evidence_lines(log, match, before=1, after=0)) if path else None


def fix(context: Context, finding: Finding) -> Fix | Skip:
    path = finding.capture("path")
    return fix_ignored_path(context, path, f"the build backend needs {path}")


RULE = Rule(
    id=ID,
    name="readme-ignored",
    kind="build",
    summary="The build backend needs a README/LICENSE that .dockerignore excludes",
    explanation=__doc__,
    case="readme-dockerignored",
    log=regex(r"(?:Readme|License) file does not exist: (?P<hatchling>\S+)",
              r"Readme path `(?P<poetry>[^`]+)` does not exist",
              r"Description file (?P<flit>\S+) does not exist",
              r"Readme file not found \('(?P<pdm>[^']+)'\)",
              r"FileNotFoundError: \[Errno 2\] No such file or directory: "
              r"'(?P<setup>[^']*(?:README|LICEN[CS]E|COPYING)[^']*)'"),
    detect=detect,
    from_log=from_log,
    fix=fix,
)
