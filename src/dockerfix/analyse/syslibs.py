"""Which Debian packages the builder and the final image need, from the system-library table.

Build-time packages (compilers, headers) are needed only where pip must build from source, i.e. where no
wheel covers the chosen Python; run-time libraries that a package loads even from a wheel are always needed.
Where wheel coverage cannot be known (no lock file listing files, index unreachable), both are added: a
bigger builder is better than a failed build.
"""

from __future__ import annotations

from dockerfix import tables
from dockerfix.model import LockFile, PythonChoice, Requirement, SystemPackages
from dockerfix.analyse.wheels import wheel_covers, wheel_files_from_index


def _needs_source_build(name: str, version: str | None, lock: LockFile | None, python: PythonChoice) -> bool:
    if lock is not None and lock.lists_files:
        return name in python.without_wheels
    files = wheel_files_from_index(name, version) if version else None
    if files is None:
        return True  # unknown: assume the worst
    return not any(wheel_covers(f, python.version) for f in files)


def system_packages_for(dependencies: tuple[Requirement, ...], lock: LockFile | None, python: PythonChoice) -> SystemPackages:
    wanted: list[tuple[str, str | None]]
    if lock is not None:
        wanted = [(p.name, p.version) for p in lock.packages if not p.dev]
    else:
        wanted = [(r.name, r.specifier[2:] if r.pinned else None) for r in dependencies]
    build: set[str] = set()
    runtime: set[str] = set()
    reasons: list[tuple[str, str]] = []
    for name, version in wanted:
        libs = tables.system_libs(name)
        if libs is None:
            continue
        if libs.always_runtime:
            runtime.update(libs.always_runtime)
            reasons.append((name, f"loads {', '.join(libs.always_runtime)} at run time"))
        if (libs.build or libs.runtime) and _needs_source_build(name, version, lock, python):
            build.update(libs.build)
            runtime.update(libs.runtime)
            reasons.append((name, f"no wheel for Python {python.version}: built from source with {', '.join(libs.build)}"))
    return SystemPackages(build=tuple(sorted(build)), runtime=tuple(sorted(runtime)), reasons=tuple(reasons))
