"""The project takes its version from git (setuptools-scm, hatch-vcs, pdm-backend's scm source), and the build has no .git.

What it catches: `pip install .` (or `poetry install`, `uv sync`, `pdm install` of the project itself) failing
with `LookupError: setuptools-scm was unable to detect version for /app` (hatch-vcs: `Error getting the
version from source `vcs`: ...`) or pdm-backend's `Cannot find the version from SCM or SCM isn't detected`.
Why it breaks: the version is computed from the git tags at build time, but `.dockerignore` keeps `.git` out
of the build context (or the context is an export with no `.git` at all), so there is nothing to compute it
from. Copying `.git` in would bust the layer cache on every commit and ship the history.
The fix: the variable the backend reads instead of git (`SETUPTOOLS_SCM_PRETEND_VERSION` for setuptools-scm
and hatch-vcs, `PDM_BUILD_SCM_VERSION` for pdm-backend; tables/scm_versions.toml) is set by an ENV before the
failing install, to the backend's configured fallback version or `0.0.0`; a release build passes the real one
(`--build-arg`/`ENV`). Skipped when the Dockerfile already sets the variable.
"""

from __future__ import annotations

import re

from dockerfix import tables
from dockerfix.analyse.failed_step import failed_run, instruction_at
from dockerfix.catalog.rule import (
    Context,
    Finding,
    Fix,
    Location,
    Rule,
    Skip,
    evidence_lines,
    regex,
)
from dockerfix.plan.safe import shell_quote
from dockerfix.transform.dockerfile import insert_before

ID = "DF014"
VARIABLE_IN_LOG = re.compile(r"`(PDM_BUILD_SCM_VERSION)`")


def _variable(context: Context, log: str) -> str:
    pyproject = context.project.pyproject
    if pyproject and pyproject.scm_version_variable:
        return pyproject.scm_version_variable
    named = VARIABLE_IN_LOG.search(log)
    return named.group(1) if named else "SETUPTOOLS_SCM_PRETEND_VERSION"


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    dockerfile = context.project.dockerfile
    run = failed_run(dockerfile, log)
    if run is None:
        return None
    variable = _variable(context, log)
    return Finding(ID, f"the build at {context.dockerfile_path}:{run.line} computes the project's version from git, "
                       f"but the build context has no .git; {variable} stands in for it",
                   evidence=(*evidence_lines(log, match, before=0, after=1), run.text),
                   location=Location(context.dockerfile_path, run.line),
                   captures={"line": str(run.line), "variable": variable})


def fix(context: Context, finding: Finding) -> Fix | Skip:
    dockerfile = context.project.dockerfile
    run = instruction_at(dockerfile, finding.capture("line"))
    variable = finding.capture("variable")
    if dockerfile is None or run is None:
        return Skip("the failing install is no longer at that line")
    if variable not in tables.scm_version_variables():
        return Skip(f"{variable} is not a version variable dockerfix knows")
    if any(re.search(rf"\b{variable}\b", i.value) for i in dockerfile.instructions if i.keyword in ("ENV", "ARG")):
        return Skip(f"the Dockerfile already sets {variable}: the failure has another cause")
    pyproject = context.project.pyproject
    version = (pyproject.scm_version if pyproject else None) or "0.0.0"
    text = insert_before(context.dockerfile_text, run, f"ENV {variable}={shell_quote(version)}")
    return Fix({context.dockerfile_path: text},
               f"set {variable}={version} before the install at line {run.line}: the build context has no .git "
               "(pass the release's version with --build-arg or ENV for a release image)")


RULE = Rule(
    id=ID,
    name="scm-version-without-git",
    kind="build",
    summary="The version comes from git (setuptools-scm, hatch-vcs, pdm scm), and the build context has no .git",
    explanation=__doc__,
    case="scm-version-without-git",
    log=regex(r"setuptools-scm was unable to detect version for ",
              r"Cannot find the version from SCM or SCM isn't detected"),
    from_log=from_log,
    fix=fix,
    references=("https://setuptools-scm.readthedocs.io/en/latest/overrides/",
                "https://backend.pdm-project.org/metadata/#read-from-scm-tag-supporting-git-and-hg"),
)
