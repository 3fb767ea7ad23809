"""An installer is given an option it does not have.

What it catches: `uv pip install --prod ...` failing with `error: unexpected argument '--prod' found` (seed
S000-2), and the same mistake in pip (`no such option: --prod`) and Poetry (`The option "--no-dev" does not
exist`, since Poetry 2.0).
Why it breaks: the option belongs to another tool or another release (`--prod` to npm and PDM, `--no-dev`
to `uv sync` and Poetry 1.x). What it meant, production dependencies only, is decided when the
requirements are exported, not when a requirements file is installed.
The fix: every use of the option is replaced by the one that does what was meant, or dropped where the
command does that anyway (`tables/installer_options.toml`). When the command also reads a lock file as if it
were a requirements file (`uv pip install --prod -r poetry.lock`, which would fail next with DF003), the whole
command becomes the project's own install flow (Poetry: export the main group and install it with pip;
uv: `uv sync --frozen --no-dev`). Options that no release has are fixed before any build, and so are
options a release removed when the Dockerfile pip-installs the tool unpinned or in a range that admits that
release (`pip install poetry` brings Poetry 2, which has no `--no-dev`); the others when the log shows the
rejection. An option the table does not know is reported, not guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockerfix.model import DockerfileInfo, Instruction
from dockerfix.analyse.failed_step import failed_run
from dockerfix.analyse.installer_commands import InstallerCommand, all_installer_commands, installer_commands
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, evidence_lines, regex
from dockerfix.analyse.tool_installs import installs_release_from
from dockerfix.tables import InstallerOption, installer_option
from dockerfix.transform.install_flow import install_command, stage_env
from dockerfix.transform.shell import apply_command_edits, remove_option, replace_word

ID = "DF002"


def _rejection(dockerfile: DockerfileInfo | None, known: InstallerOption) -> str | None:
    """What makes the option certain to fail in this Dockerfile, or None when only a build can tell."""
    if known.always:
        return f"`{known.tool}` has no option {known.option} ({known.note})"
    if known.removed_in:
        program = known.tool.split()[0]
        install = installs_release_from(dockerfile, program, known.removed_in)
        if install is not None:
            return (f"`{known.tool} {known.option}` fails with the {program} that `{install.word}` at line "
                    f"{install.instruction.line} installs ({known.removed_in} or later: {known.note})")
    return None


def detect(context: Context) -> Iterator[Finding]:
    dockerfile = context.project.dockerfile
    for instruction, command in all_installer_commands(dockerfile):
        for option in command.options:
            known = installer_option(command.tool, option)
            message = _rejection(dockerfile, known) if known is not None else None
            if message is not None:
                yield Finding(ID, message, evidence=(instruction.text,),
                              location=Location(context.dockerfile_path, instruction.line),
                              captures={"tool": command.tool, "option": option})


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    option = next(v for v in match.groupdict().values() if v)
    failed = failed_run(context.project.dockerfile, log)
    candidates = ([(failed, c) for c in installer_commands(failed)] if failed is not None
                  else list(all_installer_commands(context.project.dockerfile)))
    for instruction, command in candidates:
        if option in command.options:
            return Finding(ID, f"`{command.tool}` rejects the option {option}", evidence=evidence_lines(log, match),
                           location=Location(context.dockerfile_path, instruction.line),
                           captures={"tool": command.tool, "option": option})
    return None


def _replacement(context: Context, instruction: Instruction, command: InstallerCommand, option: str) -> str | None:
    if command.lock_read_as_requirements():
        dockerfile = context.project.dockerfile
        return install_command(context.project, stage_env(dockerfile, instruction, "VIRTUAL_ENV") if dockerfile else None)
    known = installer_option(command.tool, option)
    if known is None:
        return None
    if known.replace:
        return replace_word(command.text, option, known.replace)
    return remove_option(command.text, option)


def fix(context: Context, finding: Finding) -> Fix | Skip:
    tool, option = finding.capture("tool"), finding.capture("option")
    edits: dict[Instruction, dict[str, str | None]] = {}
    whole = False
    for instruction, command in all_installer_commands(context.project.dockerfile):
        if command.tool != tool or option not in command.options:
            continue
        new = _replacement(context, instruction, command, option)
        if new is None:
            return Skip(f"no known replacement for `{tool} {option}`: dockerfix does not guess what it meant")
        whole = whole or bool(command.lock_read_as_requirements())
        edits.setdefault(instruction, {})[command.text] = new
    if not edits:
        return Skip(f"no `{tool}` command with {option} is left")
    text = apply_command_edits(context.dockerfile_text, edits)
    known = installer_option(tool, option)
    if whole:
        summary = (f"replaced `{tool} {option} -r <lock file>` with the project's own install "
                   f"({context.project.manager}: the lock's main dependencies, as the lock pins them)")
    elif known is not None and known.replace:
        summary = f"replaced `{option}` with `{known.replace}` in `{tool}` ({known.note})"
    else:
        summary = f"removed `{option}` from `{tool}`" + (f" ({known.note})" if known else "")
    return Fix({context.dockerfile_path: text}, summary)


RULE = Rule(
    id=ID,
    name="installer-option-unknown",
    kind="build",
    summary="An installer is given an option it does not have",
    explanation=__doc__,
    seeds=("S000-2",),
    case="s000-2-uv-prod-flag",
    log=regex(r"error: unexpected argument '(?P<uv>-[\w-]+)' found",
              r"no such option: (?P<pip>-[\w-]+)",
              r'The (?:"(?P<cleo>--[\w-]+)" option|option "(?P<poetry>--[\w-]+)") does not exist'),
    detect=detect,
    from_log=from_log,
    fix=fix,
)
