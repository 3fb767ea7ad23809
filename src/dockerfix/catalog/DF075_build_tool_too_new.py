"""A new release of a build tool (setuptools, Cython, pip) no longer builds an older package, or no longer runs
on the image's old Python.

What it catches: `error in anyjson setup command: use_2to3 is invalid` (setuptools 58), PyYAML 5.x's
`AttributeError: cython_sources` (Cython 3, also behind Poetry's "not supporting PEP 517 builds"), get-pip.py's
`This script does not work on Python 2.7`, a pip 21+ traceback on Python 2.7/3.5, and setuptools refusing the
running Python (rows of `tables/build_tool_pins.toml`).
Why it breaks: pip builds sdists in an isolated environment with the newest setuptools and Cython, and
`pip install --upgrade pip setuptools` on an old Python fetches releases that dropped it. A Dockerfile that
built for years fails when the tool, not the project, changes.
The fix: none automatic. The suggestion names the failing instruction and the pin from the table
(`setuptools<58`, `PyYAML>=6.0.1`, `pip<21`), to put in the install or in a PIP_CONSTRAINT file that build
isolation also reads.
"""

from __future__ import annotations

import re

from dockerfix import tables
from dockerfix.catalog.rule import Context, Finding, Rule, evidence_lines
from dockerfix.catalog.suggestions import at, failed_instruction, step_named

ID = "DF075"
PINS = {re.compile(pin.signature, re.MULTILINE).pattern: pin for pin in tables.build_tool_pins()}


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    pin = PINS[match.re.pattern]
    instruction = failed_instruction(context, log)
    suggestion = (f"pin {pin.requirement} in {step_named(context, log)} (for a build dependency, through a "
                  "PIP_CONSTRAINT file, which pip's isolated builds read too)")
    return Finding(ID, f"{pin.why}: pin {pin.requirement}", evidence=evidence_lines(log, match, before=1, after=0),
                   location=at(context, instruction), suggestion=suggestion,
                   captures={"tool": pin.tool, "requirement": pin.requirement})


RULE = Rule(
    id=ID,
    name="build-tool-too-new",
    kind="report",
    summary="A new setuptools/Cython/pip release no longer builds an older package or runs on an old Python",
    explanation=__doc__,
    case="setuptools-use-2to3",
    log=tuple(re.compile(pattern, re.MULTILINE) for pattern in PINS),
    from_log=from_log,
    applicability="suggestion",
)
