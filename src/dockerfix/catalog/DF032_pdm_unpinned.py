"""An unpinned `pip install pdm` brings a PDM that breaks against the newest hishel.

What it catches: `AttributeError: module 'hishel' has no attribute 'SyncSqliteStorage'` from `pdm install`
(or any PDM command that reaches PyPI) after `RUN pip install pdm`.
Why it breaks: PDM caches HTTP responses through hishel, and declares it without an upper bound; hishel 1.0
no longer has the storage classes PDM subclasses (its rewrite, installed today as 2.x), so a PDM
installed today imports a hishel it cannot use.
The fix: the `pdm` requirement of that pip install becomes the set dockerfix's own layout installs
(`plan.installers.PDM_TOOLS`: a PDM release with its HTTP stack pinned to versions that work together).
An unpinned `pip install pdm` is fixed before any build; a pinned PDM when the log shows the error.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

from packaging.requirements import Requirement

from dockerfix.model import Instruction
from dockerfix.analyse.installer_commands import InstallerCommand, all_installer_commands
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, evidence_lines, regex
from dockerfix.analyse.tool_installs import requirement_named
from dockerfix.plan.installers import PDM_TOOLS
from dockerfix.transform.shell import apply_command_edits, replace_word

ID = "DF032"


def _pdm_requirement(command: InstallerCommand) -> tuple[str, Requirement] | None:
    """The word (and requirement) of a pip install that requests PDM itself, if it does."""
    if command.family != "pip" or not command.tool.endswith("install"):
        return None
    return requirement_named(command.positionals, "pdm")


def _pdm_installs(context: Context) -> list[tuple[Instruction, str, str, Requirement]]:
    """(instruction, command, requirement word, requirement) of every pip install of PDM that leaves hishel free."""
    return [(instruction, command.text, *pdm) for instruction, command in all_installer_commands(context.project.dockerfile)
            if (pdm := _pdm_requirement(command)) is not None
            and not any(w.replace(" ", "").startswith("hishel<") for w in command.positionals)]


def detect(context: Context) -> Iterator[Finding]:
    """Only an unpinned PDM is certain to be today's newest (an old pin may predate hishel)."""
    for instruction, _, word, requirement in _pdm_installs(context):
        if not requirement.specifier:
            yield Finding(ID, f"{context.dockerfile_path}:{instruction.line} installs `{word}` unpinned: today's PDM "
                              "with a hishel it cannot use", evidence=(instruction.text,),
                          location=Location(context.dockerfile_path, instruction.line), captures={"requirement": word})


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    installs = _pdm_installs(context)
    if not installs:
        return None
    instruction, _, word, _ = installs[0]
    return Finding(ID, f"{context.dockerfile_path}:{instruction.line} installs `{word}` without pinning the hishel "
                       "it needs", evidence=(*evidence_lines(log, match, before=3, after=0), instruction.text),
                   location=Location(context.dockerfile_path, instruction.line), captures={"requirement": word})


def fix(context: Context, finding: Finding) -> Fix | Skip:
    installs = _pdm_installs(context)
    if not installs:
        return Skip("every pip install of PDM pins hishel already")
    pinned = " ".join(shlex.quote(t) for t in PDM_TOOLS)
    edits: dict[Instruction, dict[str, str]] = {}
    for instruction, command, word, _ in installs:
        new = replace_word(command, word, pinned)
        if new == command:  # written quoted
            new = replace_word(command, shlex.quote(word), pinned)
        edits.setdefault(instruction, {})[command] = new
    text = apply_command_edits(context.dockerfile_text, edits)
    if text == context.dockerfile_text:
        return Skip("could not find the pdm requirement as written")
    return Fix({context.dockerfile_path: text}, f"pinned PDM and its HTTP stack: {pinned}")


RULE = Rule(
    id=ID,
    name="pdm-unpinned",
    kind="build",
    summary="An unpinned PDM breaks against the newest hishel",
    explanation=__doc__,
    case="pdm-unpinned-hishel",
    log=regex(r"AttributeError: module 'hishel' has no attribute '(?P<attribute>\w+)'"),
    detect=detect,
    from_log=from_log,
    fix=fix,
)
