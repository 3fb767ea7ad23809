"""Typed lookups in python_versions.toml: the CPython versions dockerfix builds for, and their Debian releases."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from dockerfix.tables import _load


@dataclass(frozen=True)
class PythonVersion:
    """One CPython feature version (a row of python_versions.toml)."""

    version: str  # "3.14"
    pep: int  # its release-schedule PEP
    released: str  # "2025-10-07": X.Y.0 final
    end_of_life: str  # "2030-10" (planned) or "2024-10-07" (happened)
    debian: str  # the Debian release of the plain python:X.Y-slim tag: "trixie"
    wheel_tag: str  # "cp314"


@functools.cache
def python_versions() -> tuple[PythonVersion, ...]:
    """Every version dockerfix builds for, oldest first."""
    return tuple(PythonVersion(**row) for row in _load("python_versions")["python"])


def buildable_pythons() -> list[str]:
    """["3.8", ..., "3.14"]: the X.Y series dockerfix can build for, oldest first."""
    return [row.version for row in python_versions()]


def python_version(series: str) -> PythonVersion | None:
    """The row of an X.Y series ("3.12"; "3.12.4" finds it too), None for a version not in the table."""
    wanted = ".".join(series.split(".")[:2])
    return next((row for row in python_versions() if row.version == wanted), None)


def newest_default_python() -> str:
    """The newest version dockerfix picks when the project allows newer ones too (see the table's header)."""
    newest: str = _load("python_versions")["newest_default"]
    return newest


def debian_glibc(release: str) -> str:
    """The glibc version ("2.41") Debian `release` ("trixie") ships; KeyError for a release not in the table."""
    glibc: str = _load("python_versions")["debian"][release]["glibc"]
    return glibc
