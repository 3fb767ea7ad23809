"""Debian's `adduser` is given `useradd` (or BusyBox) options it does not have.

What it catches: `RUN adduser --system --create-home appuser` failing with `Unknown option: create-home`
and adduser's usage text (seed S001-8), and the same for `-m`, `-d DIR`, `-s SHELL`, `-u UID`, `-r`.
Why it breaks: Debian and Ubuntu have two tools: `useradd` (shadow's low-level tool: `--create-home`,
`--home-dir`, `-r`) and `adduser` (a Perl front end with its own long options: `--home`, `--system`,
`--disabled-password`); Alpine's BusyBox `adduser` has a third set (`-D -S -h`). Recipes mix them up.
The fix: the options are rewritten into the ones Debian's adduser has (`--home-dir`/`-d` → `--home`,
`-s` → `--shell`, `-u` → `--uid`, `-g` → `--ingroup`, `-r` → `--system`); `--create-home`/`-m` go,
because adduser creates the home itself, and a `--system` user, which would otherwise get /nonexistent,
gets `--home /home/NAME` so it still has one. Applied to Debian-family images; detected before any build.
An option with no adduser equivalent is reported.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

from dockerfix.model import Instruction
from dockerfix.analyse.failed_step import failed_run
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, evidence_lines, regex
from dockerfix.analyse.users import UserCreation, user_creations
from dockerfix.transform.apt import has_apt
from dockerfix.transform.shell import apply_command_edits

ID = "DF011"
# Debian adduser's own options (adduser 3.134, bookworm; `--gecos` is the older name of `--comment`).
ADDUSER_OPTIONS = frozenset({
    "--system", "--home", "--shell", "--no-create-home", "--uid", "--firstuid", "--lastuid", "--gid", "--firstgid",
    "--lastgid", "--ingroup", "--group", "--add-extra-groups", "--add_extra_groups", "--comment", "--gecos",
    "--disabled-password", "--disabled-login", "--allow-all-names", "--allow-bad-names", "--force-badname", "--conf",
    "--quiet", "-q", "--verbose", "--debug", "--extrausers", "--encrypt-home", "--help", "--version",
})
# Options of useradd / BusyBox adduser → the Debian adduser option that means the same ("" drops it).
TRANSLATION = {
    "--create-home": "", "-m": "", "--home-dir": "--home", "-d": "--home", "-h": "--home",
    "-s": "--shell", "-u": "--uid", "-g": "--ingroup", "-r": "--system", "-S": "--system", "-M": "--no-create-home",
    "-D": "--disabled-password", "-c": "--comment", "--no-log-init": "", "-l": "",
}
PLAIN_WORD = re.compile(r"[\w@%+=:,./${}-]+")


def _foreign(creation: UserCreation) -> list[str]:
    return [option for option, _ in creation.options if option not in ADDUSER_OPTIONS]


def _debian_adduser(context: Context, instruction: Instruction) -> bool:
    dockerfile = context.project.dockerfile
    return dockerfile is not None and has_apt(dockerfile, dockerfile.stages[instruction.stage])


def _candidates(context: Context) -> list[UserCreation]:
    return [c for c in user_creations(context.project.dockerfile)
            if c.tool == "adduser" and _foreign(c) and _debian_adduser(context, c.instruction)]


def detect(context: Context) -> Iterator[Finding]:
    for creation in _candidates(context):
        foreign = ", ".join(_foreign(creation))
        yield Finding(ID, f"Debian's adduser has no {foreign} (useradd's or BusyBox's option)",
                      evidence=(creation.instruction.text,),
                      location=Location(context.dockerfile_path, creation.instruction.line),
                      captures={"user": creation.name})


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    run = failed_run(context.project.dockerfile, log)
    option = match.group("option").lstrip("-")
    for creation in _candidates(context):
        if (run is None or creation.instruction == run) and any(o.lstrip("-") == option for o in _foreign(creation)):
            return Finding(ID, f"Debian's adduser rejects --{option}", evidence=evidence_lines(log, match),
                           location=Location(context.dockerfile_path, creation.instruction.line),
                           captures={"user": creation.name})
    return None


def _word(word: str) -> str:
    return word if PLAIN_WORD.fullmatch(word) else shlex.quote(word)


def translated(creation: UserCreation) -> str | None:
    """The adduser command with Debian's options, or None when an option has no equivalent."""
    options: list[tuple[str, str]] = []
    wanted_home = False
    for option, value in creation.options:
        if option in ADDUSER_OPTIONS:
            options.append((option, value))
            continue
        replacement = TRANSLATION.get(option)
        if replacement is None:
            return None
        wanted_home = wanted_home or option in ("--create-home", "-m")
        if replacement and replacement not in dict(options):
            options.append((replacement, value))
    given = dict(options)
    if wanted_home and "--system" in given and "--home" not in given:
        options.append(("--home", f"/home/{creation.name}"))
    program = creation.command.split()[0]
    words = [program, *(w for option, value in options for w in ((option, value) if value else (option,))), creation.name]
    return " ".join(_word(w) for w in words)


def fix(context: Context, finding: Finding) -> Fix | Skip:
    edits: dict[Instruction, dict[str, str | None]] = {}
    for creation in _candidates(context):
        new = translated(creation)
        if new is None:
            return Skip(f"`{creation.command}` uses an option Debian's adduser has no equivalent for: "
                        "use useradd, or adduser's own options")
        edits.setdefault(creation.instruction, {})[creation.command] = new
    if not edits:
        return Skip("every adduser uses Debian's options now")
    changed = [f"`{old}` → `{new}`" for commands in edits.values() for old, new in commands.items()]
    return Fix({context.dockerfile_path: apply_command_edits(context.dockerfile_text, edits)},
               "rewrote adduser with the options Debian's adduser has: " + "; ".join(changed))


RULE = Rule(
    id=ID,
    name="adduser-unknown-option",
    kind="build",
    summary="Debian's adduser is given useradd's options",
    explanation=__doc__,
    seeds=("S001-8",),
    case="s001-8-adduser-create-home",
    log=regex(r"^(?:adduser: )?Unknown option: (?P<option>[\w-]+)$",
              r"^adduser: unrecognized option[: ]+'?-*(?P<option>[\w-]+)'?$"),
    detect=detect,
    from_log=from_log,
    fix=fix,
)
