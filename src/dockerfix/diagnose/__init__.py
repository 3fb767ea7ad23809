"""Stage 5, diagnose: match a build log, or a verification's failed checks, against the catalog.

Logs come in many shapes (the classic builder, BuildKit plain or tty progress, `docker compose build`,
CI runners with timestamps); `normalise_log` reduces them to the commands' own output lines first, so one
pattern per rule serves every shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from dockerfix.build import split_stream_switches
from dockerfix.catalog import RULES
from dockerfix.catalog.rule import Rule
from dockerfix.model import Context, Finding
from dockerfix.checks import Check, Verification

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")
PREFIXES = (
    re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z\s?"),  # GitHub Actions / GitLab timestamps
    re.compile(r"^[\w.-]+\s+\|\s"),  # docker compose service prefix: "backend  | "
    re.compile(r"^#\d+\s+\d+\.\d+(?:\s|$)"),  # BuildKit plain: "#8 1.234 output" ("#8 1.234" for an empty line)
    re.compile(r"^#\d+\s(?=\S)(?!\[|CACHED|DONE|ERROR|sha256|transferring|resolve|extracting|naming|exporting|writing)"),
    re.compile(r"^\s*=>\s(?:ERROR\s)?"),  # BuildKit tty: "=> ERROR [2/5] RUN ..."
)
# apt's progress lines ("Reading package lists...", "Building dependency tree...") wait for their newline on
# stdout while its messages go to stderr; BuildKit's plain progress prints both streams as one, glued:
# "#5 0.180 Building dependency tree...E: Unable to locate package curl".
APT_MESSAGE_GLUED = re.compile(r"(?<=\.\.\.)(?=[EWN]: )")
ERRORISH = re.compile(r"error|failed|not found|no such|denied|cannot|can't|unable|traceback|exception|"
                      r"returned a non-zero code|exit code", re.IGNORECASE)


def normalise_log(text: str) -> str:
    lines: list[str] = []
    for raw in ANSI.sub("", split_stream_switches(text)).splitlines():
        line = raw
        for prefix in PREFIXES:
            line = prefix.sub("", line, count=1)
        lines.extend(part.rstrip() for part in APT_MESSAGE_GLUED.split(line))
    return "\n".join(lines)


@dataclass(frozen=True)
class Diagnosis:
    """The catalog's findings for a failure (most specific first), or the lines that matter when none matched."""

    findings: tuple[Finding, ...]  # most specific first; empty when the failure is unknown
    relevant: tuple[str, ...]  # the log lines that matter, for an unknown failure
    conclusive: bool = False  # a finding of a conclusive rule (`Rule.conclusive`) explains the whole failure

    @property
    def known(self) -> bool:
        return bool(self.findings)


def _diagnosis(findings: list[Finding], rules: tuple[Rule, ...], relevant: Callable[[], tuple[str, ...]]) -> Diagnosis:
    """The findings, those of the conclusive rules first (stable: in the rules' order otherwise)."""
    conclusive = {rule.id for rule in rules if rule.conclusive}
    findings.sort(key=lambda f: f.rule not in conclusive)
    return Diagnosis(findings=tuple(findings), relevant=() if findings else relevant(),
                     conclusive=any(f.rule in conclusive for f in findings))


# error-sounding lines every apt or pip run prints, failing or not: debconf falling back from its dialog frontends
# when there is no terminal, pip's upgrade notice
NOISE = re.compile(r"^debconf: (?:unable to initialize frontend|\(Can't locate|falling back to frontend)|^\[notice\] ")


def relevant_lines(log: str, limit: int = 25) -> tuple[str, ...]:
    lines = [l for l in log.splitlines() if ERRORISH.search(l) and not NOISE.search(l)]
    return tuple(lines[-limit:])


def diagnose(context: Context, log: str, *, kinds: tuple[str, ...] = ("build", "run", "report"),
             rules: tuple[Rule, ...] = RULES) -> Diagnosis:
    """Match a build log against the log patterns of `rules` (default: the catalog) of the given kinds."""
    text = normalise_log(log)
    findings = []
    for rule in rules:
        if rule.kind in kinds and rule.log:
            finding = rule.match_log(context, text)
            if finding is not None:
                findings.append(finding)
    return _diagnosis(findings, rules, lambda: relevant_lines(text))


def _check_finding(rule: Rule, context: Context, check: Check) -> Finding | None:
    """What a failed check shows a rule that reads it: its facts, or what the code it ran printed."""
    if check.passed or check.name not in rule.checks:
        return None
    if rule.from_check is not None:
        return rule.from_check(context, check)
    return rule.match_log(context, normalise_log(check.printed())) if rule.log else None


def diagnose_verification(context: Context, verification: Verification, *,
                          rules: tuple[Rule, ...] = RULES) -> Diagnosis:
    """Match a verification's failed checks: each run or report rule of `rules` (default: the catalog) reads the
    checks it names (`Rule.checks`)."""
    findings = []
    for rule in rules:
        found = (_check_finding(rule, context, check) for check in verification.failed())
        finding = next((f for f in found if f is not None), None)
        if finding is not None:
            findings.append(finding)
    return _diagnosis(findings, rules, lambda: tuple(line for check in verification.failed() for line in
                                                     (f"[{check.name}] {check.detail}", *relevant_lines(check.output))))


def static_findings(context: Context, rules: tuple[Rule, ...] = RULES) -> tuple[Finding, ...]:
    """Every failure detectable without building (the repair loop's static pass, `dockerfix check`)."""
    return tuple(finding for rule in rules if rule.detect is not None for finding in rule.detect(context))
