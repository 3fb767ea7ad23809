"""apt cannot install a package whose name was renamed or dropped by the Debian release the image is based on.

What it catches: `E: Unable to locate package libmysqlclient-dev` or `E: Package 'netcat' has no installation
candidate` from an `apt-get install` in a `python:*`/`debian:*` image, for names that recipes written for
older Debian or for Ubuntu still use (`python-dev`, `libssl1.1`, `libmysqlclient-dev`, `netcat`, ...).
Why it breaks: the official images follow a newer Debian than the recipe: in 12 "bookworm" Python 2 packages
are gone, library packages carry new sonames (libssl3, libffi8) and some names were only ever Ubuntu's or are
now virtual; in 13 "trixie" (the plain `-slim` tags since 2025) many libraries were renamed for 64-bit time
(`libasound2` is provided by `libasound2t64` and by others, so apt will not choose).
The fix: every apt install of the Dockerfile that names such a package gets the replacement from the rename
table (`tables/apt_renames.toml`), or loses the name when nothing replaces it (`python-dev`: the python image
has its own headers); a name the table does not know takes the provider apt itself lists, when it lists one,
or the `t64` one. Other names are not this rule's (DF021: package lists missing). Detected before any build
when the base image is known to be Debian 12 or later.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockerfix import tables
from dockerfix.catalog.rule import Context, Finding, Fix, Rule, Skip, regex
from dockerfix.transform import apt
from dockerfix.transform.dockerfile import edit_each

ID = "DF020"
UNAVAILABLE = re.compile(r"^E: (?:Unable to locate package (?P<located>\S+)"
                         r"|Package '(?P<candidate>[^']+)' has no installation candidate)", re.MULTILINE)


PROVIDED = re.compile(r"^Package (?P<name>\S+) is a virtual package provided by:\n(?P<providers>(?:  \S+ \S+\n)+)",
                      re.MULTILINE)


def unavailable_packages(log: str) -> list[str]:
    """Every package apt reported it cannot install, in order."""
    names = (m.group("located") or m.group("candidate") for m in UNAVAILABLE.finditer(log))
    return list(dict.fromkeys(apt.package_name(n) for n in names))


def replacement(name: str, log: str = "") -> tuple[str, ...] | None:
    """The table's replacement, else the provider apt listed for a virtual package: the only one, or the t64
    rename of the name (trixie). None: this rule does not know what replaces the name."""
    known = tables.apt_replacement(name)
    if known is not None:
        return known
    for match in PROVIDED.finditer(log):
        if match.group("name") == name:
            offered = [line.split()[0] for line in match.group("providers").splitlines()]
            if len(offered) == 1:
                return tuple(offered)
            if f"{name}t64" in offered:
                return (f"{name}t64",)
    return None


def _captures(replacements: list[tuple[str, tuple[str, ...]]]) -> tuple[tuple[str, str], ...]:
    """`packages` (names), `replacements` (name=new,new;name=...): what the fix applies."""
    return (("packages", " ".join(name for name, _ in replacements)),
            ("replacements", ";".join(f"{name}={','.join(new)}" for name, new in replacements)))


# Images known to be Debian 12 or later: python:* tags without an older suite (bookworm, or trixie for the plain
# tags since 2025: a replacement renamed again for t64 there is its only provider, which apt picks itself),
# debian:bookworm / debian:12, debian:trixie / debian:13.
DEBIAN_12_OR_LATER = re.compile(r"^(?:docker\.io/)?(?:library/)?(?:python:[\w.]*?(?:-slim)?(?:-bookworm|-trixie)?"
                                r"|debian:(?:bookworm|12|trixie|13)[\w.-]*)$")


def detect(context: Context) -> Iterator[Finding]:
    dockerfile = context.project.dockerfile
    if dockerfile is None:
        return
    for instruction in dockerfile.instructions:
        base = apt.base_image(dockerfile, apt.stage_of(dockerfile, instruction)) if apt.installs(instruction) else ""
        if not DEBIAN_12_OR_LATER.match(base):
            continue
        known = [(n, new) for n in apt.installed_packages(instruction.value) if (new := replacement(n)) is not None]
        if known:
            yield Finding(ID, f"{', '.join(n for n, _ in known)} cannot be installed on {base} (Debian 12 or later)",
                          evidence=(instruction.text,), location=f"{dockerfile.path}:{instruction.line}",
                          captures=_captures(known))


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    known = [(name, new) for name in unavailable_packages(log) if (new := replacement(name, log)) is not None]
    if not known:
        return None
    described = ", ".join(f"{name} → {' '.join(new) or '(nothing)'}" for name, new in known)
    return Finding(ID, f"apt cannot install {', '.join(n for n, _ in known)} in the image's Debian release: {described}",
                   evidence=tuple(m.group(0) for m in UNAVAILABLE.finditer(log)), captures=_captures(known))


def fix(context: Context, finding: Finding) -> Fix | Skip:
    dockerfile = context.project.dockerfile
    if dockerfile is None:
        return Skip("no Dockerfile")
    replacements = {name: tuple(filter(None, new.split(","))) for name, _, new in
                    (pair.partition("=") for pair in finding.capture("replacements").split(";") if pair)}
    names = list(replacements)
    naming = [i for i in dockerfile.instructions
              if apt.installs(i) and set(apt.installed_packages(i.value)) & set(names)]
    text = edit_each(context.dockerfile_text, naming, lambda current, i: apt.replace_packages(current, i, replacements))
    if text == context.dockerfile_text:
        return Skip(f"no apt install in {context.dockerfile_path} names {', '.join(names)}")
    described = "; ".join(f"{name} → {' '.join(new)}" if new else f"{name} dropped"
                          for name, new in replacements.items())
    return Fix({context.dockerfile_path: text}, f"renamed apt packages for the image's Debian release: {described}")


RULE = Rule(
    id=ID,
    name="apt-package-unavailable",
    kind="build",
    summary="An apt package name no longer exists in the image's Debian release",
    explanation=__doc__,
    case="apt-renamed-package",
    log=regex(UNAVAILABLE.pattern),
    detect=detect,
    from_log=from_log,
    fix=fix,
    references=("https://www.debian.org/releases/bookworm/amd64/release-notes/ch-information.en.html",),
)
