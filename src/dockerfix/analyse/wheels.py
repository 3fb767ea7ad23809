"""Wheel coverage: for which Python every locked package installs from a wheel, and so which Python to build for.

Seed S000-7: llvmlite had no wheel for the Python the image used, so pip built its sdist and failed for
want of LLVM. Choosing the newest Python for which every locked package has a wheel avoids that build.
The base images are python:X.Y-slim on x86_64; each version's Debian release, and so the newest manylinux
platform its wheels may need, comes from tables/python_versions.toml.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version
from poetry.core.constraints.version import parse_constraint
from poetry.core.version.helpers import format_python_constraint

from dockerfix.model import LockedPackage, LockFile, PythonChoice
from dockerfix.errors import InputError
from dockerfix.tables.python_versions import debian_glibc, newest_default_python, python_version

# python:X.Y images carry the newest X.Y patch release; a late patch number stands for it when a
# constraint or marker looks at the full version (">=3.9.1" holds for python:3.9, "<3.12" does not for 3.12).
_NEWEST_PATCH = 99
_EXACT_PYTHON = re.compile(r"\d+\.\d+(\.\d+)?")  # .python-version, runtime.txt, FROM tag: that X.Y series
_LINUX_PLATFORM = re.compile(r"(manylinux|musllinux)_(\d+)_(\d+)_(\w+)")
_LEGACY_MANYLINUX = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}  # PEP 599, 571, 513

_SIMPLE_PROJECT_URL = "https://pypi.org/simple/{name}/"
_PROJECT_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")  # a canonical (PEP 503) project name
_SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"  # PEP 691; the per-version JSON API is not always served
_TIMEOUT_SECONDS = 5
_RETRY_OFFLINE_AFTER_SECONDS = 60

Fetch = Callable[[str], bytes]  # url -> body; raises OSError when the index cannot be reached
IndexLookup = Callable[[str, str], tuple[str, ...] | None]  # (name, version) -> wheel file names, None if unknown


def release_platform(release: str) -> str:
    """The platform tag of Debian `release` on x86_64: "manylinux_2_41_x86_64" for trixie (glibc 2.41)."""
    major, minor = debian_glibc(release).split(".")
    return f"manylinux_{major}_{minor}_x86_64"


def image_platform(python: str) -> str:
    """The platform tag of the python:X.Y-slim image, on that version's Debian release (bookworm for 3.8)."""
    row = python_version(python)
    if row is None:
        raise ValueError(f"Python {python} is not in tables/python_versions.toml")
    return release_platform(row.debian)


def wheel_covers(filename: str, python: str, platform: str | None = None) -> bool:
    """Whether pip on CPython `python` ("3.12") on `platform` (default: its python:X.Y-slim image's) would
    install this wheel file."""
    try:
        tags = parse_wheel_filename(filename)[3]
    except InvalidWheelFilename:
        return False
    return not tags.isdisjoint(_accepted_tags(_series(python), platform or image_platform(python)))


@cache
def _accepted_tags(python: tuple[int, int], platform: str) -> frozenset[Tag]:
    """The tags pip accepts for that CPython on that platform (cp312-cp312, abi3 of older minors, py3-none-any, ...)."""
    interpreter = f"cp{python[0]}{python[1]}"
    platforms = _platforms(platform)
    accepted = (*cpython_tags(python, [interpreter], platforms), *compatible_tags(python, interpreter, platforms))
    return frozenset(accepted)


def _platforms(platform: str) -> list[str]:
    """The platform tags a system accepts: its own, every older glibc (musl) minor, legacy aliases, linux_<arch>."""
    match = _LINUX_PLATFORM.fullmatch(platform)
    if match is None:
        return [platform]
    family, major, newest, arch = match.group(1), int(match.group(2)), int(match.group(3)), match.group(4)
    # packaging stops at glibc 2.5 on x86 and at 2.17 elsewhere (no older manylinux exists there).
    oldest = 0 if family == "musllinux" else 5 if arch in ("x86_64", "i686") else 17
    platforms: list[str] = []
    for minor in range(newest, oldest - 1, -1):
        platforms.append(f"{family}_{major}_{minor}_{arch}")
        alias = _LEGACY_MANYLINUX.get((major, minor)) if family == "manylinux" else None
        if alias:
            platforms.append(f"{alias}_{arch}")
    return [*platforms, f"linux_{arch}"]


def packages_without_wheels(lock: LockFile, python: str, *, include_dev: bool = False,
                            platform: str | None = None, index: IndexLookup | None = None) -> tuple[str, ...]:
    """Names of the locked packages pip would build from source on `python`: needed there, and no wheel fits.

    Packages whose marker excludes that Python, dev packages (unless `include_dev`), and packages whose
    files cannot be known (a VCS or path dependency; offline for a lock that names no files) are not listed.
    `index` looks up wheel files for locks that do not list them (default: PyPI, see wheel_files_from_index);
    `platform` defaults to that of the python:X.Y-slim image.
    """
    found = _lacking_wheels(lock, python, include_dev, platform or image_platform(python), index or wheel_files_from_index)
    return tuple(dict.fromkeys(p.name for p in found))


def _lacking_wheels(lock: LockFile, python: str, include_dev: bool, platform: str,
                    index: IndexLookup) -> tuple[LockedPackage, ...]:
    environment = _marker_environment(python, platform)
    lacking = []
    for package in lock.packages:
        if (package.dev and not include_dev) or not _applies(package.marker, environment):
            continue
        wheels = _wheels_of(package, lock, index)
        if wheels is not None and not any(wheel_covers(w, python, platform) for w in wheels):
            lacking.append(package)
    return tuple(lacking)


def _wheels_of(package: LockedPackage, lock: LockFile, index: IndexLookup) -> tuple[str, ...] | None:
    """The wheels a package could install from, or None when that cannot be known."""
    if lock.lists_files:
        # No file at all: a path or VCS entry, always built, whatever the Python.
        return package.wheels if package.wheels or package.sdist else None
    if package.source in (None, "pypi") and package.version:
        return index(package.name, package.version)
    return None


def _marker_environment(python: str, platform: str) -> dict[str, str]:
    major, minor = _series(python)
    full = _full_version(python)
    match = _LINUX_PLATFORM.fullmatch(platform)
    return {
        "implementation_name": "cpython",
        "implementation_version": full,
        "os_name": "posix",
        "platform_machine": match.group(4) if match else "x86_64",
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": full,
        "python_version": f"{major}.{minor}",
        "sys_platform": "linux",
        "extra": "",
    }


def _applies(marker: str | None, environment: Mapping[str, str]) -> bool:
    if not marker:
        return True
    try:
        return Marker(marker).evaluate(dict(environment))
    except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName):
        return True  # a marker this packaging cannot judge: assume the package is needed


# ---- the package index --------------------------------------------------------------------------------------


def wheel_files_from_index(name: str, version: str, *, fetch: Fetch | None = None) -> tuple[str, ...] | None:
    """The wheel file names PyPI has for `name` `version` (PEP 691 JSON simple API), cached on disk.

    None when that is unknown: PyPI unreachable, the project or version not on PyPI (a private package).
    The cache lives in $DOCKERFIX_CACHE_DIR/wheels (default ~/.cache/dockerfix/wheels): a release's file
    list hardly ever changes once published.
    """
    project = canonicalize_name(name)
    try:
        release = Version(version)
    except InvalidVersion:
        return None
    if not _PROJECT_NAME.fullmatch(project):
        return None  # no name PyPI could have, and not one to build a cache path from
    cache_file = _cache_dir() / project / f"{release}.json"
    cached = _read_cached(cache_file)
    if cached is not None:
        return cached
    try:
        page = json.loads((fetch or _pypi)(_SIMPLE_PROJECT_URL.format(name=project)))
    except (OSError, ValueError, http.client.HTTPException):  # offline, timed out, 404, not JSON
        return None
    files = _wheels_of_release(page, release)
    if files is not None:
        _write_cached(cache_file, files)
    return files


def _wheels_of_release(page: object, release: Version) -> tuple[str, ...] | None:
    listed = page.get("files") if isinstance(page, dict) else None
    if not isinstance(listed, list):
        return None
    names = [f["filename"] for f in listed if isinstance(f, dict) and isinstance(f.get("filename"), str)]
    of_release = [n for n in names if _version_of_file(n) == release]
    if not of_release:
        return None  # PyPI does not have this release: whatever index the lock used is not PyPI
    return tuple(n for n in of_release if n.endswith(".whl"))


def _version_of_file(filename: str) -> Version | None:
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1]
        return parse_sdist_filename(filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None


def _cache_dir() -> Path:
    base = os.environ.get("DOCKERFIX_CACHE_DIR") or Path.home() / ".cache" / "dockerfix"
    return Path(base) / "wheels"


def _read_cached(path: Path) -> tuple[str, ...] | None:
    try:
        names = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return tuple(names) if isinstance(names, list) and all(isinstance(n, str) for n in names) else None


def _write_cached(path: Path, names: tuple[str, ...]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")  # write-then-rename: concurrent runs never read half a file
        partial.write_text(json.dumps(list(names)), encoding="utf-8")
        partial.replace(path)
    except OSError:
        pass  # no writable cache: the answer is still right, only slower next time


class _PyPI:
    """Fetches from pypi.org; once it cannot connect it stops trying for a while, so an offline run waits
    for one timeout rather than one per locked package."""

    def __init__(self) -> None:
        self._unreachable_since: float | None = None

    def __call__(self, url: str) -> bytes:
        since = self._unreachable_since
        if since is not None and time.monotonic() - since < _RETRY_OFFLINE_AFTER_SECONDS:
            raise OSError("pypi.org was unreachable moments ago")
        request = urllib.request.Request(url, headers={"Accept": _SIMPLE_JSON, "User-Agent": "dockerfix"})
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:
                body: bytes = response.read()
        except urllib.error.HTTPError:
            raise  # PyPI answered (404: no such project): it is reachable
        except OSError:
            self._unreachable_since = time.monotonic()
            raise
        self._unreachable_since = None
        return body


_pypi = _PyPI()


def newest_release(name: str, python: str, *, fetch: Fetch | None = None) -> str | None:
    """The newest final release of `name` on PyPI with a file for CPython `python` ("3.11") that is not yanked.

    None when the index cannot say (offline, no such project). Used to pin a dependency dockerfix adds.
    """
    project = canonicalize_name(name)
    if not _PROJECT_NAME.fullmatch(project):
        return None
    try:
        page = json.loads((fetch or _pypi)(_SIMPLE_PROJECT_URL.format(name=project)))
    except (OSError, ValueError, http.client.HTTPException):
        return None
    listed = page.get("files") if isinstance(page, dict) else None
    interpreter = Version(_full_version(python))
    best: Version | None = None
    for entry in listed if isinstance(listed, list) else ():
        filename = entry.get("filename", "") if isinstance(entry, dict) else ""
        version = _version_of_file(filename)
        if version is None or version.is_prerelease or version.is_devrelease or entry.get("yanked"):
            continue
        if filename.endswith(".whl") and not wheel_covers(filename, python):
            continue
        try:
            if entry.get("requires-python") and interpreter not in SpecifierSet(entry["requires-python"]):
                continue
        except InvalidSpecifier:
            continue
        if best is None or version > best:
            best = version
    return str(best) if best else None


# ---- choosing the Python ------------------------------------------------------------------------------------


def poetry_constraint_to_pep440(text: str) -> str:
    """A Poetry Python constraint ("^3.10", "~3.11", ">=3.8,<3.9 || >=3.10") as PEP 440, the way Poetry writes
    Requires-Python into a wheel; "" for any version. Raises ValueError when `text` is not a constraint."""
    constraint = parse_constraint(text)  # ParseConstraintError is a ValueError
    if constraint.is_empty():
        raise ValueError(f"{text!r} allows no version at all")
    formatted = format_python_constraint(constraint)
    return "" if formatted == "*" else formatted


def choose_python(candidates: list[str], constraints: list[tuple[str, str]], lock: LockFile | None, *,
                  platform: str | None = None, index: IndexLookup | None = None) -> PythonChoice:
    """The Python ("3.12") to build for, out of `candidates` (the base images there are).

    `constraints` are (origin, PEP 440 specifier or an exact "3.11"/"3.11.4"), all binding. Among the
    candidates they allow, the newest one for which every locked package has a wheel wins; when none has
    them all, the newest one with the fewest source builds. Versions newer than the table's newest_default
    are candidates only when the constraints allow no older one. Wheels are judged on `platform`, by
    default each candidate's python:X.Y-slim image's. InputError when no candidate is allowed.
    """
    every_allowed = _allowed(candidates, constraints)
    allowed = _by_default(every_allowed)
    lookup = cache(index or wheel_files_from_index)  # each candidate asks again for the same releases
    lacking = {python: _lacking_wheels(lock, python, False, platform or image_platform(python), lookup) if lock else ()
               for python in allowed}
    chosen = min(allowed, key=lambda python: len(lacking[python]))  # allowed is newest first: ties go to the newest
    return PythonChoice(
        version=chosen,
        constraints=tuple(constraints),
        reason=_reason(chosen, allowed, lacking, constraints, lock) + _held_back(every_allowed[: len(every_allowed) - len(allowed)]),
        without_wheels=tuple(dict.fromkeys(p.name for p in lacking[chosen])),
    )


def _allowed(candidates: list[str], constraints: list[tuple[str, str]]) -> list[str]:
    """The candidates every constraint allows, newest first."""
    newest_first = sorted(candidates, key=_series, reverse=True)
    allowed = newest_first
    for position, (origin, constraint) in enumerate(constraints):
        accepts = _acceptor(origin, constraint)
        narrowed = [python for python in allowed if accepts(python)]
        if not narrowed:
            raise _conflict(origin, constraint, constraints[:position], newest_first, accepts)
        allowed = narrowed
    return allowed


def _by_default(allowed: list[str]) -> list[str]:
    """The allowed versions up to newest_default, or all of them when the project allows none of those."""
    newest = _series(newest_default_python())
    return [python for python in allowed if _series(python) <= newest] or allowed


def _acceptor(origin: str, constraint: str) -> Callable[[str], bool]:
    text = constraint.strip()
    if _EXACT_PYTHON.fullmatch(text):
        return lambda python: _series(python) == _series(text)
    try:
        specifier = SpecifierSet(text)
    except InvalidSpecifier:
        path, line = _split_origin(origin)
        raise InputError(path, line, f"{text!r} is not a PEP 440 Python version constraint") from None
    return lambda python: specifier.contains(_full_version(python))


class PythonTooOld(InputError):
    """A constraint that allows only Pythons older than any dockerfix builds (a Pipfile.lock made on 3.7): valid
    input, which the analysis answers with the oldest Python there is (`dockerfix.analyse`), saying so."""

    def __init__(self, origin: str, constraint: str, buildable: str) -> None:
        path, line = _split_origin(origin)
        super().__init__(path, line, f"requires Python {constraint}, but dockerfix can build only {buildable}")
        self.origin, self.constraint = origin, constraint


def _older_than(oldest: str) -> list[str]:
    """The 3.x series before `oldest` ("3.8": 3.0 ... 3.7)."""
    major, minor = _series(oldest)
    return [f"{major}.{m}" for m in range(minor)]


def _conflict(origin: str, constraint: str, earlier: list[tuple[str, str]], candidates: list[str],
              accepts: Callable[[str], bool]) -> InputError:
    path, line = _split_origin(origin)
    buildable = f"{candidates[-1]}–{candidates[0]}" if candidates else "none"
    if not any(accepts(python) for python in candidates):
        if candidates and any(accepts(python) for python in _older_than(candidates[-1])):
            return PythonTooOld(origin, constraint, buildable)
        return InputError(path, line, f"requires Python {constraint}, but dockerfix can build only {buildable}")
    others = " and ".join(f"{o} requires {c}" for o, c in earlier)
    return InputError(path, line, f"requires Python {constraint}, but {others}: no Python dockerfix can build "
                                  f"({buildable}) satisfies them all")


def _reason(chosen: str, allowed: list[str], lacking: Mapping[str, tuple[LockedPackage, ...]],
            constraints: list[tuple[str, str]], lock: LockFile | None) -> str:
    """One sentence: "3.11: newest version allowed by pyproject.toml:7 (>=3.9) for which every locked package
    has a wheel (llvmlite 0.41.1 has none for 3.12 or 3.13)"."""
    if constraints:
        allowed_by = "allowed by " + " and ".join(f"{origin} ({constraint})" for origin, constraint in constraints)
    else:
        allowed_by = "dockerfix can build"
    if lock is None:
        return f"{chosen}: newest version {allowed_by}"
    if lacking[chosen]:
        sentence = f"{chosen}: newest version {allowed_by} with the fewest locked packages lacking a wheel"
    else:
        sentence = f"{chosen}: newest version {allowed_by} for which every locked package has a wheel"
    passed_over = allowed[: allowed.index(chosen)] + ([chosen] if lacking[chosen] else [])
    details = _missing_wheels({python: lacking[python] for python in passed_over})
    return f"{sentence} ({details})" if details else sentence


def _held_back(newer: list[str]) -> str:
    """"; 3.14 only when the project asks for it (newer than 3.13)": the allowed versions held back."""
    if not newer:
        return ""
    return f"; {' and '.join(sorted(newer, key=_series))} only when the project asks for it (newer than {newest_default_python()})"


def _missing_wheels(lacking: Mapping[str, Iterable[LockedPackage]]) -> str:
    """"llvmlite 0.41.1 has none for 3.12 or 3.13; numba 0.58.1 has none for 3.13"."""
    pythons_by_package: dict[tuple[str, str], list[str]] = {}
    for python, packages in lacking.items():
        for package in packages:
            pythons_by_package.setdefault((package.name, package.version), []).append(python)
    return "; ".join(f"{name} {version} has none for {' or '.join(sorted(pythons, key=_series))}"
                     for (name, version), pythons in pythons_by_package.items())


def _series(python: str) -> tuple[int, int]:
    """(3, 12) from "3.12" or "3.12.4"."""
    major, minor = python.split(".")[:2]
    return int(major), int(minor)


def _full_version(python: str) -> str:
    """The version a python:X.Y image runs: "3.12.4" as given, "3.12" as its newest patch."""
    return python if python.count(".") >= 2 else f"{python}.{_NEWEST_PATCH}"


def _split_origin(origin: str) -> tuple[str, int | None]:
    """("pyproject.toml", 7) from "pyproject.toml:7" or "Dockerfile:1 FROM"; (origin, None) without a line."""
    match = re.fullmatch(r"(.+?):(\d+)(\s.*)?", origin)
    return (match.group(1), int(match.group(2))) if match else (origin, None)
