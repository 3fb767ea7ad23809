"""Typed lookups in dockerfix's knowledge tables.

The knowledge itself is data: the TOML files beside this module, each of which says in
its header what it maps and how it was checked. All Debian names are Debian 12
"bookworm" names. Distribution names are canonical (``packaging.utils.canonicalize_name``),
and every lookup by distribution canonicalizes its argument, so ``"PyYAML"`` and
``"pyyaml"`` find the same entry.
"""

from __future__ import annotations

import functools
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


def apt_replacement(package: str) -> tuple[str, ...] | None:
    """The bookworm replacement(s) for an apt package that bookworm cannot install.

    None: not a known rename (the name may well be fine). (): drop it, nothing replaces it.
    """
    entry = _load("apt_renames").get(package)
    return None if entry is None else tuple(entry["replacement"])


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
