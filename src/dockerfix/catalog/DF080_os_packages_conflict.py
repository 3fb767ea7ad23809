"""Two OS packages the build installs cannot be installed together.

What it catches: apt's `libcurl4-gnutls-dev : Conflicts: libcurl4-openssl-dev but 8.14.1-2 is to be installed`
(or `Breaks:`) ending in `E: Unable to correct problems, you have held broken packages.`; dpkg's `trying to
overwrite '/usr/bin/node', which is also in package nodejs-legacy`; rpm's (yum, dnf) `file /usr/lib64/x.so
from install of a-1.0.el7 conflicts with file from package b-2.0.el7` and yum's `Error: git224-core conflicts
with git-1.8.3.1-23.el7_8`.
Why it breaks: the packages declare that they exclude each other (two flavours of one library's headers, two
mail servers, two versions of one runtime from different repositories), or both ship the same file; the package
manager refuses to pick for the Dockerfile, so the install step stops.
The fix: none automatic (which of the two the project needs is its choice). The suggestion names the failing
instruction and both packages: install only one of them (drop the other, or the package that pulls it in), or,
for a file both ship, remove the first before installing the second. Packages missing from the release are
DF020's and DF077's.
"""

from __future__ import annotations

import re

from dockerfix.catalog.rule import Context, Finding, Rule, regex
from dockerfix.catalog.suggestions import at, failed_instruction, step_named

ID = "DF080"
APT = r"^\s*(?P<package>[\w.+:-]+) : (?P<relation>Conflicts|Breaks): (?P<other>[\w.+:-]+)"
DPKG = (r"^\s*trying to overwrite '(?P<path>[^']+)', which is also in package (?P<other>[\w.+:-]+)")
RPM = (r"file (?P<path>\S+) (?:from install of (?P<package>\S+) )?conflicts with file from package "
       r"(?P<other>\S+)")
YUM = r"^Error: (?P<package>\S+) conflicts with (?P<other>\S+)$"
DPKG_ARCHIVE = re.compile(r"^dpkg: error processing archive \S*?/(?P<package>[^/_\s]+)_[^/\s]*\.deb", re.MULTILINE)


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    found = list(match.re.finditer(log))
    pairs: list[tuple[str, str]] = []
    for m in found:
        package = m.groupdict().get("package")
        if package is None:  # dpkg names the archive it was unpacking on the line before
            archive = list(DPKG_ARCHIVE.finditer(log, 0, m.start()))
            package = archive[-1].group("package") if archive else "the package being unpacked"
        pair = (package, m.group("other"))
        if pair not in pairs and pair[::-1] not in pairs:
            pairs.append(pair)
    shared = next((m.group("path") for m in found if m.groupdict().get("path")), None)
    named = "; ".join(f"{a} and {b}" for a, b in pairs)
    change = (f"install only one of {named} (drop the other, or the package that pulls it in)" if shared is None
              else f"{named} both ship {shared}: install only one of them, or remove the first before installing "
                   "the second")
    return Finding(ID, f"the OS packages {named} cannot be installed together", evidence=tuple(m.group(0).strip()
                   for m in found), location=at(context, failed_instruction(context, log)),
                   suggestion=f"in {step_named(context, log)}, {change}",
                   captures={"packages": tuple(dict.fromkeys(p for pair in pairs for p in pair))})


RULE = Rule(
    id=ID,
    name="os-packages-conflict",
    kind="report",
    summary="Two OS packages the build installs conflict (apt Conflicts/Breaks, a file both ship)",
    explanation=__doc__,
    case="apt-packages-conflict",
    log=regex(APT, DPKG, RPM, YUM),
    from_log=from_log,
    applicability="suggestion",
)
