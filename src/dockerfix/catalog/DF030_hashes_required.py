"""pip's hash-checking mode meets requirements without hashes or without `==` pins.

What it catches: `ERROR: Hashes are required in --require-hashes mode, but they are missing from some
requirements` and `ERROR: In --require-hashes mode, all requirements must have their versions pinned with
==. These do not: ...`, from `pip install --require-hashes -r requirements.txt` (or from a file in which only
some lines carry `--hash`, which switches the mode on by itself).
Why it breaks: in hash-checking mode pip installs nothing it cannot verify, so every requirement, the
transitive ones included, needs an exact pin and the hash of every file it may download.
The fix: when the file has no hashes at all and the Dockerfile's `--require-hashes` is what turned the mode
on, the flag is dropped. That is applied but marked unsafe: the file never protected anything (there are no
hashes to check), yet the author asked for hash checking, which the right repair keeps: regenerate the file
with `pip-compile --generate-hashes` (or `uv pip compile --generate-hashes`). When the file carries hashes
(pip-tools output edited by hand, a line added later) nothing is edited: the finding lists the lines pip
rejected, and the file must be regenerated on the host. Lines of the project's files that have no `==` pin
or no hash are found before any build; requirements missing from the file show only in the log.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from dockerfix.model import Instruction, RequirementsFile
from dockerfix.analyse.failed_step import failed_run, instruction_at
from dockerfix.analyse.installer_commands import installer_commands
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, regex
from dockerfix.transform.shell import apply_command_edits, remove_option

ID = "DF030"
FLAG = "--require-hashes"
REJECTED_LINE = re.compile(r"^ {4}(?P<line>\S.*)$", re.MULTILINE)


def _project_file(context: Context, logged: str) -> RequirementsFile | None:
    """The project's requirements file a `-r` path names (relative to the image's working directory)."""
    return next((r for r in context.project.requirements
                 if logged.removeprefix("./") == r.path or logged.endswith("/" + r.path)
                 or posixpath.basename(logged) == posixpath.basename(r.path)), None)


def _unverifiable(file: RequirementsFile) -> list[str]:
    """The lines of a requirements file that hash-checking mode rejects: no `==` pin, or no hash."""
    return [r.origin for r in file.requirements if not (r.pinned and r.hashes)]


def _hash_checked(context: Context) -> Iterator[tuple[Instruction, RequirementsFile]]:
    """The project's requirements files that a pip install reads in hash-checking mode (the flag, or hashes)."""
    for run in context.project.dockerfile.instructions if context.project.dockerfile else ():
        for command in installer_commands(run):
            if command.family == "pip" and command.tool.endswith("install"):
                for name in command.requirement_files:
                    file = _project_file(context, name)
                    if file is not None and (FLAG in command.options or file.hashed):
                        yield run, file


def detect(context: Context) -> Iterator[Finding]:
    for run, file in _hash_checked(context):
        rejected = _unverifiable(file)
        if rejected:
            yield Finding(ID, f"{file.path} is installed in pip's hash-checking mode, but {', '.join(rejected[:5])} "
                              f"{'lack' if len(rejected) > 1 else 'lacks'} an == pin or a hash", evidence=(run.text,),
                          location=Location(context.dockerfile_path, run.line),
                          captures={"line": str(run.line), "file": file.path, "hashed": "yes" if file.hashed else ""})


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    run = failed_run(context.project.dockerfile, log)
    if run is None:
        return None
    commands = [c for c in installer_commands(run) if c.family == "pip" and c.tool.endswith("install")]
    files = [f for c in commands for f in c.requirement_files]
    flagged = any(FLAG in c.options for c in commands)
    if not files and not flagged:
        return None
    project_file = next((f for name in files if (f := _project_file(context, name)) is not None), None)
    following = log[match.end(): match.end() + 4000]
    rejected = [m.group("line") for m in REJECTED_LINE.finditer(following)][:20]
    hashed = project_file is not None and project_file.hashed
    where = project_file.path if project_file else (files[0] if files else "the requirements")
    cause = (f"{where} carries hashes on some lines only" if hashed else
             f"{where} has no hashes and the install passes {FLAG}" if flagged else f"{where} lacks hashes")
    return Finding(ID, f"pip's hash-checking mode rejects requirements: {cause}",
                   evidence=(match.group(0), *rejected, run.text), location=Location(context.dockerfile_path, run.line),
                   captures={"line": str(run.line), "file": where, "hashed": "yes" if hashed else ""})


def fix(context: Context, finding: Finding) -> Fix | Skip:
    regenerate = (f"regenerate {finding.capture('file')} with `pip-compile --generate-hashes` "
                  "(or `uv pip compile --generate-hashes`) on the host")
    if finding.capture("hashed"):
        return Skip(f"{finding.capture('file')} uses hashes, so pip checks them with or without {FLAG}: {regenerate}")
    dockerfile = context.project.dockerfile
    run = instruction_at(dockerfile, finding.capture("line"))
    if run is None:
        return Skip("the failing RUN is no longer in the Dockerfile")
    edits = {c.text: remove_option(c.text, FLAG) for c in installer_commands(run) if FLAG in c.options}
    if not edits:
        return Skip(f"the install does not pass {FLAG}: {regenerate}")
    text = apply_command_edits(context.dockerfile_text, {run: edits})
    return Fix({context.dockerfile_path: text},
               f"dropped {FLAG} at line {run.line}: {finding.capture('file')} has no hashes to check; to keep hash "
               f"checking instead, {regenerate}")


RULE = Rule(
    id=ID,
    name="hashes-required",
    kind="build",
    summary="pip --require-hashes with requirements that lack hashes or == pins",
    explanation=__doc__,
    case="require-hashes-unhashed",
    log=regex(r"Hashes are required in --require-hashes mode, but they are missing from some requirements",
              r"In --require-hashes mode, all requirements must have their versions pinned with =="),
    detect=detect,
    from_log=from_log,
    fix=fix,
    applicability="unsafe",
    references=("https://pip.pypa.io/en/stable/topics/secure-installs/#hash-checking-mode",),
)
