"""A change to any source file re-runs the dependency install: the layers are in the wrong order.

What it catches: `COPY . .` (the whole build context) before the `RUN pip install -r requirements.txt`
(or `poetry install`, `uv sync`, ...) of the same stage. Found before any build, and proven by the cache
check (`--cache-check`): the project is rebuilt with one source file touched, and the install step ran
again instead of coming from the cache.
Why it breaks: the engine reuses a layer only while everything before it is unchanged; a COPY of the whole
context changes with every edit, so every rebuild downloads and installs every dependency again (minutes
instead of seconds) and the install may resolve differently each time.
The fix: copy only the files the install reads (the requirements files, or the manifest and lock) before it,
and move the COPY of the sources after it. Not applied when the install also installs the project itself
(`pip install .`, `poetry install` without `--no-root`), which needs the sources: the rewrite splits that
into a dependency install and a project install.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from dockerfix.analyse.dockerfile import split_copy
from dockerfix.model import DockerfileInfo, Instruction
from dockerfix.analyse.install_steps import first_dependency_installs, manifests_read, reads_only_manifests
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip
from dockerfix.checks import CacheRebuild, Check
from dockerfix.transform.dockerfile import insert_before, move_after

ID = "DF051"
WHOLE_CONTEXT = frozenset({".", "./", "*"})


def _context_copy_before(dockerfile: DockerfileInfo, install: Instruction) -> Instruction | None:
    """The COPY/ADD of the whole build context that comes before `install` in its stage."""
    for instruction in dockerfile.stages[install.stage].instructions:
        if instruction.line >= install.line:
            return None
        if instruction.keyword in ("COPY", "ADD"):
            flags, sources, _ = split_copy(instruction.value)
            if "from" not in flags and any(s in WHOLE_CONTEXT for s in sources):
                return instruction
    return None


def _finding(context: Context, copy: Instruction, install: Instruction, evidence: tuple[str, ...]) -> Finding:
    path = context.dockerfile_path
    return Finding(ID, f"{path}:{copy.line} copies the whole context before the dependency install at line "
                       f"{install.line}: any source change re-runs it", evidence=evidence,
                   location=Location(path, copy.line), captures={"install_line": str(install.line)})


def detect(context: Context) -> Iterator[Finding]:
    dockerfile = context.project.dockerfile
    if dockerfile is None:
        return
    for install in first_dependency_installs(dockerfile):
        copy = _context_copy_before(dockerfile, install)
        if copy is not None:
            yield _finding(context, copy, install, (copy.text, install.text.splitlines()[0]))


def from_check(context: Context, check: Check) -> Finding | None:
    dockerfile = context.project.dockerfile
    facts = check.facts
    if dockerfile is None or not isinstance(facts, CacheRebuild):
        return None
    for rerun in facts.reran:
        install = next((i for i in dockerfile.instructions if i.line == rerun.line), None)
        copy = _context_copy_before(dockerfile, install) if install else None
        if install is not None and copy is not None:  # else it re-ran for another reason: no reordering fixes that
            return _finding(context, copy, install, (f"re-ran after a change to {facts.source}: "
                                                     f"{rerun.dockerfile}:{rerun.line} {rerun.text}",))
    return None


def fix(context: Context, finding: Finding) -> Fix | Skip:
    dockerfile = context.project.dockerfile
    install = next((i for i in dockerfile.instructions if str(i.line) == finding.capture("install_line")), None) \
        if dockerfile else None
    copy = _context_copy_before(dockerfile, install) if dockerfile and install else None
    if install is None or copy is None:
        return Skip("the dependency install no longer follows a copy of the whole context")
    if not reads_only_manifests(install.value):
        return Skip("the RUN also installs the project itself or runs other commands, which need the sources")
    manifests = [m for m in manifests_read(install.value) if (context.root / m).is_file() or context.text(m) is not None]
    for requirements in context.project.requirements:
        if requirements.path in manifests:
            manifests += [i for i in requirements.includes if i not in manifests]
    if not manifests:
        return Skip("which files the install reads is unknown")
    flags, _, destination = split_copy(copy.value)
    destination = destination if destination.endswith("/") else f"{destination}/"
    chown = f"--chown={flags['chown']} " if flags.get("chown") else ""
    moved = move_after(context.dockerfile_text, copy, install)
    shift = copy.end_line - copy.line + 1
    install_now = replace(install, line=install.line - shift, end_line=install.end_line - shift)
    text = insert_before(moved, install_now, f"COPY {chown}{' '.join(manifests)} {destination}")
    return Fix({context.dockerfile_path: text},
               f"copied {', '.join(manifests)} before the dependency install and moved `{copy.text.splitlines()[0]}` "
               "after it: a source change reuses the dependency layer")


RULE = Rule(
    id=ID,
    name="dependencies-reinstalled-on-source-change",
    kind="run",
    summary="A change to any source file re-runs the dependency install",
    explanation=__doc__,
    case="run-dependency-layer-not-cached",
    detect=detect,
    checks=("cache",),
    from_check=from_check,
    fix=fix,
)
