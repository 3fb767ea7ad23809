"""`poetry export` runs with a Poetry that has no export command.

What it catches: `The requested command export does not exist.` from `RUN poetry export ...` (seed S000-6),
typically after an unpinned `pip install poetry`.
Why it breaks: `export` is a plugin (poetry-plugin-export). Poetry 1.2–1.8 install it with themselves; Poetry
2.0 stopped doing so, so today's unpinned `pip install poetry` (2.x) has no `export`. (The seed blamed a Poetry
older than 1.2; Poetry has shipped `export` since 1.0, so a missing command means a Poetry 2 without the plugin.)
The fix: the Poetry install is pinned to the version that wrote the lock file (its header, or the lock
format's era; the same choice the rewritten layout makes), plus poetry-plugin-export when that version is 2.x.
Pinning also keeps the lock readable: a Poetry older than the lock format cannot read it. Works for
`pip install poetry` and `pipx install poetry`; Poetry from the official installer script is reported.
Detected before any build when the Dockerfile exports with an unpinned or 2.x Poetry and no plugin.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

from dockerfix.model import Instruction
from dockerfix.analyse.installer_commands import all_installer_commands
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, evidence_lines, regex
from dockerfix.analyse.tool_installs import ToolInstall, tool_installs
from dockerfix.plan.installers import installer_for, poetry_version
from dockerfix.transform.shell import apply_command_edits

ID = "DF005"
PLUGIN = "poetry-plugin-export"


def _lacks_export(install: ToolInstall) -> bool:
    """Whether this Poetry install gets a Poetry 2.x without the export plugin (today's PyPI: 2.x is newest)."""
    return PLUGIN not in install.command and install.admits_release_from("2.0")


def detect(context: Context) -> Iterator[Finding]:
    dockerfile = context.project.dockerfile
    exporting = {i.stage for i, c in all_installer_commands(dockerfile) if c.tool == "poetry export"}
    for install in tool_installs(dockerfile, "poetry"):
        if install.instruction.stage in exporting and _lacks_export(install):
            yield Finding(ID, f"`{install.word}` installs Poetry 2.x, which has no `export` command without {PLUGIN}, and "
                              "this stage runs `poetry export`",
                          evidence=(install.instruction.text,),
                          location=Location(context.dockerfile_path, install.instruction.line))


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    return Finding(ID, "the Poetry in the image has no `export` command", evidence=evidence_lines(log, match))


def _pinned_install(install: ToolInstall, tools: tuple[str, ...]) -> str:
    if install.pipx:  # pipx installs one app: its plugins are injected into the app's venv
        pinned = shlex.quote(tools[0])
        injected = "".join(f" && pipx inject poetry {shlex.quote(t)}" for t in tools[1:])
    else:
        pinned = " ".join(shlex.quote(t) for t in (tools[0], *(t for t in tools[1:] if t not in install.command)))
        injected = ""
    word = re.escape(install.word)
    return re.sub(rf"(?<!\S)(['\"]?){word}\1(?!\S)", lambda _: pinned, install.command, count=1) + injected


def fix(context: Context, finding: Finding) -> Fix | Skip:
    project = context.project
    if project.manager != "poetry" or project.lock is None:
        return Skip("no poetry.lock: there is nothing for `poetry export` to export and no Poetry version to match")
    tools = installer_for(project, ()).tools  # poetry==<the lock's version> [+ poetry-plugin-export for 2.x]
    installs = tool_installs(project.dockerfile, "poetry")
    if not installs:
        return Skip("Poetry is not installed with pip or pipx here (official installer?): pin POETRY_VERSION "
                    f"to {poetry_version(project)} and add {PLUGIN} by hand")
    edits: dict[Instruction, dict[str, str | None]] = {}
    for install in installs:
        new = _pinned_install(install, tools)
        if new != install.command:
            edits.setdefault(install.instruction, {})[install.command] = new
    if not edits:
        return Skip("Poetry is already pinned to the lock's version")
    return Fix({context.dockerfile_path: apply_command_edits(context.dockerfile_text, edits)},
               f"pinned Poetry to {' + '.join(tools)} (the lock was written by Poetry {poetry_version(project)}"
               + ("; Poetry 2 needs the export plugin installed" if len(tools) > 1 else "; it ships `export`") + ")")


RULE = Rule(
    id=ID,
    name="poetry-export-missing",
    kind="build",
    summary="`poetry export` runs with a Poetry that has no export command",
    explanation=__doc__,
    seeds=("S000-6",),
    case="s000-6-poetry-export-missing",
    log=regex(r"The requested command export does not exist"),
    detect=detect,
    from_log=from_log,
    fix=fix,
)
