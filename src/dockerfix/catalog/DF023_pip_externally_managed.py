"""pip refuses to install into the Debian-managed system Python (PEP 668).

What it catches: `error: externally-managed-environment` / `× This environment is externally managed` from a
`pip install` on a Debian or Ubuntu base (`FROM debian:bookworm-slim`, `apt-get install python3-pip`, then
`pip install ...`).
Why it breaks: since Debian 12 and Ubuntu 23.04 the system Python carries an EXTERNALLY-MANAGED marker: pip
may not write into the interpreter apt owns, so packages from PyPI cannot break the tools apt installed.
The fix: the stage gets its own virtual environment before its first pip install: `python3-venv` joins the
apt install that brought Python (or a new one), `RUN python3 -m venv /opt/venv` and
`ENV PATH="/opt/venv/bin:$PATH"`, so every later `pip`, `python3` and console script is the venv's.
`pip install --break-system-packages` would also pass, and is not applied: it overwrites files apt owns.
Not applied when the install runs as a non-root USER (the venv must be owned by that user: fix by hand).
Found before any build when a stage over Debian 12+ or Ubuntu 23.04+ runs the bare `pip install` and nothing
before it (a venv, `--break-system-packages`, `--target`, conda, uv) gives pip another place to install.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockerfix.model import DockerfileInfo, Instruction, Stage
from dockerfix.analyse.failed_step import failed_run, instruction_at
from dockerfix.analyse.install_steps import COMMAND_SEPARATOR, PIP
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, evidence_lines, regex
from dockerfix.transform import apt
from dockerfix.transform.dockerfile import insert_before

ID = "DF023"
VENV = "/opt/venv"
DEBIAN_PYTHON = re.compile(r"^python3(?:\.\d+)?(?:-pip|-full|-dev|-minimal)?$")
HAS_VENV_MODULE = frozenset({"python3-venv", "python3-full"})
# Base images whose system Python is marked externally managed: Debian 12 and later, Ubuntu 23.04 and later.
EXTERNALLY_MANAGED_BASE = re.compile(
    r"^(?:docker\.io/)?(?:library/)?(?:debian:(?:bookworm|12|trixie|13|forky|14|testing|sid|unstable|latest)"
    r"|ubuntu:(?:2[3-9]\.|[3-9]\d\.|lunar|mantic|noble|oracular|plucky|questing|latest|rolling|devel))")
# pip found on PATH (the system's, from python3-pip), not a venv's by its path.
SYSTEM_PIP = re.compile(r"^(?:pip3?|python3?\s+-m\s+pip)\s+install\b")
# Anything that may give pip somewhere else to install, or let it past the marker: then only a build can tell.
OTHER_ENVIRONMENT = re.compile(r"venv|virtualenv|break-system-packages|BREAK_SYSTEM_PACKAGES|EXTERNALLY-MANAGED|"
                               r"conda|pyenv|--target|--prefix|uv\s", re.IGNORECASE)


def _pip_installs(instruction: Instruction) -> bool:
    return instruction.keyword == "RUN" and any(
        PIP.match(part.strip()) and not part.strip().startswith("uv")
        for part in COMMAND_SEPARATOR.split(instruction.value))


def _first_pip_install(stage: Stage) -> Instruction | None:
    return next((i for i in stage.instructions if _pip_installs(i)), None)


def _feeds_final_stage(dockerfile: DockerfileInfo, stage: Stage) -> bool:
    """Whether the final stage is this stage or built FROM it (so the venv and its PATH reach the image)."""
    current: Stage | None = dockerfile.final_stage
    while current is not None:
        if current.index == stage.index:
            return True
        current = apt.parent_stage(dockerfile, current)
    return False


def _system_pip_install(dockerfile: DockerfileInfo, stage: Stage) -> Instruction | None:
    """The stage's first pip install, when it certainly runs the system pip of an externally managed Python."""
    first = _first_pip_install(stage)
    if first is None or not EXTERNALLY_MANAGED_BASE.match(apt.base_image(dockerfile, stage)):
        return None
    if not any(SYSTEM_PIP.match(part.strip()) for part in COMMAND_SEPARATOR.split(first.value)):
        return None
    if any(OTHER_ENVIRONMENT.search(i.value) for i in (*apt.history_before(dockerfile, first), first)):
        return None
    return first


def detect(context: Context) -> Iterator[Finding]:
    dockerfile = context.project.dockerfile
    if dockerfile is None:
        return
    for stage in dockerfile.stages:
        first = _system_pip_install(dockerfile, stage)
        if first is not None:
            yield Finding(ID, f"{context.dockerfile_path}:{first.line} runs pip on the system Python of "
                              f"{apt.base_image(dockerfile, stage)}, which is marked externally managed (PEP 668)",
                          evidence=(first.text,), location=Location(context.dockerfile_path, first.line),
                          captures={"line": str(first.line)})


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    dockerfile = context.project.dockerfile
    run = failed_run(dockerfile, log)
    if dockerfile is None or run is None:
        return None
    return Finding(ID, f"{context.dockerfile_path}:{run.line} runs pip on the system Python, which Debian marks as "
                       "externally managed (PEP 668)", evidence=(*evidence_lines(log, match, after=1), run.text),
                   location=Location(context.dockerfile_path, run.line), captures={"line": str(run.line)})


def fix(context: Context, finding: Finding) -> Fix | Skip:
    dockerfile = context.project.dockerfile
    if dockerfile is None:
        return Skip("no Dockerfile")
    run = instruction_at(dockerfile, finding.capture("line"))
    if run is None:
        return Skip("the failing RUN is no longer in the Dockerfile")
    stage = apt.stage_of(dockerfile, run)
    first = _first_pip_install(stage) or run
    if any(VENV in i.value for i in stage.instructions if i.keyword == "ENV"):
        return Skip(f"the stage already puts {VENV} on PATH")
    user = apt.user_before(dockerfile, stage, first)
    if not apt.is_root(user):
        return Skip(f"pip runs as USER {user}: a venv it can write needs an owner chosen by hand")
    if not _feeds_final_stage(dockerfile, stage):
        return Skip("the pip install is in a stage the image does not derive from: a venv there would not reach it")
    text = context.dockerfile_text
    venv = f'RUN python3 -m venv {VENV}\nENV PATH="{VENV}/bin:$PATH"'
    text = insert_before(text, first, venv)  # below the apt edit: line numbers above it stay valid
    python_install = next((i for i in reversed(stage.instructions)
                           if i.line < first.line and apt.installs(i)
                           and any(DEBIAN_PYTHON.match(p) for p in apt.installed_packages(i.value))), None)
    if apt.stage_packages(stage, first) & HAS_VENV_MODULE:
        how = ""
    elif python_install is not None:
        text = apt.add_packages(text, python_install, ["python3-venv"])
        how = f" (python3-venv added to the apt install at line {python_install.line})"
    else:
        text = insert_before(text, first, apt.install_instruction(["python3-venv"]))
        how = " (with python3-venv installed first)"
    return Fix({context.dockerfile_path: text},
               f"created a virtual environment at {VENV} before the first pip install of the stage (line {first.line})"
               f" and put it first on PATH{how}; --break-system-packages was not used: it overwrites apt's files")


RULE = Rule(
    id=ID,
    name="pip-externally-managed",
    kind="build",
    summary="pip install into Debian's externally managed system Python (PEP 668)",
    explanation=__doc__,
    case="pep668-system-pip",
    log=regex(r"^error: externally-managed-environment"),
    detect=detect,
    from_log=from_log,
    fix=fix,
    references=("https://peps.python.org/pep-0668/",),
)
