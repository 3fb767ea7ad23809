"""The OS package manager has no such package or version: a pinned apt version left the archive, or dnf, yum
or pacman do not know a name.

What it catches: apt's `E: Version '6.0-26+deb11u1' for 'unzip' was not found`, dnf's `No match for argument:
python3.7`, yum's `No package python36 available.`, pacman's `error: target not found: busybox=1.33.1-5`.
Why it breaks: Debian keeps only the current version of a package in a suite (a point release replaces
`+deb11u1` with `+deb11u2`; `stable` moves to the next release), and Fedora/RHEL/Arch drop and rename packages
between releases, so exact pins and old names stop resolving without any change in the Dockerfile.
The fix: for apt, the exact versions apt reported go from the apt installs that name them (`unzip=6.0-26+deb11u1`
becomes `unzip`): the archive serves only the release's current version, so that is what the build can have,
and the report says which pins were dropped. For dnf, yum and pacman none is automatic: the suggestion names the
packages and the failing instruction (use the release's current name, or drop it). Package names apt cannot
locate at all, and pins DF020 knows from the release's index, are DF020's.
"""

from __future__ import annotations

import re

from dockerfix.catalog.rule import Context, Finding, Fix, Rule, Skip, regex
from dockerfix.catalog.suggestions import at, failed_instruction, step_named
from dockerfix.transform import apt
from dockerfix.transform.dockerfile import edit_each

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
                   suggestion=f"in {step_named(context, log)}, {change}",
                   captures={"manager": manager, "packages": tuple(names)})


def fix(context: Context, finding: Finding) -> Fix | Skip:
    dockerfile = context.project.dockerfile
    pins = [word for word in finding.capture_list("packages") if "=" in word]
    if finding.capture("manager") != "apt" or not pins or dockerfile is None:
        return Skip(f"{finding.capture('manager')} packages are renamed by hand: {finding.suggestion}")
    unpinned = {word.partition("=")[0]: (word.partition("=")[0],) for word in pins}
    naming = [i for i in dockerfile.instructions if apt.installs(i) and set(apt.installed_packages(i.value)) & set(unpinned)]
    text = edit_each(context.dockerfile_text, naming, lambda current, i: apt.replace_packages(current, i, unpinned))
    if text == context.dockerfile_text:
        return Skip(f"no apt install in {context.dockerfile_path} names {', '.join(unpinned)}")
    return Fix({context.dockerfile_path: text},
               f"dropped the apt versions the image's release no longer has: {', '.join(pins)} (now the release's own)")


RULE = Rule(
    id=ID,
    name="os-package-unavailable",
    kind="build",
    summary="apt has no such pinned version, or dnf/yum/pacman no such package",
    explanation=__doc__,
    case="apt-pinned-version-gone",
    log=regex(APT_VERSION, DNF, YUM, PACMAN),
    from_log=from_log,
    fix=fix,
)
