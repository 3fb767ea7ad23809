"""apt cannot install a package whose name was renamed or dropped by the Debian release the image is based on.

What it catches: `E: Unable to locate package libmysqlclient-dev` or `E: Package 'netcat' has no installation
candidate` from an `apt-get install` in a `python:*`/`debian:*` image, for names that recipes written for
older Debian or for Ubuntu still use (`python-dev`, `libssl1.1`, `libmysqlclient-dev`, `netcat`, ...) or that
Debian 13 "trixie" removed (`libpcre3`, `mime-support`); and `E: Version '15.*' for 'libpq5' was not found`,
a version pin from another release (trixie has PostgreSQL 17's libpq5).
Why it breaks: the official images follow a newer Debian than the recipe: in 12 "bookworm" Python 2 packages
are gone, library packages carry new sonames (libssl3, libffi8) and some names were only ever Ubuntu's or are
now virtual; in 13 "trixie" (the plain `-slim` tags since 2025) many libraries were renamed for 64-bit time
(`libasound2` is provided by `libasound2t64` and by others, so apt will not choose) and some were removed.
A pinned version exists only in the release it was written for (a pin of a package the index data does not
cover, or of a point release, is DF077's report).
The fix: every apt install of the Dockerfile that names such a package gets the replacement for the release
its stage runs (read from the FROM tag, else the image's /etc/os-release): from the rename table
(`tables/apt_renames.toml`, translated per release through `tables/debian_releases.json`, which is derived
from each release's package index), or loses the name when nothing replaces it (`python-dev`: the python
image has its own headers); a name the table does not know takes the provider apt itself lists, when it
lists one, or the `t64` one. A pin the release cannot satisfy loses its version. A name apt resolves through
Provides on that release (`libssl3` on trixie, provided by `libssl3t64` alone) is left alone. Other names are
not this rule's (DF021: package lists missing). Detected before any build when the stage's release is one
the index data covers.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator

from dockerfix import tables
from dockerfix.model import DockerfileInfo
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, regex
from dockerfix.transform import apt
from dockerfix.transform.dockerfile import edit_each

ID = "DF020"
UNAVAILABLE = re.compile(r"^E: (?:Unable to locate package (?P<located>\S+)"
                         r"|Package '(?P<candidate>[^']+)' has no installation candidate"
                         r"|Version '(?P<version>[^']+)' for '(?P<pinned>[^']+)' was not found)", re.MULTILINE)


PROVIDED = re.compile(r"^Package (?P<name>\S+) is a virtual package provided by:\n(?P<providers>(?:  \S+ \S+\n)+)",
                      re.MULTILINE)


def unavailable_packages(log: str) -> list[str]:
    """Every package apt reported it cannot install (or not at the pinned version), in order."""
    names = (m.group("located") or m.group("candidate") or m.group("pinned") for m in UNAVAILABLE.finditer(log))
    return list(dict.fromkeys(apt.package_name(n) for n in names))


def _pinned_versions(log: str) -> dict[str, str]:
    """Package -> the version apt did not find."""
    return {m.group("pinned"): m.group("version") for m in UNAVAILABLE.finditer(log) if m.group("pinned")}


def replacement(name: str, release: str | None, log: str = "") -> tuple[str, ...] | None:
    """The table's replacement on ``release``, else the provider apt listed for a virtual package: the only
    one, or the t64 rename of the name (trixie). None: this rule does not know what replaces the name."""
    known = tables.apt_replacement(name, release or "")
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


def _upstream(version: str) -> str:
    """`1:17.7-0+deb13u1` -> `17.7`: the version without epoch and Debian revision."""
    return version.split(":", 1)[-1].rsplit("-", 1)[0]


def unsatisfied_pin(word: str, release: str | None) -> str | None:
    """The release's version of a package pinned (`libpq5=15.*`) to an upstream version the release does not ship
    (trixie has 17), else None. A pin of the same upstream version at another Debian revision (a point release
    moved on) is DF077's."""
    name, _, pin = word.partition("=")
    version = tables.apt_package(name, release).version if release else None
    if not pin or version is None or fnmatch.fnmatchcase(_upstream(version), _upstream(pin) if "-" in pin else pin):
        return None
    return version


def _captures(replacements: list[tuple[str, tuple[str, ...]]]) -> dict[str, str | tuple[str, ...]]:
    """What the fix applies: `packages` (the names), and for each name `replacement:NAME`, what replaces it (the
    name alone: unpinned; nothing: dropped)."""
    return {"packages": tuple(name for name, _ in replacements),
            **{f"replacement:{name}": new for name, new in replacements}}


def _release_naming(dockerfile: DockerfileInfo | None, name: str) -> str | None:
    """The release of the first stage whose apt install names ``name``."""
    for instruction in dockerfile.instructions if dockerfile else ():
        if apt.installs(instruction) and name in apt.installed_packages(instruction.value):
            return apt.release(dockerfile, apt.stage_of(dockerfile, instruction))  # type: ignore[arg-type]
    return None


def detect(context: Context) -> Iterator[Finding]:
    dockerfile = context.project.dockerfile
    if dockerfile is None:
        return
    for instruction in dockerfile.instructions:
        release = apt.release(dockerfile, apt.stage_of(dockerfile, instruction)) if apt.installs(instruction) else None
        if release not in tables.apt_releases():
            continue
        known = [(n, new) for n in apt.installed_packages(instruction.value)
                 if (new := tables.apt_replacement(n, release)) is not None]
        pins = [(word, version) for word in apt.installed_words(instruction.value)
                if (version := unsatisfied_pin(word, release)) is not None]
        known += [(apt.package_name(word), (apt.package_name(word),)) for word, _ in pins]
        if known:
            described = [f"{n} cannot be installed" for n, new in known if new != (n,)]
            described += [f"{word} is not in {release} ({version})" for word, version in pins]
            yield Finding(ID, f"{'; '.join(described)} on {apt.base_image(dockerfile, apt.stage_of(dockerfile, instruction))}"
                              f" (Debian {release})", evidence=(instruction.text,),
                          location=Location(dockerfile.path, instruction.line), captures=_captures(known))


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    dockerfile = context.project.dockerfile
    pinned = _pinned_versions(log)
    known: list[tuple[str, tuple[str, ...]]] = []
    for name in unavailable_packages(log):
        release = _release_naming(dockerfile, name)
        new: tuple[str, ...] | None
        if name in pinned:  # only a pin of another upstream version; another Debian revision is DF077's
            new = (name,) if unsatisfied_pin(f"{name}={pinned[name]}", release) else None
        else:
            new = replacement(name, release, log)
        if new is not None:
            known.append((name, new))
    if not known:
        return None
    described = ", ".join(f"{name}={pinned[name]} → {name} (unpinned)" if name in pinned
                          else f"{name} → {' '.join(new) or '(nothing)'}" for name, new in known)
    return Finding(ID, f"apt cannot install {', '.join(n for n, _ in known)} in the image's Debian release: {described}",
                   evidence=tuple(m.group(0) for m in UNAVAILABLE.finditer(log)), captures=_captures(known))


def fix(context: Context, finding: Finding) -> Fix | Skip:
    dockerfile = context.project.dockerfile
    if dockerfile is None:
        return Skip("no Dockerfile")
    replacements = {name: finding.capture_list(f"replacement:{name}") for name in finding.capture_list("packages")}
    names = list(replacements)
    naming = [i for i in dockerfile.instructions
              if apt.installs(i) and set(apt.installed_packages(i.value)) & set(names)]
    text = edit_each(context.dockerfile_text, naming, lambda current, i: apt.replace_packages(current, i, replacements))
    if text == context.dockerfile_text:
        return Skip(f"no apt install in {context.dockerfile_path} names {', '.join(names)}")
    described = "; ".join(f"{name} unpinned" if new == (name,) else f"{name} → {' '.join(new)}" if new
                          else f"{name} dropped" for name, new in replacements.items())
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
