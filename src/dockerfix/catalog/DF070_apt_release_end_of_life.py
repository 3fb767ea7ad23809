"""apt (or yum) cannot read the package lists of a release that reached its end of life and left the mirrors.

What it catches: `E: The repository 'http://deb.debian.org/debian stretch Release' does not have a Release file`,
`E: Failed to fetch http://deb.debian.org/debian/dists/jessie/main/binary-amd64/Packages  404  Not Found`, and
CentOS's `Cannot find a valid baseurl for repo: base/7/x86_64`, from images built on Debian 8/9/10, Ubuntu
16.04/18.04 or CentOS 6-8 (`python:3.7-stretch`, `node:10`, `debian:9.5-slim`, `centos:7`).
Why it breaks: once a release's support ends (`tables/release_eol.toml`, from distro-info-data), its suites are
removed from deb.debian.org / archive.ubuntu.com / mirror.centos.org and moved to archive.debian.org,
old-releases.ubuntu.com or vault.centos.org. The image's sources still point at the mirrors, so every
`apt-get update` gets 404s and the install finds no package. Nothing in the Dockerfile changed: time did.
The fix: none automatic. The suggestion names the FROM line to move to a supported release (the durable fix)
or the sources to point at the archive before the failing `apt-get update` (to keep the old release as it is).
"""

from __future__ import annotations

import datetime
import re

from dockerfix import tables
from dockerfix.catalog.rule import Context, Finding, Rule, evidence_lines, regex
from dockerfix.catalog.suggestions import at, base_named, failed_instruction, step_named

ID = "DF070"
NO_RELEASE = (r"The repository '(?P<repo>\S+) (?P<suite>[\w.-]+)(?:/[\w-]+)? (?:In)?Release' "
              r"(?:does not|does no longer|no longer) have a Release file")
GONE_404 = r"Failed to fetch (?P<repo>\S+?)/dists/(?P<suite>[\w.-]+)/\S*\s+404\s+Not Found"
ERR_404 = r"^Err:?\d*\s+(?P<repo>https?://\S+) (?P<suite>[\w.-]+)(?:/[\w-]+)?(?: \S+)? (?:In)?Release\n\s+404\s+Not Found"
YUM = r"Cannot find a valid baseurl for repo: (?P<yumrepo>\S+)|Could not retrieve mirrorlist \S+release=(?P<major>\d+)"
DEBIAN_SOURCES = ("sed -i -e 's|deb.debian.org|archive.debian.org|g' -e 's|security.debian.org|archive.debian.org|g' "
                  "-e '/-updates/d' /etc/apt/sources.list")
UBUNTU_SOURCES = "sed -i -E 's#(archive|security).ubuntu.com#old-releases.ubuntu.com#g' /etc/apt/sources.list"
CENTOS_SOURCES = ("sed -i -e 's|^mirrorlist=|#mirrorlist=|' -e 's|^#baseurl=http://mirror.centos.org|"
                  "baseurl=https://vault.centos.org|' /etc/yum.repos.d/*.repo")
SOURCES = {"debian": DEBIAN_SOURCES, "ubuntu": UBUNTU_SOURCES, "centos": CENTOS_SOURCES}


def _codename(match: re.Match[str]) -> str:
    groups = match.groupdict()
    if groups.get("major"):
        return groups["major"]
    if groups.get("yumrepo"):
        found = re.search(r"/(\d+)/", groups["yumrepo"])
        return found.group(1) if found else ""
    return (groups.get("suite") or "").split("-")[0]


def _newest_supported(distribution: str, today: str) -> str:
    rows = [r for r in (tables.release(c) for c in tables.releases(distribution)) if r and r.eol > today]
    return max(rows, key=lambda r: [int(p) for p in re.findall(r"\d+", r.version)]).codename if rows else ""


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    release = tables.release(_codename(match))
    today = datetime.date.today().isoformat()
    if release is None or release.eol_lts >= today:
        return None  # a release still served: a mirror or proxy problem, not this rule's
    repo = match.groupdict().get("repo") or ""
    name = f"{release.distribution.capitalize()} {release.version} \"{release.codename}\""
    newest = _newest_supported(release.distribution, today)
    own_mirror = not repo or any(host in repo for host in ("debian.org", "ubuntu.com", "centos.org"))
    where = (f"its packages moved to {release.archive}" if own_mirror else f"{repo} no longer serves it")
    suggestion = (f"move {base_named(context, log)} to a supported release"
                  + (f" (the newest is {newest})" if newest else "")
                  + (f", or point the package sources at the archive before {step_named(context, log)}: "
                     f"`RUN {SOURCES[release.distribution]}`" if own_mirror else
                     f", or drop that repository from the sources before {step_named(context, log)}"))
    instruction = failed_instruction(context, log)
    return Finding(ID, f"{name} reached its end of life on {release.eol_lts}: {where}", suggestion=suggestion,
                   evidence=evidence_lines(log, match, before=0, after=1), location=at(context, instruction),
                   captures={"release": release.codename, "distribution": release.distribution, "repository": repo})


RULE = Rule(
    id=ID,
    name="apt-release-end-of-life",
    kind="report",
    summary="The image's Debian/Ubuntu/CentOS release reached its end of life and left the package mirrors",
    explanation=__doc__,
    case="eol-debian-stretch",
    log=regex(NO_RELEASE, GONE_404, ERR_404, YUM),
    from_log=from_log,
    applicability="suggestion",
    references=("https://wiki.debian.org/DebianReleases", "https://archive.debian.org/"),
)
