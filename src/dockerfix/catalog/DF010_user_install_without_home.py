"""pip installs as a non-root user whose home does not exist.

What it catches: `ERROR: Could not install packages due to an OSError: [Errno 13] Permission denied:
'/nonexistent'` (seed S001-6: a user from `adduser --system`) or `... Permission denied: '/home/appuser'`
(S001-7: `useradd` without `--create-home`, so /home/appuser was never made) from a `pip install --user`
(or a plain `pip install`, which falls back to `--user`) after `USER appuser`.
Why it breaks: a non-root user cannot write the system site-packages, so pip installs into the user's
site (`~/.local`), which needs a home the user owns. System users get none (`/nonexistent`), and
`useradd` records `/home/NAME` without creating it; `/home` itself belongs to root.
The fix: dependencies are installed as root, into a virtual environment, before the switch to the user:
the `USER` line moves below the install (or, when other commands run as the user in between, the install
runs under `USER root` and switches back), the install loses `--user` and runs after `ENV VIRTUAL_ENV=/opt/venv
PATH=/opt/venv/bin:$PATH` and `RUN python -m venv /opt/venv`; the venv is readable by the user and on PATH
for the CMD. The user also gets a real, owned home (`useradd --create-home`, `adduser --home /home/NAME`),
which tools need at run time. Detected before any build when the user is created without a home.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockerfix.model import DockerfileInfo, Instruction, Stage
from dockerfix.analyse.failed_step import failed_run
from dockerfix.analyse.installer_commands import InstallerCommand, installer_commands
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, evidence_lines, regex
from dockerfix.analyse.users import creation_of, is_root, with_home
from dockerfix.transform.apt import user_before
from dockerfix.transform.dockerfile import insert_after, insert_before, remove_instruction
from dockerfix.transform.install_flow import stage_env
from dockerfix.transform.shell import apply_command_edits, remove_option

ID = "DF010"
VENV = "/opt/venv"


def _pip_installs(instruction: Instruction) -> list[InstallerCommand]:
    return [c for c in installer_commands(instruction) if c.tool == "pip install"]


def _user_installs(dockerfile: DockerfileInfo | None) -> Iterator[tuple[Instruction, str]]:
    """(RUN, user) for pip installs that run as a non-root user outside a venv."""
    for stage in dockerfile.stages if dockerfile else ():
        for instruction in stage.instructions:
            if not _pip_installs(instruction):
                continue
            user = user_before(dockerfile, stage, instruction)  # type: ignore[arg-type]
            if not is_root(user) and not stage_env(dockerfile, instruction, "VIRTUAL_ENV"):  # type: ignore[arg-type]
                yield instruction, user


def detect(context: Context) -> Iterator[Finding]:
    dockerfile = context.project.dockerfile
    if dockerfile is None:
        return
    for instruction, user in _user_installs(dockerfile):
        creation = creation_of(dockerfile, dockerfile.stages[instruction.stage], user)
        if creation is not None and not creation.creates_home:
            yield Finding(ID, f"pip installs as {user}, whose home {creation.home} is never created "
                              f"({context.dockerfile_path}:{creation.instruction.line}): the user install has nowhere to go",
                          evidence=(creation.command, instruction.text),
                          location=Location(context.dockerfile_path, instruction.line), captures={"line": str(instruction.line)})


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    run = failed_run(context.project.dockerfile, log)
    for instruction, user in _user_installs(context.project.dockerfile):
        if run is None or instruction == run:
            return Finding(ID, f"pip installs as {user}, who cannot write {match.group('path')}",
                           evidence=evidence_lines(log, match), location=Location(context.dockerfile_path, instruction.line),
                           captures={"line": str(instruction.line)})
    return None


def _switch(stage: Stage, install: Instruction) -> Instruction | None:
    """The USER instruction of the stage the install runs under."""
    users = [i for i in stage.instructions if i.keyword == "USER" and i.line < install.line]
    return users[-1] if users else None


def fix(context: Context, finding: Finding) -> Fix | Skip:
    dockerfile = context.project.dockerfile
    install = next((i for i, _ in _user_installs(dockerfile) if str(i.line) == finding.capture("line")), None)
    if dockerfile is None or install is None:
        return Skip("no pip install runs as a non-root user there any more")
    stage = dockerfile.stages[install.stage]
    user = user_before(dockerfile, stage, install)
    switch = _switch(stage, install)
    runs_between = switch is not None and any(i.keyword == "RUN" for i in stage.instructions
                                              if switch.line < i.line < install.line)
    text = context.dockerfile_text
    # Bottom-up, so each edit leaves the lines of the ones above it valid.
    text = insert_after(text, install, f"USER {user}")
    text = apply_command_edits(text, {install: {c.text: remove_option(c.text, "--user") for c in _pip_installs(install)}})
    setup = [f'ENV VIRTUAL_ENV={VENV} PATH="{VENV}/bin:$PATH"', f"RUN python -m venv {VENV}"]
    moved = switch is not None and not runs_between
    text = insert_before(text, install, "\n".join(setup if moved else ["USER root", *setup]))
    if moved:
        text = remove_instruction(text, switch)  # type: ignore[arg-type]
    how = f"before `USER {user}` (moved below it)" if moved else "under `USER root`"
    creation = creation_of(dockerfile, stage, user)
    home = ""
    if creation is not None and not creation.creates_home and creation.instruction.line < install.line:
        text = apply_command_edits(text, {creation.instruction: {creation.command: with_home(creation)}})
        home = f"; {user} now gets a home it owns (`{with_home(creation)}`)"
    return Fix({context.dockerfile_path: text},
               f"pip installs as root into a venv at {VENV} {how}, without --user; the venv is on PATH{home}")


RULE = Rule(
    id=ID,
    name="user-install-without-home",
    kind="build",
    summary="pip installs as a non-root user whose home does not exist",
    explanation=__doc__,
    seeds=("S001-6", "S001-7"),
    case="s001-6-user-install-no-home",
    log=regex(r"Could not install packages due to an OSError: \[Errno 13\] Permission denied: '(?P<path>[^']+)'"),
    detect=detect,
    from_log=from_log,
    fix=fix,
)
