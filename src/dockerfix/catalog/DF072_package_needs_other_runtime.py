"""A package the build installs does not support the image's interpreter (Python, Ruby, Node.js, Go, Rust, Elixir).

What it catches: a release that declares another interpreter than the image's: `RuntimeError: Cannot install on
Python version 3.13.0; only versions >=3.9,<3.13 are supported`, pip's `Package 'x' requires a different Python:
2.7.18 not in '>=3.6'`, a Python 2 `setup.py` run by a package that dropped Python 2 (`SyntaxError`, `open()`'s
`encoding` refused, `No module named pathlib`) or f-strings on Python 3.5; RubyGems' `bundler requires Ruby
version >= 3.0.0. The current ruby version is 2.7.8`; npm's `EBADENGINE` and yarn's `The engine "node" is
incompatible with this module`; cargo's `requires rustc 1.70 or newer`; Go's `note: module requires Go 1.19`;
mix's `supports only Elixir ~> 1.13`.
Why it breaks: the Dockerfile installs an unpinned (or newer) release of a package, and that release needs a
newer (or older) interpreter than the image's. The image did not change; the package index did.
The fix: none automatic (DF024 moves the Python of the image when pip lists the release it skipped). The
suggestion names the package, what it requires and what the image has: pin the package to its last release
for the image's interpreter (RubyGems prints it), or move the FROM line to an interpreter the package supports.
"""

from __future__ import annotations

import re

from dockerfix.catalog.rule import Context, Finding, Rule, evidence_lines
from dockerfix.catalog.suggestions import at, base_named, failed_instruction, step_named

ID = "DF072"
# A Python 2 pip running a setup.py written for Python 3: what the traceback above the failure says.
PY3_ONLY_SETUP = (r"SyntaxError: invalid syntax|'encoding' is an invalid keyword argument|No module named (?:pathlib|typing)"
                  r"|print\(.*end=")
# (interpreter, pattern, proof): named groups package, required, current (each optional); proof, when given, must
# appear in the lines before the match.
REQUIREMENTS: tuple[tuple[str, str, str | None], ...] = (
    ("Python", r"Cannot install on Python version (?P<current>[\d.]+); only versions (?P<required>\S+?) are supported", None),
    ("Python", r"Package '(?P<package>[^']+)' requires a different Python: (?P<current>[\d.]+) not in '(?P<required>[^']+)'", None),
    ("Python", (r"Command \"python setup\.py egg_info\" failed with error code 1 in /tmp/pip-[\w-]+/(?P<package>[\w.-]+)/?$"
               r"(?P<required>)(?P<current>)"), PY3_ONLY_SETUP),
    ("Ruby", (r"(?P<package>[\w.-]+) requires Ruby version (?P<required>[^.\s]+ [\d.]*\d)\.?(?: The current ruby version is "
             r"(?P<current>[\d.]+?)(?:\.\d+)?\.)?$"), None),
    ("Ruby", (r"(?P<package>[\w.-]+) requires ruby version (?P<required>.+?), which is incompatible\s+with the current "
             r"version, ruby (?P<current>\S+)"), None),
    ("Node.js", (r"notsup Not compatible with your version of node/npm: (?P<package>\S+)\n(?:npm ERR! )?notsup Required: "
                r"(?P<required>\{.*\})\n(?:npm ERR! )?notsup Actual:\s+(?P<current>\{.*\})"), None),
    ("Node.js", (r"error (?P<package>\S+): The engine \"node\" is incompatible with this module\. Expected version "
                r"\"(?P<required>[^\"]+)\"\. Got \"(?P<current>[^\"]+)\""), None),
    ("Rust", (r"package `(?P<package>[^`]+)` cannot be built because it requires rustc (?P<required>[\d.]+) or newer, "
             r"while the currently active rustc version is (?P<current>[\d.]+)"), None),
    ("Rust", r"supported edition values are [^\n]*, but `(?P<required>\d+)` is unknown", None),
    ("Go", r"^note: module requires Go (?P<required>[\d.]+)", None),
    ("Elixir", (r"You're trying to run :(?P<package>\w+) on Elixir v(?P<current>\S+) but it has declared in its mix\.exs "
               r"file it supports only Elixir (?P<required>.+)$"), None),
)
PATTERNS = {pattern: (runtime, proof) for runtime, pattern, proof in REQUIREMENTS}
GEM_LAST = re.compile(r"The last version of (?P<package>\S+) \(.*?\) to support your Ruby & RubyGems was (?P<version>\S+)\. "
                      r"Try installing it with `(?P<command>[^`]+)`")


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    runtime, proof = PATTERNS[match.re.pattern]
    groups = {k: v for k, v in match.groupdict().items() if v}
    if proof is not None:
        if not re.search(proof, log[max(0, match.start() - 4000): match.start()]):
            return None  # the setup.py failed for another reason
        groups |= {"required": "Python 3", "current": "Python 2"}
    package = groups.get("package", "a dependency")
    required = groups.get("required", "another version")
    current = groups.get("current")
    message = (f"{package} requires {runtime} {required}" if not required.startswith(runtime) else f"{package} requires {required}")
    message += f", but the image has {current}" if current else ", which the image does not have"
    last = GEM_LAST.search(log)
    pin = (f"use `{last.group('command')}` (its last release for this {runtime})" if last and last.group("package") == package
           else f"pin {package} to its last release that supports the image's {runtime}")
    instruction = failed_instruction(context, log)
    suggestion = f"in {step_named(context, log)}, {pin}; or move {base_named(context, log)} to a {runtime} that {package} supports"
    evidence = evidence_lines(log, match, before=0, after=0) + ((last.group(0),) if last else ())
    return Finding(ID, message, evidence=evidence, location=at(context, instruction), suggestion=suggestion,
                   captures={"runtime": runtime, "package": package, "required": required, "current": current or ""})


RULE = Rule(
    id=ID,
    name="package-needs-other-runtime",
    kind="report",
    summary="An installed package requires another interpreter version than the image's",
    explanation=__doc__,
    case="gem-needs-newer-ruby",
    log=tuple(re.compile(pattern, re.MULTILINE) for pattern in PATTERNS),
    from_log=from_log,
    applicability="suggestion",
)
