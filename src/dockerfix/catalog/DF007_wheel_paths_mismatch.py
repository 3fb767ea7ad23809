"""The final stage's offline pip install reads wheels (or requirements) from a path the builder's files were
not copied to.

What it catches: `pip install --no-index --find-links=/wheels -r /requirements.txt` failing with `ERROR: No
matching distribution found for ...` after `WARNING: Location '/wheels' is ignored: it is either a
non-existing path or lacks a specific scheme` (seed S001-1), or with `Could not open requirements file` for
a requirements file that `COPY --from` put elsewhere.
Why it breaks: `COPY --from=builder /wheels /opt/wheels` puts the wheels where its destination says; pip
reads where its own option says. With `--no-index` an empty or missing `--find-links` directory leaves pip
nothing to install from, and it reports every requirement as missing.
The fix: the COPY --from destination becomes the path pip reads (`COPY --from=builder /wheels /wheels`), so
the builder's path, the copy and the install agree; a cleanup (`rm`) of the old destination follows the
move. Detected before any build when the install's paths are not where any COPY, ADD or earlier RUN puts
files but a `COPY --from` brings the builder's wheels (or the same-named requirements file) elsewhere.
When the paths agree and a distribution is still missing, the builder built too few wheels: not this rule.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from dockerfix.analyse.dockerfile import split_copy
from dockerfix.model import DockerfileInfo, Instruction, Stage
from dockerfix.analyse.failed_step import failed_run
from dockerfix.analyse.image_paths import workdir_at
from dockerfix.analyse.installer_commands import InstallerCommand, installer_commands
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, evidence_lines, regex
from dockerfix.transform.dockerfile import replace_instruction, source_lines
from dockerfix.analyse.shell import split_commands
from dockerfix.transform.shell import apply_command_edits, replace_word

ID = "DF007"
MAKES_DIRECTORY = re.compile(r"^mkdir\b")


@dataclass(frozen=True)
class Misplaced:
    """A path an offline install reads, and the COPY --from that brought the file(s) elsewhere."""

    install: Instruction
    path: str  # what pip reads (absolute)
    copy: Instruction  # the COPY --from whose destination should be `path`
    destination: str  # where that COPY puts them now
    what: str  # "wheels" or "requirements"


def _absolute(path: str, workdir: str) -> str:
    return posixpath.normpath(posixpath.join(workdir, path)).rstrip("/") or "/"


def _stage_by_reference(dockerfile: DockerfileInfo, reference: str) -> Stage | None:
    return next((s for s in dockerfile.stages if s.name == reference or str(s.index) == reference), None)


def _copies(stage: Stage, before: Instruction) -> Iterator[tuple[Instruction, dict[str, str], list[str], str]]:
    for instruction in stage.instructions:
        if instruction.line >= before.line:
            return
        if instruction.keyword in ("COPY", "ADD"):
            flags, sources, destination = split_copy(instruction.value)
            if destination:
                yield instruction, flags, sources, _absolute(destination, workdir_at(stage, instruction))


def _provided(dockerfile: DockerfileInfo, stage: Stage, before: Instruction) -> set[str]:
    """Absolute paths the stage has put files at before `before` (COPY/ADD destinations, wheel dirs, mkdir)."""
    paths: set[str] = set()
    parent = _stage_by_reference(dockerfile, stage.base)
    if parent is not None and parent.index < stage.index:
        paths |= _provided(dockerfile, parent, parent.instructions[-1]) | _wheel_dirs(parent)
    for _, _, sources, destination in _copies(stage, before):
        paths.add(destination)
        paths |= {posixpath.join(destination, posixpath.basename(s.rstrip("/"))) for s in sources}
    for instruction in stage.instructions:
        if instruction.keyword == "RUN" and instruction.line < before.line:
            for command in split_commands(instruction.value):
                if MAKES_DIRECTORY.match(command.text):
                    paths |= {_absolute(w, workdir_at(stage, instruction)) for w in command.text.split()[1:]
                              if not w.startswith("-")}
    return paths | _wheel_dirs(stage, before)


def _wheel_dirs(stage: Stage, before: Instruction | None = None) -> set[str]:
    """Where the stage's `pip wheel -w DIR` commands put wheels."""
    dirs = set()
    for instruction in stage.instructions:
        if before is not None and instruction.line >= before.line:
            break
        for command in installer_commands(instruction):
            if command.tool in ("pip wheel", "uv pip wheel"):
                dirs |= {_absolute(d, workdir_at(stage, instruction)) for d in command.values("-w", "--wheel-dir")}
    return dirs


def _covered(path: str, provided: set[str]) -> bool:
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in provided)


def _misplaced_in(dockerfile: DockerfileInfo, install: Instruction, command: InstallerCommand) -> list[Misplaced]:
    stage = dockerfile.stages[install.stage]
    workdir = workdir_at(stage, install)
    provided = _provided(dockerfile, stage, install)
    wanted = [(_absolute(p, workdir), "wheels") for p in command.values("-f", "--find-links") if "://" not in p]
    wanted += [(_absolute(p, workdir), "requirements") for p in command.requirement_files]
    found: list[Misplaced] = []
    for path, what in wanted:
        if _covered(path, provided):
            continue
        for copy, flags, sources, destination in _copies(stage, install):
            source_stage = _stage_by_reference(dockerfile, flags.get("from", ""))
            if source_stage is None or len(sources) != 1 or destination == path:
                continue
            source = _absolute(sources[0], "/")
            if what == "wheels":
                fits = source in _wheel_dirs(source_stage) or "wheel" in posixpath.basename(source)
            else:
                fits = posixpath.basename(source) == posixpath.basename(path)
            if fits:
                found.append(Misplaced(install, path, copy, destination, what))
                break
    return found


def _misplaced(dockerfile: DockerfileInfo | None) -> list[Misplaced]:
    found: list[Misplaced] = []
    for instruction in dockerfile.instructions if dockerfile else ():
        for command in installer_commands(instruction):
            if command.tool in ("pip install", "uv pip install", "uv pip sync") and "--no-index" in command.options:
                found += _misplaced_in(dockerfile, instruction, command)  # type: ignore[arg-type]
    return found


def _finding(context: Context, item: Misplaced, evidence: tuple[str, ...]) -> Finding:
    return Finding(ID, f"pip reads {item.what} from {item.path}, but {context.dockerfile_path}:{item.copy.line} copies "
                       f"them to {item.destination}", evidence=evidence,
                   location=Location(context.dockerfile_path, item.copy.line),
                   captures={"path": item.path, "destination": item.destination})


def detect(context: Context) -> Iterator[Finding]:
    for item in _misplaced(context.project.dockerfile):
        yield _finding(context, item, (item.copy.text, item.install.text))


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    run = failed_run(context.project.dockerfile, log)
    items = [m for m in _misplaced(context.project.dockerfile) if run is None or m.install == run]
    return _finding(context, items[0], evidence_lines(log, match)) if items else None


def fix(context: Context, finding: Finding) -> Fix | Skip:
    items = _misplaced(context.project.dockerfile)
    if not items:
        return Skip("the offline install's paths are where the files are copied now")
    text = context.dockerfile_text
    moved: list[str] = []
    cleanups: dict[Instruction, dict[str, str | None]] = {}
    for item in sorted(items, key=lambda m: m.copy.line, reverse=True):
        source = source_lines(text, item.copy)
        # The destination is the COPY's last word; replace it there only.
        head, _, _ = source.rstrip().rpartition(" ")
        text = replace_instruction(text, item.copy, f"{head} {item.path}")
        moved.append(f"`{item.copy.text.strip()}` now copies to {item.path}")
        stage = context.project.dockerfile.stages[item.copy.stage]  # type: ignore[union-attr]
        for instruction in stage.instructions:
            if instruction.keyword == "RUN" and instruction.line > item.copy.line:
                for command in split_commands(instruction.value):
                    if command.text.startswith("rm ") and item.destination in command.text.split():
                        edited = cleanups.setdefault(instruction, {})
                        edited[command.text] = replace_word(edited.get(command.text) or command.text,
                                                            item.destination, item.path)
    if cleanups:
        text = apply_command_edits(text, cleanups)
    return Fix({context.dockerfile_path: text}, "made the copies land where pip reads: " + "; ".join(reversed(moved)))


RULE = Rule(
    id=ID,
    name="wheel-paths-mismatch",
    kind="build",
    summary="An offline pip install reads wheels or requirements from a path they were not copied to",
    explanation=__doc__,
    seeds=("S001-1",),
    case="s001-1-wheel-paths",
    log=regex(r"Location '(?P<path>[^']+)' is ignored: it is either a non-existing path or lacks a specific scheme",
              r"No matching distribution found for (?P<requirement>\S+)",
              r"Could not open requirements file: \[Errno 2\] No such file or directory: '(?P<file>[^']+)'"),
    detect=detect,
    from_log=from_log,
    fix=fix,
)
