"""A module the project's code imports is kept out of the image by `.dockerignore`.

What it catches: code that reaches the image imports a project module (`from app import local_settings`) whose
file a `.dockerignore` pattern excludes (`*settings*.py`, `app/plugins/`); verification finds the module
missing in the image: `ModuleNotFoundError` at start-up, or only on the code path that imports it. Detected
before any build as well.
Why it breaks: `COPY . .` copies what the build context holds, and the client leaves every path a
`.dockerignore` pattern matches out of the context, whatever the code imports.
The fix: the module's path is let back in: a pattern naming exactly it is removed, a wider one stays and is
followed by `!path`. If the module holds secrets that must not be in the image, the code must not import it
there (read the values from the environment instead).
"""

from __future__ import annotations

from collections.abc import Iterator

from dockerfix.analyse.imports import ignored_imports
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip
from dockerfix.checks import Check, DockerignoreImports
from dockerfix.transform.dockerignore import fix_ignored_path

ID = "DF050"


def _finding(module: str, path: str, importer: str, line: int, pattern: str, evidence: tuple[str, ...]) -> Finding:
    return Finding(ID, f"{importer} imports {module}, but .dockerignore:{line} (`{pattern}`) keeps {path} out of "
                       "the image", evidence=evidence, location=Location(".dockerignore", line),
                   captures={"module": module, "path": path})


def detect(context: Context) -> Iterator[Finding]:
    for item in ignored_imports(context.root, context.project.dockerignore):
        yield _finding(item.module, item.path, item.importer, item.line, item.pattern,
                       (f"{item.importer}: import {item.module}", f".dockerignore:{item.line}: {item.pattern}"))


def from_check(context: Context, check: Check) -> Finding | None:
    facts = check.facts
    if not isinstance(facts, DockerignoreImports) or not facts.missing:
        return None
    item = facts.missing[0]
    return _finding(item.module, item.path, item.importer, item.line, item.pattern,
                    (f"{item.importer}: import {item.module}: not in the image",))


def fix(context: Context, finding: Finding) -> Fix | Skip:
    path = finding.capture("path")
    return fix_ignored_path(context, path, f"the code imports {finding.capture('module')}")


RULE = Rule(
    id=ID,
    name="imported-module-ignored",
    kind="run",
    summary="A module the code imports is excluded by .dockerignore",
    explanation=__doc__,
    case="run-imported-module-ignored",
    detect=detect,
    checks=("dockerignore-imports",),
    from_check=from_check,
    fix=fix,
)
