"""The OS package manager has no such package or version: a pinned apt version left the archive, or dnf, yum
or pacman do not know a name.

What it catches: apt's `E: Version '6.0-26+deb11u1' for 'unzip' was not found`, dnf's `No match for argument:
python3.7`, yum's `No package python36 available.`, pacman's `error: target not found: busybox=1.33.1-5`.
Why it breaks: Debian keeps only the current version of a package in a suite (a point release replaces
`+deb11u1` with `+deb11u2`; `stable` moves to the next release), and Fedora/RHEL/Arch drop and rename packages
between releases, so exact pins and old names stop resolving without any change in the Dockerfile.
The fix: none automatic. The suggestion names the packages and the failing instruction: drop the exact
version (or pin only the upstream part with a wildcard, `unzip=6.0-*`), or use the release's current name.
Package names apt cannot locate at all are DF020's.
"""

from __future__ import annotations

import re

from dockerfix.catalog.rule import Context, Finding, Rule, regex
from dockerfix.catalog.suggestions import at, failed_instruction, step_named

ID = "DF077"
APT_VERSION = r"^E: Version '(?P<version>[^']+)' for '(?P<package>[^']+)' was not found"
DNF = r"^No match for argument: (?P<package>\S+)"
YUM = r"^No package (?P<package>\S+) available\."
PACMAN = r"^error: target not found: (?P<package>\S+)"
MANAGERS = {APT_VERSION: "apt", DNF: "dnf", YUM: "yum", PACMAN: "pacman"}


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    manager = MANAGERS[match.re.pattern]
    found = list(match.re.finditer(log))
    names = list(dict.fromkeys(m.group("package") + (f"={m.group('version')}" if manager == "apt" else "") for m in found))
    change = ("drop the exact versions (or pin the upstream part only, `name=1.2-*`)" if manager in ("apt", "pacman")
              and any("=" in n for n in names) else "use the names this release has (or drop them)")
    return Finding(ID, f"{manager} has no {', '.join(names)} in the image's release", evidence=tuple(m.group(0) for m in found),
                   location=at(context, failed_instruction(context, log)),
                   suggestion=f"in {step_named(context, log)}, {change}", captures={"packages": tuple(names)})


RULE = Rule(
    id=ID,
    name="os-package-unavailable",
    kind="report",
    summary="apt has no such pinned version, or dnf/yum/pacman no such package",
    explanation=__doc__,
    case="apt-pinned-version-gone",
    log=regex(APT_VERSION, DNF, YUM, PACMAN),
    from_log=from_log,
    applicability="suggestion",
)
