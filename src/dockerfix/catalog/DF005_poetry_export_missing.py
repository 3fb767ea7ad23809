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

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from dockerfix.analyse.model import DockerfileInfo, Instruction
from dockerfix.catalog.installer_commands import all_installer_commands, parse_installer_command
from dockerfix.catalog.rule import Context, Finding, Fix, Rule, Skip, evidence_lines, regex
from dockerfix.plan.installers import installer_for, poetry_version
from dockerfix.transform.shell import apply_command_edits, split_commands, words

ID = "DF005"
PLUGIN = "poetry-plugin-export"
PIPX_INSTALL = re.compile(r"^(?:\S*/)?pipx\s+install\b")


def _requirement(word: str) -> Requirement | None:
    try:
        return Requirement(word)
    except InvalidRequirement:
        return None


def _poetry_requirement(words_: list[str]) -> tuple[str, Requirement] | None:
    """(word, requirement) of the `poetry` requirement among an install command's words."""
    for word in words_:
        requirement = _requirement(word)
        if requirement is not None and canonicalize_name(requirement.name) == "poetry":
            return word, requirement
    return None


def _poetry_installs(dockerfile: DockerfileInfo | None) -> list[tuple[Instruction, str, str]]:
    """(instruction, command, requirement word) for every pip/pipx install of Poetry."""
    found = []
    for instruction in dockerfile.instructions if dockerfile else ():
        if instruction.keyword != "RUN":
            continue
        for command in split_commands(instruction.value):
            parsed = parse_installer_command(command.text)
            is_pip = parsed is not None and parsed.tool == "pip install"
            if not (is_pip or PIPX_INSTALL.match(command.text)):
                continue
            candidates = list(parsed.positionals) if is_pip and parsed else words(command.text)[2:]
            poetry = _poetry_requirement(candidates)
            if poetry is not None:
                found.append((instruction, command.text, poetry[0]))
    return found


def _lacks_export(command_text: str, word: str) -> bool:
    """Whether this Poetry install gets a Poetry 2.x without the export plugin (today's PyPI: 2.x is newest)."""
    requirement = _requirement(word)
    if requirement is None or PLUGIN in command_text:
        return False
    pinned = [s.version for s in requirement.specifier if s.operator == "=="]
    if pinned:
        try:
            return Version(pinned[0].rstrip(".*")).major >= 2
        except InvalidVersion:
            return False
    return any(requirement.specifier.contains(f"2.{minor}.0") for minor in range(30))


def detect(context: Context) -> Iterator[Finding]:
    dockerfile = context.project.dockerfile
    exporting = {i.stage for i, c in all_installer_commands(dockerfile) if c.tool == "poetry export"}
    for instruction, command, word in _poetry_installs(dockerfile):
        if instruction.stage in exporting and _lacks_export(command, word):
            yield Finding(ID, f"`{word}` installs Poetry 2.x, which has no `export` command without {PLUGIN}, and "
                              "this stage runs `poetry export`",
                          evidence=(instruction.text,), location=f"{context.dockerfile_path}:{instruction.line}")


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    return Finding(ID, "the Poetry in the image has no `export` command", evidence=evidence_lines(log, match))


def _pinned_install(command: str, word: str, tools: tuple[str, ...]) -> str:
    if PIPX_INSTALL.match(command):
        injected = "".join(f" && pipx inject poetry {shlex.quote(t)}" for t in tools[1:])
        return re.sub(rf"(?<!\S)(['\"]?){re.escape(word)}\1(?!\S)", lambda _: shlex.quote(tools[0]), command, count=1) + injected
    extra = [t for t in tools[1:] if t not in command]
    pinned = " ".join(shlex.quote(t) for t in (tools[0], *extra))
    return re.sub(rf"(?<!\S)(['\"]?){re.escape(word)}\1(?!\S)", lambda _: pinned, command, count=1)


def fix(context: Context, finding: Finding) -> Fix | Skip:
    project = context.project
    if project.manager != "poetry" or project.lock is None:
        return Skip("no poetry.lock: there is nothing for `poetry export` to export and no Poetry version to match")
    tools = installer_for(project, ()).tools  # poetry==<the lock's version> [+ poetry-plugin-export for 2.x]
    installs = _poetry_installs(project.dockerfile)
    if not installs:
        return Skip("Poetry is not installed with pip or pipx here (official installer?): pin POETRY_VERSION "
                    f"to {poetry_version(project)} and add {PLUGIN} by hand")
    edits: dict[Instruction, dict[str, str | None]] = {}
    for instruction, command, word in installs:
        new = _pinned_install(command, word, tools)
        if new != command:
            edits.setdefault(instruction, {})[command] = new
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
