"""Which distribution's source build a pip log shows failing: the rules about compilers, headers and
build tools use it to look the distribution up in the system-library table."""

from __future__ import annotations

import re

from packaging.utils import canonicalize_name

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
