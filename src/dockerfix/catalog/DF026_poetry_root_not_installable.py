"""`poetry install` tries to install the project itself before its sources are in the image (an error since Poetry 2).

What it catches: `Error: The current project could not be installed: No file/folder found for package X`
(or, with `packages = [{ include = "x" }]`, `/app/x does not contain any element` right after `Installing
the current project`), from a `poetry install` that runs after `COPY pyproject.toml poetry.lock` and
before `COPY . .`, typically with an unpinned `pip install poetry` that now brings Poetry 2.
Why it breaks: `poetry install` installs the project's own package after its dependencies. Poetry 1.x only
warned when the package's files were missing ("In a future version of Poetry this warning will become an
error"); Poetry 2 fails.
The fix: `--no-root` on that install: the dependency layer never needed the project, and its sources come
with the later COPY. When the project declares console scripts, `poetry install --only-root` is added after
the COPY that brings the sources, so the scripts exist. When the sources were copied before the install, the
project is not installable as configured: the finding suggests `package-mode = false` (dependencies only)
or a `packages` setting, and nothing is edited. Found before any build when the Dockerfile pip-installs Poetry
unpinned or in a range that admits 2.x (pip picks the newest) and no COPY brings the sources before the install.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockerfix.analyse.dockerfile import split_copy
from dockerfix.model import DockerfileInfo, Instruction, Project, Stage
from dockerfix.analyse.failed_step import failed_run, instruction_at
from dockerfix.analyse.installer_commands import installer_commands
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, evidence_lines, regex
from dockerfix.analyse.tool_installs import installs_release_from
from dockerfix.transform import apt
from dockerfix.transform.dockerfile import insert_after
from dockerfix.transform.shell import apply_command_edits

ID = "DF026"
_ASSIGNMENT = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)+")


def _installs_root(instruction: Instruction) -> list[str]:
    """The `poetry install` commands of a RUN that install the project itself too."""
    return [c.text for c in installer_commands(instruction)
            if c.tool == "poetry install" and "--no-root" not in c.options and "--only-root" not in c.options]


def _copies_sources(instruction: Instruction, project: Project) -> bool:
    if instruction.keyword not in ("COPY", "ADD"):
        return False
    flags, sources, _ = split_copy(instruction.value)
    if "from" in flags:
        return False
    roots = {*project.import_packages, "src"}
    return any(s.strip().removeprefix("./").strip("/") in ("", ".") or
               s.strip().removeprefix("./").split("/")[0] in roots for s in sources)


def _sources_copy_before(stage: Stage, run: Instruction, project: Project) -> Instruction | None:
    return next((i for i in stage.instructions if i.line < run.line and _copies_sources(i, project)), None)


def detect(context: Context) -> Iterator[Finding]:
    """Poetry 2 is certain (an unpinned or 2.x pip install of it) and the root is installed before its sources."""
    dockerfile, project = context.project.dockerfile, context.project
    if dockerfile is None or project.pyproject is None or not project.pyproject.package_mode:
        return
    install = installs_release_from(dockerfile, "poetry", "2.0")
    if install is None:
        return
    for run in (i for i in dockerfile.instructions if _installs_root(i)):
        if _sources_copy_before(apt.stage_of(dockerfile, run), run, project) is None:
            yield Finding(ID, f"`poetry install` at {context.dockerfile_path}:{run.line} also installs the project "
                              f"before its sources are copied, an error with the Poetry 2 that `{install.word}` "
                              f"(line {install.instruction.line}) brings", evidence=(install.instruction.text, run.text),
                          location=Location(context.dockerfile_path, run.line), captures={"line": str(run.line)})


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    dockerfile = context.project.dockerfile
    run = failed_run(dockerfile, log)
    if dockerfile is None or run is None or not _installs_root(run):
        return None
    return Finding(ID, f"`poetry install` at {context.dockerfile_path}:{run.line} also installs the project, whose "
                       "sources are not in the image yet", evidence=(*evidence_lines(log, match, after=1), run.text),
                   location=Location(context.dockerfile_path, run.line), captures={"line": str(run.line)})


def _only_root_after(dockerfile: DockerfileInfo, stage: Stage, run: Instruction, project: Project,
                     command: str) -> tuple[Instruction, str] | None:
    """Where and what installs the project (for its console scripts) once its sources are copied."""
    if project.pyproject is None or not project.pyproject.scripts:
        return None
    later = [i for i in stage.instructions if i.line > run.line]
    if any(i.keyword == "RUN" and ("--only-root" in i.value or _installs_root(i)) for i in later):
        return None
    copy = next((i for i in later if _copies_sources(i, project)), None)
    if copy is None:
        return None
    prefix = _ASSIGNMENT.match(command)
    return copy, f"RUN {prefix.group(0) if prefix else ''}poetry install --only-root --no-interaction"


def fix(context: Context, finding: Finding) -> Fix | Skip:
    dockerfile, project = context.project.dockerfile, context.project
    run = instruction_at(dockerfile, finding.capture("line"))
    if dockerfile is None or run is None or not _installs_root(run):
        return Skip("no `poetry install` that installs the project is left at that line")
    stage = apt.stage_of(dockerfile, run)
    copied = _sources_copy_before(stage, run, project)
    if copied is not None:
        return Skip(f"the sources are copied before the install ({context.dockerfile_path}:{copied.line}), so the "
                    "project is not installable as configured: set `package-mode = false` under [tool.poetry] if "
                    "it is not a package, or `packages` to where its code is")
    commands = _installs_root(run)
    text = context.dockerfile_text
    root_install = _only_root_after(dockerfile, stage, run, project, commands[0])
    summary = f"added --no-root to `poetry install` at line {run.line}: the project's sources come later"
    if root_install is not None:  # below the edited RUN: insert first so its line stays valid
        copy, new = root_install
        text = insert_after(text, copy, new)
        summary += f", and installed the project itself after line {copy.line} for its console scripts"
    text = apply_command_edits(text, {run: {c: f"{c} --no-root" for c in commands}})
    return Fix({context.dockerfile_path: text}, summary)


RULE = Rule(
    id=ID,
    name="poetry-root-not-installable",
    kind="build",
    summary="poetry install installs the project before its sources are copied (an error since Poetry 2)",
    explanation=__doc__,
    case="poetry2-root-install",
    detect=detect,
    log=regex(r"Error: The current project could not be installed: (?P<reason>.*)",
              r"Installing the current project: \S+ \([^)]*\)\s*\n(?:\s*\n)*"
              r"(?P<path>/\S+) does not contain any element"),
    from_log=from_log,
    fix=fix,
    references=("https://python-poetry.org/blog/announcing-poetry-2.0.0/",),
)
