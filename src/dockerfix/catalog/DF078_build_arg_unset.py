"""A build ARG the Dockerfile uses has no default and is not given, so it expands to nothing.

What it catches: `ARG VERSION` with no value, then `RUN pip install app==$VERSION` failing with pip's
`ERROR: Invalid requirement: 'app=='` (older pips: `No matching distribution found for app==`); `FROM
python:${PY}-slim` with PY unset failing with `invalid reference format` (or `base name (${BASE}) should not
be blank` for `FROM ${BASE}`); `WORKDIR $APP_DIR` refused by the classic builder (`cannot normalize nothing`).
Why it breaks: an ARG without a default is set only by `docker build --build-arg NAME=...` (or compose's
`build.args`); a build that does not pass it (a developer's `docker build .`, a CI job, dockerfix) substitutes
the empty string, and the instruction loses its version, tag or path. FROM lines see only the ARGs declared
before the first FROM, so an ARG declared inside a stage never reaches one.
The fix: none automatic (the value is the user's choice). The suggestion names the ARG's line and the line
that uses it: give a default (`ARG NAME=...`) or pass `--build-arg NAME=...`. Detected before any build for
uses an empty value breaks on every builder (a FROM reference, an `==` pin in a RUN); an empty WORKDIR (BuildKit
accepts it) shows only in a log; an empty COPY source builds on Docker 20.10 (it copies the context root), and
uses with a shell default (`${NAME:-x}`) or tests (`[ -n "$NAME" ]`) are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from dockerfix.model import DockerfileInfo, Instruction
from dockerfix.analyse.failed_step import failed_run
from dockerfix.catalog.rule import Context, Finding, Location, Rule, evidence_lines, regex

ID = "DF078"
# ARGs the builder defines itself (BuildKit's platform ARGs, the proxy ARGs) are never "not given".
PREDEFINED = frozenset({"TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT", "BUILDPLATFORM", "BUILDOS",
                        "BUILDARCH", "BUILDVARIANT", "HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY",
                        "http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "all_proxy"})
DECLARED = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<default>=\S*)?")
# `$NAME` or `${NAME}`, not `${NAME:-default}` / `${NAME-default}` / `${NAME:+alt}` (they survive an empty value)
USE = r"\$(?:\{{{name}\}}|{name}(?![A-Za-z0-9_]))"
PIN = r"(?:===?|~=|>=|<=|!=)\s*[\"']?" + USE
# An empty WORKDIR is refused by the classic builder only (and an empty COPY source by neither): only a FROM
# reference and a RUN's `==` pin break on every builder, so only they are findings before a build.
EMPTY_BREAKS = ("FROM",)
# What an empty value makes the builders and pip say.
# (pip >= 24.1: `Invalid requirement: 'app=='`; older pips: `No matching distribution found for app==`)
PIP_EMPTY_PIN = (r"(?:Invalid requirement: '|No matching distribution found for )"
                 r"(?P<requirement>[\w.\[\],-]+\s*(?:===?|~=|>=|<=|!=))(?:'|\s*$)")
EMPTY_REFERENCE = r"invalid reference format|base name \(\$\{?\w+\}?\) should not be blank"
EMPTY_WORKDIR = r"^cannot normalize nothing$"  # the classic builder


@dataclass(frozen=True)
class UnsetUse:
    name: str
    declared: Instruction  # the ARG line
    used: Instruction  # the instruction that expands it to nothing


def _declarations(instruction: Instruction) -> Iterator[tuple[str, bool]]:
    """(name, has a default) for each name an ARG instruction declares (`ARG A B=1` declares two)."""
    for word in instruction.value.split():
        match = DECLARED.fullmatch(word)
        if match:
            yield match.group("name"), match.group("default") is not None


def _breaks_when_empty(name: str, instruction: Instruction) -> bool:
    if instruction.keyword in EMPTY_BREAKS:
        return re.search(USE.format(name=re.escape(name)), instruction.value) is not None
    return instruction.keyword == "RUN" and re.search(PIN.format(name=re.escape(name)), instruction.value) is not None


def _uses(name: str, instruction: Instruction) -> bool:
    return re.search(USE.format(name=re.escape(name)), instruction.value) is not None


def unset_uses(dockerfile: DockerfileInfo, *, only_breaking: bool = True) -> Iterator[UnsetUse]:
    """The uses of ARGs that nothing gives a value: no default in their ARG (nor, for a stage's ARG, in a global
    ARG of the same name), no ENV of the same name earlier in the stage."""
    global_args: dict[str, tuple[Instruction, bool]] = {}
    scope: dict[str, tuple[Instruction, bool]] = {}
    for instruction in dockerfile.instructions:
        keyword = instruction.keyword
        if keyword == "FROM":
            scope = {}
            visible = global_args
        else:
            visible = scope
        if keyword == "ARG":
            for name, has_default in _declarations(instruction):
                inherited = instruction.stage >= 0 and global_args.get(name, (instruction, False))[1]
                (global_args if instruction.stage < 0 else scope)[name] = (instruction, has_default or inherited)
            continue
        if keyword == "ENV":
            for word in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)[= ]", instruction.value + " "):
                scope.pop(word, None)
        for name, (declared, given) in visible.items():
            if given or name in PREDEFINED:
                continue
            if _breaks_when_empty(name, instruction) if only_breaking else _uses(name, instruction):
                yield UnsetUse(name, declared, instruction)


def _finding(context: Context, use: UnsetUse, evidence: tuple[str, ...]) -> Finding:
    path = context.dockerfile_path
    where = f"{path}:{use.used.line}"
    suggestion = (f"ARG {use.name} ({path}:{use.declared.line}) is used at line {use.used.line} but never given: "
                  f"add --build-arg {use.name}=... or a default `ARG {use.name}=...`")
    return Finding(ID, f"{use.used.keyword} at {where} expands ARG {use.name}, which has no value, to nothing",
                   evidence=evidence, location=Location(path, use.used.line), suggestion=suggestion,
                   captures={"arg": use.name, "line": str(use.used.line)})


def detect(context: Context) -> Iterator[Finding]:
    dockerfile = context.project.dockerfile
    if dockerfile is None:
        return
    for use in unset_uses(dockerfile):
        yield _finding(context, use, (use.declared.text, use.used.text))


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    dockerfile = context.project.dockerfile
    if dockerfile is None:
        return None
    uses = list(unset_uses(dockerfile, only_breaking=False))
    if match.re.pattern == PIP_EMPTY_PIN:
        run = failed_run(dockerfile, log)
        uses = [u for u in uses if run is not None and u.used == run]
    else:
        keywords = ("FROM",) if match.re.pattern == EMPTY_REFERENCE else ("WORKDIR",)
        uses = [u for u in uses if u.used.keyword in keywords]
    if not uses:
        return None
    return _finding(context, uses[0], (*evidence_lines(log, match, before=1, after=0), uses[0].used.text))


RULE = Rule(
    id=ID,
    name="build-arg-unset",
    kind="report",
    summary="A build ARG is used but has no default and is not given",
    explanation=__doc__,
    case="build-arg-unset",
    log=regex(PIP_EMPTY_PIN, EMPTY_REFERENCE, EMPTY_WORKDIR),
    detect=detect,
    from_log=from_log,
    applicability="suggestion",
)
