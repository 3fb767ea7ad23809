"""The command the image starts with is installed, but not on PATH.

What it catches: `uvicorn: not found`, `exec: "uvicorn": executable file not found in $PATH` when the
container starts (seed S003-4); verification reports it before anything runs (the entry command's
executable does not resolve) and names where the executable was found instead.
Why it breaks: `pip install --user` puts console scripts in `~/.local/bin`, and a venv puts them in its own
`bin/`; neither is on the default PATH of the python images, so the shell cannot find them although the
package is installed.
The fix: `ENV PATH="<that bin directory>:$PATH"` in the final stage, before its CMD. The directory is the one
verification found the executable in, else the venv the Dockerfile creates or the user's `~/.local/bin`.
Not applied when the scripts sit in /root/.local while the image runs as another user (that user cannot
read them: install into a venv instead, as the rewrite does).
"""

from __future__ import annotations

import posixpath
import re

from dockerfix.catalog.patterns import PIP_USER
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, evidence_lines, regex
from dockerfix.checks import Check, EntryResolution
from dockerfix.transform.dockerfile import insert_at_stage_end
from dockerfix.transform.install_flow import env_assignments

ID = "DF044"
VENV = re.compile(r"(?:python3?(?:\.\d+)?\s+-m\s+venv|virtualenv|uv\s+venv)(?:\s+-\S+)*\s+(?P<path>/[^\s;&|]+)")


def _user_home(context: Context) -> str:
    dockerfile = context.project.dockerfile
    user = dockerfile.last("USER") if dockerfile else None
    name = user.value.split(":")[0].strip() if user else "root"
    return "/root" if name in ("root", "0") else f"/home/{name}"


def _guessed_bin(context: Context) -> str | None:
    """Where the Dockerfile installs console scripts: its venv, else the user's ~/.local/bin after pip --user."""
    dockerfile = context.project.dockerfile
    if dockerfile is None:
        return None
    for instruction in reversed(dockerfile.instructions):
        if instruction.keyword == "ENV":
            environment = env_assignments(instruction.value)
            for key in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"):
                if environment.get(key, "").startswith("/"):
                    return posixpath.join(environment[key], "bin")
        if instruction.keyword == "RUN":
            if match := VENV.search(instruction.value):
                return posixpath.join(match.group("path").rstrip("/"), "bin")
            if PIP_USER.search(instruction.value):
                return f"{_user_home(context)}/.local/bin"
    return None


def _finding(context: Context, executable: str, folder: str | None, evidence: tuple[str, ...]) -> Finding:
    where = f"; it is installed in {folder}" if folder else ""
    dockerfile = context.project.dockerfile
    command = (dockerfile.last("CMD") or dockerfile.last("ENTRYPOINT")) if dockerfile else None
    return Finding(ID, f"the entry command's executable {executable} is not on PATH{where}", evidence=evidence,
                   location=Location(context.dockerfile_path, command.line if command else None),
                   captures={"executable": executable, "folder": folder or ""})


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    executable = next(v for k, v in match.groupdict().items() if k.startswith("exe") and v)
    return _finding(context, executable, _guessed_bin(context), evidence_lines(log, match, before=0, after=1))


def from_check(context: Context, check: Check) -> Finding | None:
    """entry-resolves names the missing executable and where it is installed; starting the command, the engine or
    the shell says it in its own words."""
    facts = check.facts
    if not isinstance(facts, EntryResolution):
        return RULE.match_log(context, check.printed())
    if facts.missing_executable is None:
        return None
    folder = posixpath.dirname(facts.installed_at[0]) if facts.installed_at else _guessed_bin(context)
    return _finding(context, facts.missing_executable, folder,
                    (f"{facts.missing_executable}: not found on PATH={facts.path}",
                     *(f"{facts.missing_executable} is installed at {path}" for path in facts.installed_at)))


def fix(context: Context, finding: Finding) -> Fix | Skip:
    dockerfile = context.project.dockerfile
    folder = finding.capture("folder")
    if dockerfile is None or dockerfile.final_stage is None:
        return Skip("no Dockerfile to edit")
    if not folder:
        return Skip(f"where {finding.capture('executable')} is installed is unknown: install it, or put its directory on PATH")
    if folder.startswith("/root/") and _user_home(context) != "/root":
        return Skip(f"{folder} belongs to root but the image runs as another user: install into a venv instead")
    for instruction in dockerfile.final_stage.instructions:
        if instruction.keyword == "ENV" and folder in env_assignments(instruction.value).get("PATH", ""):
            return Skip(f"{folder} is on PATH already")
    text = insert_at_stage_end(context.dockerfile_text, dockerfile.final_stage, f'ENV PATH="{folder}:$PATH"')
    return Fix({context.dockerfile_path: text},
               f"put {folder} on PATH in the final stage (ENV PATH), where {finding.capture('executable')} is installed")


RULE = Rule(
    id=ID,
    name="executable-not-on-path",
    kind="run",
    summary="The entry command's executable is installed but not on PATH",
    explanation=__doc__,
    seeds=("S003-4",),
    case="s003-4-uvicorn-not-on-path",
    log=regex(r'exec: "(?P<exe>[^"/]+)": executable file not found in \$PATH',
              r"^/bin/sh: \d+: (?:exec: )?(?P<exe2>[\w.+-]+): not found"),
    from_log=from_log,
    checks=("entry-resolves", "entry-starts", "entry-runs"),
    from_check=from_check,
    fix=fix,
)
