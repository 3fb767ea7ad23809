"""Typed lookups in dockerfix's knowledge tables.

The knowledge itself is data: the TOML files beside this module, each of which says in
its header what it maps and how it was checked. The Debian names the tables write are
Debian 12 "bookworm" names; ``apt_for_release`` turns one into what another release
installs, from ``debian_releases.json`` (generated from each release's package index by
``python -m dockerfix.tables.debian_index``). Distribution names are canonical (``packaging.utils.canonicalize_name``),
and every lookup by distribution canonicalizes its argument, so ``"PyYAML"`` and
``"pyyaml"`` find the same entry.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

try:
    from tomllib import loads as _parse_toml
except ModuleNotFoundError:  # Python 3.10: tomllib arrived in 3.11
    import tomlkit

    def _parse_toml(text: str) -> dict[str, Any]:
        return tomlkit.parse(text).unwrap()


@functools.cache
def _load(name: str) -> dict[str, Any]:
    """The parsed table ``<name>.toml``; callers must not modify it (it is cached)."""
    return _parse_toml(files(__name__).joinpath(f"{name}.toml").read_text(encoding="utf-8"))


@functools.cache
def _releases() -> dict[str, Any]:
    """The generated per-release apt data (debian_releases.json)."""
    data: dict[str, Any] = json.loads(files(__name__).joinpath("debian_releases.json").read_text(encoding="utf-8"))
    return data


@functools.cache
def _platform_packages() -> dict[str, Any]:
    """The generated PyPI platform data (platform_packages.json, ``python -m dockerfix.tables.pypi_platforms``)."""
    data: dict[str, Any] = json.loads(files(__name__).joinpath("platform_packages.json").read_text(encoding="utf-8"))
    return data["packages"]


def platform_marker(distribution: str) -> str | None:
    """The PEP 508 marker of a distribution PyPI serves for one operating system only (``pywin32``:
    ``sys_platform == "win32"``), else None."""
    entry = _platform_packages().get(canonicalize_name(distribution))
    return entry["marker"] if entry else None


@functools.cache
def _removed_stdlib() -> dict[str, str]:
    """The generated standard library removals (stdlib_modules.json, ``python -m dockerfix.tables.stdlib_modules``)."""
    data: dict[str, Any] = json.loads(files(__name__).joinpath("stdlib_modules.json").read_text(encoding="utf-8"))
    return dict(data["removed"])


def last_python_with_module(module: str) -> str | None:
    """The last Python series whose standard library has the top-level module (``audioop``: "3.12", removed in
    3.13), None for a module no Python from 3.10 on removed."""
    return _removed_stdlib().get(module.split(".")[0])


def clear_caches() -> None:
    """Forget the loaded tables (after the maintenance script rewrote one)."""
    _load.cache_clear()
    _releases.cache_clear()
    _platform_packages.cache_clear()
    _removed_stdlib.cache_clear()


@dataclass(frozen=True)
class SystemLibs:
    """The Debian packages a Python distribution needs (see syslibs.toml)."""

    distribution: str
    build: tuple[str, ...]  # builder stage, only when pip compiles the sdist
    runtime: tuple[str, ...]  # final stage, only when it was compiled
    always_runtime: tuple[str, ...]  # final stage even with a wheel
    binary_alternative: str | None  # a requirement whose wheel is self-contained
    note: str


def system_libs(distribution: str) -> SystemLibs | None:
    """What ``distribution`` needs from Debian, or None when it is not in the table."""
    name = canonicalize_name(distribution)
    entry = _load("syslibs").get(name)
    if entry is None:
        return None
    return SystemLibs(
        distribution=name,
        build=tuple(entry["build"]),
        runtime=tuple(entry["runtime"]),
        always_runtime=tuple(entry["always_runtime"]),
        binary_alternative=entry.get("binary_alternative"),
        note=entry.get("note", ""),
    )


# The releases dockerfix builds for (the python images' Debian releases); the tables must resolve on each.
SUPPORTED_RELEASES = ("bookworm", "trixie")
DEFAULT_RELEASE = "trixie"  # plain python:X.Y-slim since August 2025


@dataclass(frozen=True)
class AptPackage:
    """What one Debian release's index says about a package name (see debian_releases.json)."""

    name: str
    release: str
    known: bool  # the release and the name are in the data; False: nothing can be said
    version: str | None = None  # a real package's version
    providers: tuple[str, ...] = ()  # a virtual package's providers

    @property
    def installable(self) -> bool:
        """apt installs it by this name: a real package, or a virtual one with a single provider (apt picks it)."""
        return self.version is not None or len(self.providers) == 1

    @property
    def absent(self) -> bool:
        """Known not to be installable by this name on this release."""
        return self.known and not self.installable


def apt_releases() -> tuple[str, ...]:
    """The releases whose package index the data was derived from, oldest first."""
    return tuple(sorted(_releases()["releases"], key=lambda r: int(_releases()["releases"][r]["version"])))


def apt_unreachable_releases() -> tuple[str, ...]:
    return tuple(_releases()["unreachable"])


def apt_package(name: str, release: str) -> AptPackage:
    data = _releases()
    if release not in data["releases"]:
        return AptPackage(name, release, known=False)
    if name not in data["packages"]:
        # t64 names are trixie's: older releases have none of them
        known = name in _t64_originals() and release != "trixie"
        return AptPackage(name, release, known=known)
    status = data["packages"][name].get(release)
    if isinstance(status, dict):
        return AptPackage(name, release, True, providers=tuple(status["provided_by"]))
    return AptPackage(name, release, True, version=status)


@functools.cache
def _t64_originals() -> dict[str, str]:
    """trixie's ``Xt64`` -> ``X``."""
    return {new: old for old, new in _releases()["t64"].items()}


def _derived_rename(name: str, release: str) -> tuple[str, ...] | None:
    """The index's own answer for a name ``release`` lacks: one package of the same source, or the t64 rename."""
    new = _releases()["renamed"].get(release, {}).get(name, [])
    if len(new) == 1:
        return tuple(new)
    if release != "trixie" and name in _t64_originals():
        return (_t64_originals()[name],)
    return None


def _in_release(name: str, release: str) -> str:
    """A table's name as ``release`` installs it: the real package (a single provider), or its rename there."""
    package = apt_package(name, release)
    if len(package.providers) == 1:
        return package.providers[0]
    if package.absent and (new := _derived_rename(name, release)) and len(new) == 1:
        return new[0]
    return name


def apt_replacement(package: str, release: str = "bookworm") -> tuple[str, ...] | None:
    """The replacement(s) on ``release`` for an apt package that ``release`` cannot install.

    None: nothing to replace (the name installs there, maybe through Provides, or it is not a known rename).
    (): drop it, nothing replaces it. An entry of apt_renames.toml applies where the index says the old name
    is absent (everywhere, for a release the data lacks); its ``<release>`` key overrides ``replacement``.
    """
    status = apt_package(package, release)
    if status.installable:
        return None
    entry = _load("apt_renames").get(package)
    if entry is not None:
        return tuple(_in_release(new, release) for new in entry.get(release, entry["replacement"]))
    return _derived_rename(package, release) if status.absent else None


def apt_for_release(package: str, release: str) -> tuple[str, ...]:
    """What to install on ``release`` for a package the tables name: the name itself, the real package that
    provides it, or its replacement there."""
    replaced = apt_replacement(package, release)
    return replaced if replaced is not None else (_in_release(package, release),)


def apt_rename_names() -> tuple[str, ...]:
    """The old names apt_renames.toml knows."""
    return tuple(_load("apt_renames"))


def installed_names() -> set[str]:
    """Every Debian package the system-library, shared-library and command tables install (bookworm names)."""
    names: set[str] = set()
    for entry in _load("syslibs").values():
        names.update(entry["build"], entry["runtime"], entry["always_runtime"])
    names.update(_load("shared_libs")["sonames"].values(), _load("shared_libs")["library_names"].values())
    names.update(entry["package"] for entry in _load("commands").values())
    return names


def debian_names() -> set[str]:
    """Every Debian name the tables hold: what they install, the old names they rename, their per-release names."""
    names = installed_names() | set(_load("apt_renames"))
    for entry in _load("apt_renames").values():
        names.update(entry["replacement"])
        for release in SUPPORTED_RELEASES:
            names.update(entry.get(release, ()))
    return names


def _longest_known_prefix(dotted_name: str, table: dict[str, str]) -> str | None:
    """The value for the longest dotted prefix of ``dotted_name`` that ``table`` has."""
    parts = dotted_name.split(".")
    for end in range(len(parts), 0, -1):
        value = table.get(".".join(parts[:end]))
        if value is not None:
            return value
    return None


def distribution_for_import(import_name: str) -> str:
    """The distribution to install for ``import X`` (``X`` may be dotted: ``yaml.constructor``).

    Falls back to the top-level name itself, canonicalized (``_`` -> ``-``).
    """
    known = _longest_known_prefix(import_name, _load("import_names")["imports"])
    return known or canonicalize_name(import_name.split(".")[0])


def extra_for_import(import_name: str) -> str | None:
    """The requirement with an extra that usually supplies ``import_name``, e.g. ``pydantic[email]``."""
    return _longest_known_prefix(import_name, _load("import_names")["extras"])


@dataclass(frozen=True)
class Rename:
    """A distribution, or one of its extras, that was renamed, split or removed."""

    old: str
    extra: str | None  # when set, only this extra is gone: keep ``old`` and add ``new``
    new: tuple[str, ...]  # () = drop the requirement
    since: str
    why: str
    reference: str
    kind: str  # "replace" (a drop-in: apply it) or "suggestion" (report only)


@functools.cache
def renames() -> tuple[Rename, ...]:
    """Every entry of package_renames.toml's ``[[rename]]``."""
    return tuple(
        Rename(
            old=entry["old"],
            extra=entry.get("extra"),
            new=tuple(entry["new"]),
            since=entry["since"],
            why=entry["why"],
            reference=entry["reference"],
            kind=entry["kind"],
        )
        for entry in _load("package_renames")["rename"]
    )


def rename_for(distribution: str, extra: str | None = None) -> Rename | None:
    """The rename that applies to ``distribution[extra]``.

    An entry for that very extra wins; otherwise a rename of the distribution itself
    applies whatever the extra.
    """
    name = canonicalize_name(distribution)
    by_extra = {rename.extra: rename for rename in renames() if rename.old == name}
    if extra and (for_extra := by_extra.get(canonicalize_name(extra))):
        return for_extra
    return by_extra.get(None)


@dataclass(frozen=True)
class Incompatibility:
    """Releases of ``distribution`` that break ``other`` (see package_renames.toml)."""

    distribution: str
    versions: SpecifierSet  # the releases that introduced the break; empty = all
    other: str | None  # None: code or packages written against the old behaviour
    other_versions: SpecifierSet
    symptoms: tuple[str, ...]  # log text that identifies it
    fix: tuple[str, ...]  # requirements that resolve it
    fix_in: str  # "requirements" or "build_constraints" (pip's isolated build env)
    why: str
    reference: str
    kind: str  # "pin" (apply ``fix``) or "suggestion" (report only)


@functools.cache
def incompatibilities() -> tuple[Incompatibility, ...]:
    """Every entry of package_renames.toml's ``[[incompatible]]``."""
    return tuple(
        Incompatibility(
            distribution=entry["distribution"],
            versions=SpecifierSet(entry["versions"]),
            other=entry["other"] or None,
            other_versions=SpecifierSet(entry["other_versions"]),
            symptoms=tuple(entry["symptoms"]),
            fix=tuple(entry["fix"]),
            fix_in=entry["fix_in"],
            why=entry["why"],
            reference=entry["reference"],
            kind=entry["kind"],
        )
        for entry in _load("package_renames")["incompatible"]
    )


def _library_stem(name: str) -> str:
    """``libGL.so.1`` -> ``libGL``; a name without ``.so`` is returned unchanged."""
    return re.split(r"\.so(?:\.|$)", name, maxsplit=1)[0]


@functools.cache
def _package_by_soname_stem() -> dict[str, str]:
    return {_library_stem(soname): package for soname, package in _load("shared_libs")["sonames"].items()}


def package_for_shared_library(name: str) -> str | None:
    """The bookworm package that ships a shared library named in a load error.

    Accepts a soname (``libGL.so.1``), a path to one, or a bare library name as ctypes
    wrappers print it (``libmagic``, ``cairo-2``). Tries the exact soname, then the stem
    before ``.so`` among the bare names and among the sonames' stems, so an older
    soname (``libgdal.so.28``) still finds bookworm's package.
    """
    table = _load("shared_libs")
    basename = name.rsplit("/", 1)[-1]
    if basename in table["sonames"]:
        return table["sonames"][basename]
    stem = _library_stem(basename)
    return table["library_names"].get(stem) or _package_by_soname_stem().get(stem)


def package_for_command(command: str) -> str | None:
    """The bookworm package that provides an executable (``pg_config`` -> ``libpq-dev``)."""
    entry = _load("commands").get(command.rsplit("/", 1)[-1])
    return None if entry is None else entry["package"]


@dataclass(frozen=True)
class InstallerOption:
    """An option an installer rejects, and what does what it meant (see installer_options.toml)."""

    tool: str  # the subcommand that rejects it: "uv pip install"
    option: str
    replace: str  # "" = drop the option
    always: bool  # no release of the tool accepts it
    note: str
    removed_in: str | None = None  # the first release that rejects it ("2.0"), when earlier ones accept it


def installer_option(tool: str, option: str) -> InstallerOption | None:
    """The entry for ``option`` of ``tool``, or None when the table does not know it."""
    for entry in _load("installer_options")["option"]:
        if entry["tool"] == tool and entry["option"] == option:
            return InstallerOption(entry["tool"], entry["option"], entry["replace"], entry["always"], entry["note"],
                                   entry.get("removed_in"))
    return None


@dataclass(frozen=True)
class Release:
    """A distribution release and its end of life (see release_eol.toml)."""

    distribution: str  # "debian", "ubuntu", "centos"
    codename: str  # "stretch", "xenial", "7"
    version: str
    eol: str  # end of regular support, ISO date
    eol_lts: str  # end of LTS: the mirrors drop the release after it
    archive: str  # where its packages went


def release(codename: str) -> Release | None:
    """The Debian/Ubuntu release called ``codename`` (or the CentOS major version), or None."""
    for distribution, releases in _load("release_eol").items():
        entry = releases.get(codename.lower())
        if entry is not None:
            return Release(distribution, codename.lower(), entry["version"], entry["eol"], entry["eol_lts"], entry["archive"])
    return None


def releases(distribution: str) -> tuple[str, ...]:
    """The codenames the release table knows for ``distribution``."""
    return tuple(_load("release_eol").get(distribution, {}))


@dataclass(frozen=True)
class BuildToolPin:
    """A build tool release that breaks older packages, and the pin that builds them (see build_tool_pins.toml)."""

    signature: str
    tool: str
    requirement: str
    why: str


def build_tool_pins() -> tuple[BuildToolPin, ...]:
    return tuple(BuildToolPin(e["signature"], e["tool"], e["requirement"], e["why"]) for e in _load("build_tool_pins")["pin"])


def scm_version_variable(build_requires: tuple[str, ...], tool: dict[str, Any]) -> str | None:
    """The environment variable that stands in for the VCS version of a project built with these build-system
    requirements and [tool] tables (see scm_versions.toml), or None when its version does not come from the VCS."""
    required = {canonicalize_name(re.split(r"[\s<>=!~;\[(]", r, maxsplit=1)[0]) for r in build_requires}
    for entry in _load("scm_versions").values():
        if required & set(entry.get("requires", ())):
            return str(entry["env"])
        if "tool" in entry:
            value: Any = tool
            for key in entry["tool"].split("."):
                value = value.get(key, {}) if isinstance(value, dict) else {}
            if value == entry["value"]:
                return str(entry["env"])
    return None


def scm_version_variables() -> frozenset[str]:
    """Every variable of scm_versions.toml: a Dockerfile that sets one already pretends a version."""
    return frozenset(str(entry["env"]) for entry in _load("scm_versions").values())
