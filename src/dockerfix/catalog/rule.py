"""What a catalog rule is: data (id, signature, explanation, corpus case) plus two small functions.

A rule recognises a failure class in one or more of these ways:
- `log`: regular expressions over a build log (and, for the verification checks a run rule names in `checks`,
  over what the code those checks ran printed); named groups become the finding's captures;
- `from_check`: reads the typed facts of a failed verification check it names in `checks` (never its words);
- `detect`: a predicate over the project's files that finds the failure before any build.
Its `fix` turns a finding into edited file texts (a `Fix`) or says why it cannot (`Skip`); rules of kind
"report" have no fix: what they catch is outside what a Dockerfile edit can repair.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from dockerfix.checks import Check
# The values a rule reads and returns live in the neutral model (the stages share them); a rule module imports
# them from here, beside `Rule`, `evidence_lines` and `regex`.
from dockerfix.model import Context, Finding, Fix, Skip
from dockerfix.model import Location as Location  # for the rules' findings

Kind = Literal["build", "run", "report"]
Applicability = Literal["safe", "unsafe", "suggestion"]
Severity = Literal["error", "warning"]
LogMatcher = Callable[[Context, "re.Match[str]", str], Finding | None]
CheckMatcher = Callable[[Context, Check], Finding | None]


@dataclass(frozen=True)
class Rule:
    id: str  # "DF001"
    name: str  # the failure, not the fix: "lock-file-ignored"
    kind: Kind
    summary: str  # one line, for listings
    explanation: str  # what it catches, why it breaks, the fix (the rule module's docstring)
    seeds: tuple[str, ...] = ()  # rows of shared/docs/failures.md it covers
    case: str | None = None  # corpus/<case>/ that reproduces it on a real engine
    log: tuple[re.Pattern[str], ...] = ()
    detect: Callable[[Context], Iterable[Finding]] | None = None
    from_log: LogMatcher | None = None  # refines a log match into a finding (None: always a finding)
    # the verification checks (ids of dockerfix.checks.CHECK_IDS) whose failures the rule reads: their facts through
    # `from_check` when it has one, else what their code printed through `log`
    checks: tuple[str, ...] = ()
    from_check: CheckMatcher | None = None
    fix: Callable[[Context, Finding], Fix | Skip] | None = None
    applicability: Applicability = "safe"
    # A warning names a risk, not a failure (a compose start order that a retrying application survives): it is
    # reported, but it neither fails a repair whose image verifies nor makes `check` exit 1.
    severity: Severity = "error"
    # A conclusive finding explains the whole failure (no network, disk full, engine gone): no other rule's
    # fix may be tried on top of it, because the build did not fail for a reason a file edit can remove.
    conclusive: bool = False
    # An environment finding is a conclusive one whose cause is what this engine or its network cannot give the
    # build (a base image it lacks with no registry answering, a download host out of reach): the repair ends
    # blocked, naming the image or URL, and the same build elsewhere would get past it.
    environment: bool = False
    references: tuple[str, ...] = field(default=())

    def match_log(self, context: Context, log: str) -> Finding | None:
        for pattern in self.log:
            match = pattern.search(log)
            if match is None:
                continue
            if self.from_log is not None:
                finding = self.from_log(context, match, log)
                if finding is None:
                    continue
                return finding
            return Finding(rule=self.id, message=self.summary, evidence=evidence_lines(log, match),
                           captures={k: v for k, v in match.groupdict().items() if v is not None})
        return None


def evidence_lines(log: str, match: re.Match[str], before: int = 2, after: int = 2) -> tuple[str, ...]:
    """The matched lines of a log with a little context, for the report's "Symptom"."""
    lines = log.splitlines()
    first = log.count("\n", 0, match.start())
    last = log.count("\n", 0, match.end())
    return tuple(l for l in lines[max(0, first - before): last + after + 1] if l.strip())


def regex(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.MULTILINE) for p in patterns)
