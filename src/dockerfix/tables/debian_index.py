"""Maintenance script: derive dockerfix's per-release apt data from Debian's own package indexes.

    python -m dockerfix.tables.debian_index            # download, write debian_releases.json and the check
    python -m dockerfix.tables.debian_index --check    # only re-check the tables against the committed data

It downloads the ``Packages`` index (main, amd64) of every release in ``SUITES`` (the release itself, its
-updates and its -security suite, as an image's sources.list has them) from deb.debian.org, the mirror the
official images and this host's apt use, and writes ``debian_releases.json`` beside this module:

- ``packages``: for every Debian name the tables use (``tables.debian_names()``) and every name they lead
  to, per release: its version (a real package), ``{"provided_by": [...]}`` (a virtual one), or nothing
  (absent from that release);
- ``renamed``: per release, the names absent there and the binary packages of the same source (the source's
  version digits aside) whose name differs only by version digits or a ``t64``/``v5`` suffix: ``libgdal32``
  is ``libgdal36`` on trixie, ``libssl3t64`` is ``libssl3`` on bookworm, ``libldap-2.5-0`` is ``libldap2``;
- ``t64``: trixie's 64-bit time renames (``libssl3`` -> ``libssl3t64``), every one in the index: what a
  bookworm recipe names that apt resolves through Provides, and what a trixie recipe names that bookworm
  lacks.

Only this derived data is committed, never the indexes. The check (``check_report``) is written to
``debian_releases_check.txt``; tests/unit/test_debian_releases.py recomputes it from the committed data, with
no network, and fails when a table names a package that is installable on neither supported release.
"""

from __future__ import annotations

import argparse
import datetime
import json
import lzma
import re
import sys
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from dockerfix import tables

MIRROR = "http://deb.debian.org"
# release -> (Debian version, its suites as (archive path, suite)); buster left deb.debian.org for
# archive.debian.org, tried as well.
SUITES: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "buster": ("10", (("debian", "buster"), ("debian", "buster-updates"), ("debian-security", "buster/updates"))),
    "bullseye": ("11", (("debian", "bullseye"), ("debian", "bullseye-updates"),
                        ("debian-security", "bullseye-security"))),
    "bookworm": ("12", (("debian", "bookworm"), ("debian", "bookworm-updates"),
                        ("debian-security", "bookworm-security"))),
    "trixie": ("13", (("debian", "trixie"), ("debian", "trixie-updates"), ("debian-security", "trixie-security"))),
}
ARCHIVE_MIRROR = "http://archive.debian.org"
HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "debian_releases.json"
CHECK = HERE / "debian_releases_check.txt"
_VERSION_IN_NAME = re.compile(r"t64$|v5$|[\d.]+")


class Index:
    """One release's binary packages: name -> (version, source), and virtual name -> providers."""

    def __init__(self) -> None:
        self.real: dict[str, tuple[str, str]] = {}
        self.provided: dict[str, set[str]] = defaultdict(set)
        self.by_source: dict[str, set[str]] = defaultdict(set)

    def read(self, text: str) -> None:
        """Add one ``Packages`` file; a later suite (-updates, -security) wins for the same package."""
        for stanza in text.split("\n\n"):
            fields = dict(re.findall(r"^([\w-]+): ?(.*)$", stanza, re.MULTILINE))
            name = fields.get("Package")
            if not name:
                continue
            source = str(fields.get("Source") or name).split()[0]
            self.real[name] = (fields["Version"], source)
            self.by_source[source].add(name)
            for provided in fields.get("Provides", "").split(","):
                if provided.strip():
                    self.provided[provided.split()[0]].add(name)

    def status(self, name: str) -> str | dict[str, list[str]] | None:
        if name in self.real:
            return self.real[name][0]
        if name in self.provided:
            return {"provided_by": sorted(self.provided[name])}
        return None


def stem(name: str) -> str:
    """The name without the version digits and ABI suffixes a rename changes: libldap-2.5-0 -> libldap."""
    return re.sub(r"-+", "-", _VERSION_IN_NAME.sub("", name)).strip("-")


def download(url: str, cache: Path | None) -> str:
    """The decompressed index at ``url`` (kept in ``cache``, when given, for the next run)."""
    kept = cache / re.sub(r"\W+", "_", url) if cache else None
    if kept is not None and kept.is_file():
        return kept.read_text(encoding="utf-8")
    with urllib.request.urlopen(url, timeout=120) as response:
        text = lzma.decompress(response.read()).decode("utf-8", "replace")
    if kept is not None:
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_text(text, encoding="utf-8")
    return text


def packages_url(mirror: str, archive: str, suite: str) -> str:
    return f"{mirror}/{archive}/dists/{suite}/main/binary-amd64/Packages.xz"


def load_indexes(cache: Path | None) -> tuple[dict[str, Index], dict[str, list[str]], dict[str, str]]:
    """(index per reachable release, the URLs read per release, why each unreachable release is missing)."""
    indexes: dict[str, Index] = {}
    read: dict[str, list[str]] = {}
    missing: dict[str, str] = {}
    for release, (_, suites) in SUITES.items():
        index, urls, errors = Index(), [], []
        for archive, suite in suites:
            for mirror in (MIRROR, ARCHIVE_MIRROR):
                url = packages_url(mirror, archive, suite)
                try:
                    index.read(download(url, cache))
                except (urllib.error.URLError, OSError, lzma.LZMAError) as exc:
                    errors.append(f"{url}: {exc}")
                    continue
                urls.append(url)
                break
        if index.real:
            indexes[release], read[release] = index, urls
        else:
            missing[release] = "; ".join(errors)
        print(f"{release}: {len(index.real)} packages from {len(urls)} indexes", file=sys.stderr)
    return indexes, read, missing


def renamed_in(indexes: dict[str, Index], release: str, name: str) -> list[str]:
    """The packages that replace ``name`` in ``release``: same source family, same stem (see module doc)."""
    target = indexes[release]
    sources = {index.real[name][1] for index in indexes.values() if name in index.real}
    families = {stem(source) for source in sources}
    candidates = {package for source, packages in target.by_source.items() if stem(source) in families
                  for package in packages if stem(package) == stem(name) and package != name}
    return sorted(candidates)


def derive(indexes: dict[str, Index], names: Iterable[str]) -> tuple[dict, dict]:
    """(packages, renamed) for ``names`` and the names their renames lead to."""
    wanted = set(names)
    renamed: dict[str, dict[str, list[str]]] = {release: {} for release in indexes}
    for _ in range(2):  # the second round renames back what the first led to (trixie's libldap2 on bookworm)
        for release, index in indexes.items():
            for name in sorted(wanted):
                if index.status(name) is None and (new := renamed_in(indexes, release, name)):
                    renamed[release][name] = new
        wanted |= {new for by_name in renamed.values() for news in by_name.values() for new in news}
    wanted |= {provider for index in indexes.values() for name in list(wanted) if name not in index.real
               for provider in index.provided.get(name, ())}
    packages = {name: {release: status for release, index in indexes.items()
                       if (status := index.status(name)) is not None} for name in sorted(wanted)}
    return packages, renamed


def t64_renames(indexes: dict[str, Index]) -> dict[str, str]:
    """Every ``Xt64`` of trixie that provides ``X``: the 64-bit time transition's renames."""
    trixie = indexes.get("trixie")
    if trixie is None:
        return {}
    return {name[: -len("t64")]: name for name in sorted(trixie.real)
            if name.endswith("t64") and name in trixie.provided.get(name[: -len("t64")], ())}


def generate(cache: Path | None = None) -> dict:
    indexes, read, missing = load_indexes(cache)
    packages, renamed = derive(indexes, tables.debian_names())
    return {
        "about": "Generated by `python -m dockerfix.tables.debian_index` from Debian's Packages indexes "
                 "(main, amd64); do not edit. packages: name -> release -> version, or provided_by for a "
                 "virtual package (absent: not in that release). renamed: release -> absent name -> the "
                 "same source's packages that replace it. t64: trixie's 64-bit time renames.",
        "generated": datetime.date.today().isoformat(),
        "releases": {release: {"version": SUITES[release][0], "indexes": urls} for release, urls in read.items()},
        "unreachable": missing,
        "packages": packages,
        "renamed": renamed,
        "t64": t64_renames(indexes),
    }


def check_report() -> tuple[list[str], list[str]]:
    """(the report's lines, the problems among them), from the committed data and the current tables."""
    lines: list[str] = []
    problems: list[str] = []
    known = tables.apt_releases()
    lines.append(f"Releases in the index data: {', '.join(known)}; unreachable: "
                 f"{', '.join(tables.apt_unreachable_releases()) or 'none'}")
    lines.append("")
    lines.append("Every Debian name the tables use, per release (real version | virtual <- providers | absent):")
    for name in sorted(tables.debian_names()):
        cells = []
        for release in known:
            info = tables.apt_package(name, release)
            if info.version:
                cells.append(f"{release}={info.version}")
            elif info.providers:
                cells.append(f"{release}=virtual<-{','.join(info.providers)}")
            else:
                cells.append(f"{release}=absent")
        lines.append(f"  {name}: {' '.join(cells)}")
    lines.append("")
    lines.append("What the tables install, per supported release (a name -> what dockerfix installs there):")
    for release in tables.SUPPORTED_RELEASES:
        for name in sorted(tables.installed_names()):
            resolved = tables.apt_for_release(name, release)
            if resolved != (name,):
                lines.append(f"  {release}: {name} -> {' '.join(resolved) or '(nothing)'}")
            for package in resolved:
                if not tables.apt_package(package, release).installable:
                    problems.append(f"{release}: {name} -> {package} is not installable")
    lines.append("")
    lines.append("apt_renames.toml entries: where each applies (the old name is absent there) and its replacement:")
    for old in sorted(tables.apt_rename_names()):
        where = {r: new for r in known if (new := tables.apt_replacement(old, r)) is not None}
        lines.append(f"  {old}: " + ("; ".join(f"{r} -> {' '.join(new) or '(dropped)'}" for r, new in where.items())
                                     or "nowhere"))
        if not where:
            problems.append(f"apt_renames.toml: {old} is installable on every release")
        problems += [f"{release}: apt_renames.toml {old} -> {package} is not installable"
                     for release, new in where.items() if release in tables.SUPPORTED_RELEASES
                     for package in new if not tables.apt_package(package, release).installable]
    lines.append("")
    lines.append("Problems:" if problems else "Problems: none")
    lines += [f"  {problem}" for problem in problems]
    return lines, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dockerfix.tables.debian_index", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only re-check the tables against the committed data")
    parser.add_argument("--cache", type=Path, help="keep the downloaded indexes in this directory")
    args = parser.parse_args(argv)
    if not args.check:
        OUTPUT.write_text(json.dumps(generate(args.cache), indent=1, sort_keys=True) + "\n", encoding="utf-8")
        tables.clear_caches()
    lines, problems = check_report()
    CHECK.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines[-1 - len(problems):]))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
