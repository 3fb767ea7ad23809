"""A virtual environment is copied from the builder stage to another path, or onto another Python.

What it catches: the image builds, then its command fails with `exec /app/.venv/bin/uvicorn: no such file or
directory` or `bad interpreter: No such file or directory` (seed S003-4), or imports fail (`No module named
'uvicorn'`) although the venv is there, because the Dockerfile has `COPY --from=builder /opt/venv /app/.venv`
or a builder `FROM python:3.12-slim` and a final `FROM python:3.11-slim`.
Why it breaks: a venv is not relocatable. Its console scripts start with `#!/opt/venv/bin/python`, the
absolute path it was created at, so at another path the kernel finds no interpreter; and its packages live
in `lib/python3.12/site-packages` and are compiled for that interpreter, which a 3.11 image neither looks in
nor can load.
The fix: the COPY puts the venv at the builder's path, and the final stage's references to the other path
(ENV PATH, CMD, ENTRYPOINT) follow it; the final FROM takes the builder's Python version (keeping its own
variant, `-slim`). Detected before any build from the Dockerfile alone; the run-time symptoms are matched too.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from dockerfix.analyse.dockerfile import split_copy
from dockerfix.model import DockerfileInfo, Instruction, Stage
from dockerfix.analyse.image_paths import workdir_at
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, evidence_lines, regex
from dockerfix.checks import RUNS_CODE
from dockerfix.transform import apt
from dockerfix.transform.python_version import PYTHON_TAG
from dockerfix.transform.dockerfile import replace_instruction, source_lines

ID = "DF031"
VENV_CREATED = re.compile(r"(?:python[\d.]*\s+-m\s+venv|virtualenv|uv\s+venv)(?:\s+--?[\w-]+(?:=\S+)?)*"
                          r"\s+(?P<path>[^\s&;|-]\S*)")
# Instructions of the final stage that may name the venv's path.
REFERENCING = frozenset({"ENV", "CMD", "ENTRYPOINT", "RUN", "HEALTHCHECK", "ARG", "LABEL", "COPY"})
PROJECT_VENV = re.compile(r"\buv\s+sync\b|POETRY_VIRTUALENVS_IN_PROJECT=(?:true|1)|virtualenvs\.in-project\s+true")


@dataclass(frozen=True)
class MovedVenv:
    copy: Instruction  # the final stage's COPY --from
    built_at: str  # where the builder created the venv
    copied_to: str  # where the COPY puts it
    builder_python: str | None  # "3.12" from the builder's python:X.Y tag
    final_python: str | None

    @property
    def moved(self) -> bool:
        return self.built_at != self.copied_to

    @property
    def other_python(self) -> bool:
        return bool(self.builder_python and self.final_python and self.builder_python != self.final_python)


def venv_paths(stage: Stage) -> set[str]:
    """Absolute paths at which the stage creates or selects a virtual environment."""
    paths: set[str] = set()
    for instruction in stage.instructions:
        here = workdir_at(stage, instruction)
        if instruction.keyword == "RUN":
            for match in VENV_CREATED.finditer(instruction.value):
                paths.add(posixpath.normpath(posixpath.join(here, match.group("path"))))
            if PROJECT_VENV.search(instruction.value) and "UV_PROJECT_ENVIRONMENT" not in instruction.value:
                paths.add(posixpath.join(here, ".venv"))
        elif instruction.keyword == "ENV":
            for _, value in re.findall(r"(VIRTUAL_ENV|UV_PROJECT_ENVIRONMENT)[= ]\"?([^\s\"]+)", instruction.value):
                paths.add(posixpath.normpath(posixpath.join(here, value)))
    return paths


def _python(dockerfile: DockerfileInfo, stage: Stage) -> str | None:
    match = PYTHON_TAG.match(apt.base_image(dockerfile, stage))
    return match.group("version") if match else None


def moved_venvs(dockerfile: DockerfileInfo | None) -> Iterator[MovedVenv]:
    """The final stage's copies of a builder's venv that land at another path or on another Python."""
    final = dockerfile.final_stage if dockerfile else None
    if dockerfile is None or final is None:
        return
    for copy in final.instructions:
        if copy.keyword != "COPY":
            continue
        flags, sources, destination = split_copy(copy.value)
        builder = next((s for s in dockerfile.stages[: final.index] if flags.get("from") in (s.name, str(s.index))),
                       None)
        if builder is None or len(sources) != 1:
            continue
        source = posixpath.normpath(posixpath.join(workdir_at(builder), sources[0]))
        if source not in venv_paths(builder):
            continue
        target = posixpath.normpath(posixpath.join(workdir_at(final, copy), destination))
        found = MovedVenv(copy, source, target, _python(dockerfile, builder), _python(dockerfile, final))
        if found.moved or found.other_python:
            yield found


def _message(moved: MovedVenv) -> str:
    problems = []
    if moved.moved:
        problems.append(f"copies the venv built at {moved.built_at} to {moved.copied_to}, where its scripts' "
                        f"#!{moved.built_at}/bin/python does not exist")
    if moved.other_python:
        problems.append(f"runs it on Python {moved.final_python} although it was built for {moved.builder_python}")
    return "the final stage " + " and ".join(problems)


def _finding(context: Context, moved: MovedVenv, evidence: tuple[str, ...]) -> Finding:
    return Finding(ID, _message(moved), evidence=evidence,
                   location=Location(context.dockerfile_path, moved.copy.line),
                   captures={"line": str(moved.copy.line)})


def detect(context: Context) -> Iterator[Finding]:
    for moved in moved_venvs(context.project.dockerfile):
        yield _finding(context, moved, (moved.copy.text,))


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    moved = next(moved_venvs(context.project.dockerfile), None)
    if moved is None:
        return None
    return _finding(context, moved, (*evidence_lines(log, match, before=0, after=1), moved.copy.text))


def _retarget(text: str, instruction: Instruction, old: str, new: str) -> str:
    source = source_lines(text, instruction)
    edited = re.sub(rf"(?<![\w./-]){re.escape(old)}(?=[/\"'\s:]|$)", new, source, flags=re.MULTILINE)
    return replace_instruction(text, instruction, edited) if edited != source else text


def fix(context: Context, finding: Finding) -> Fix | Skip:
    dockerfile = context.project.dockerfile
    moved = next((m for m in moved_venvs(dockerfile) if str(m.copy.line) == finding.capture("line")), None)
    if dockerfile is None or moved is None or dockerfile.final_stage is None:
        return Skip("the venv copy is no longer in the Dockerfile or already matches the builder")
    final = dockerfile.final_stage
    text = context.dockerfile_text
    done = []
    if moved.moved:
        _, _, destination = split_copy(moved.copy.value)
        head, found, tail = source_lines(text, moved.copy).rpartition(destination)
        if not found:
            return Skip(f"cannot find the destination of {moved.copy.text}")
        kept_slash = "/" if destination.endswith("/") else ""
        text = replace_instruction(text, moved.copy, f"{head}{moved.built_at}{kept_slash}{tail}")
        for instruction in final.instructions:  # each edit keeps the line count, so lines stay valid
            if instruction is not moved.copy and instruction.keyword in REFERENCING:
                text = _retarget(text, instruction, moved.copied_to, moved.built_at)
        done.append(f"the venv now stays at {moved.built_at} (was copied to {moved.copied_to}; the final stage's "
                    "references follow)")
    if moved.other_python:
        base = final.instructions[0]
        tag = PYTHON_TAG.match(final.base)
        if tag is None:
            return Skip(f"cannot rewrite FROM {final.base}")
        new_base = f"{tag.group('image')}:{moved.builder_python}{tag.group('variant') or ''}"
        text = replace_instruction(text, base, source_lines(text, base).replace(final.base, new_base, 1))
        done.append(f"the final stage runs Python {moved.builder_python}, the venv's ({final.base} → {new_base})")
    return Fix({context.dockerfile_path: text}, "; ".join(done))


RULE = Rule(
    id=ID,
    name="venv-moved",
    kind="run",
    summary="A venv copied between stages lands at another path or on another Python",
    explanation=__doc__,
    seeds=("S003-4",),
    case="s003-4-venv-moved",
    log=regex(r"exec (?P<exec>/\S+): no such file or directory",
              r"(?P<interpreter>/\S+): bad interpreter: No such file or directory",
              r"No module named '(?P<module>[\w.]+)'|No distribution named '(?P<distribution>[\w.-]+)'"),
    detect=detect,
    from_log=from_log,
    checks=RUNS_CODE,
    fix=fix,
)
