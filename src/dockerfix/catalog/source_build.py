"""Which distribution's source build a pip log shows failing: the rules about compilers, headers and
build tools use it to look the distribution up in the system-library table."""

from __future__ import annotations

import re

from packaging.utils import canonicalize_name

from dockerfix.analyse.wheels import choose_python
from dockerfix.errors import InputError
from dockerfix.model import LockedPackage, LockFile, Project
from dockerfix.tables.python_versions import buildable_pythons

# pip's summary after a failed source build names the distribution (newer pip quotes it, or lists the
# projects in parentheses after "Failed to build installable wheels for some pyproject.toml based projects").
FAILED_BUILD = re.compile(r"based projects \((?P<listed>[A-Za-z0-9][\w.-]*)"
                          r"|(?:Failed building wheel for|Failed to build|Could not build wheels for) "
                          r"'?(?!installable )(?P<named>[A-Za-z0-9][\w.-]*)")
# pip's progress lines before the error: the last one names the distribution being built.
BUILD_PROGRESS = re.compile(
    r"Building wheel for (?P<wheel>[A-Za-z0-9][\w.-]*) \("
    r"|Running setup\.py (?:install|develop|bdist_wheel) for (?P<setup>[A-Za-z0-9][\w.-]*)"
    r"|(?:Downloading|Using cached) (?:\S*/)?(?P<sdist>[A-Za-z0-9][\w.]*?)-\d[^\s/]*\.(?:tar\.gz|zip|tar\.bz2)\b"
    r"|^\s*Collecting (?P<collecting>[A-Za-z0-9][\w.-]*)",
    re.MULTILINE,
)


def sdist_being_built(log: str, position: int) -> str | None:
    """The canonical name of the distribution whose source build failed at `position` of a pip log."""
    summary = FAILED_BUILD.search(log, position)
    if summary:
        return canonicalize_name(summary.group("listed") or summary.group("named"))
    progress = list(BUILD_PROGRESS.finditer(log, 0, position))
    if not progress:
        return None
    return canonicalize_name(next(group for group in progress[-1].groups() if group))


def pinned_version(project: Project, distribution: str) -> str | None:
    """The release of `distribution` the project installs: locked, else pinned with == in its requirements."""
    locked = next((p for p in (project.lock.packages if project.lock else ()) if p.name == distribution), None)
    if locked is not None:
        return locked.version
    pinned = next((r for r in project.dependencies if r.name == distribution and r.pinned), None)
    return pinned.specifier[2:] if pinned else None


def python_with_wheel(project: Project, distribution: str) -> str | None:
    """The Python to move to so that `distribution` installs from a wheel: the analysis' choice when a lock says
    every package has one there; else the newest Python the project allows for which PyPI has a wheel of the
    pinned release. None when there is none (or the release is not known)."""
    if project.lock is not None:
        return None if project.python.without_wheels else project.python.version
    version = pinned_version(project, distribution)
    if version is None:
        return None
    only = LockFile(kind="requirements", path="requirements.txt", lists_files=False,
                    packages=(LockedPackage(name=distribution, version=version, source="pypi"),))
    constraints = [c for c in project.python.constraints if not c[0].endswith(" FROM")]
    try:
        choice = choose_python(buildable_pythons(), constraints, only)
    except InputError:
        return None
    return None if choice.without_wheels else choice.version
