"""pyproject.toml → `Pyproject`: PEP 621, PEP 735 groups, Poetry 1.x/2.x, uv, PDM, hatch, setuptools, flit."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version
from poetry.core.factory import Factory

from dockerfix import tables
from dockerfix.model import Pyproject, Requirement, Script
from dockerfix.analyse.pep508 import requirement_from_pep508
from dockerfix.analyse.tomlfile import exists, load_toml, read_text
from dockerfix.errors import InputError

PYPROJECT = "pyproject.toml"
KNOWN_TOOLS = ("poetry", "uv", "pdm", "hatch", "setuptools", "flit", "pipenv")


def _line_mentioning(text: str, token: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if token in line:
            return number
    return None


def _pep621_requirements(specs: Any, text: str, where: str, relpath: str) -> tuple[Requirement, ...]:
    if not isinstance(specs, list):
        raise InputError(relpath, _line_mentioning(text, where.split(".")[-1]), f"{where} must be a list of requirement strings")
    out = []
    for spec in specs:
        if not isinstance(spec, str):
            continue  # PEP 735 {include-group = ...} entries are resolved by the tool, not here
        line = _line_mentioning(text, spec)
        out.append(requirement_from_pep508(spec, f"{relpath}:{line}" if line else relpath, relpath, line))
    return tuple(out)


def _poetry_requirements(table: Any, text: str, where: str, relpath: str) -> tuple[Requirement, ...]:
    """Poetry's `name = constraint` tables, converted to PEP 508 by poetry-core itself."""
    if not isinstance(table, dict):
        raise InputError(relpath, _line_mentioning(text, where), f"[{where}] must be a table")
    out = []
    for name, constraint in table.items():
        if canonicalize_name(name) == "python":
            continue
        line = _line_mentioning(text, f"{name} ") or _line_mentioning(text, f"{name}=")
        origin = f"{relpath}:{line}" if line else relpath
        # Several constraints with markers (`[{version = "^1", python = "<3.10"}, {...}]`): one requirement each.
        for each in constraint if isinstance(constraint, list) else [constraint]:
            if isinstance(each, dict) and each.get("optional"):
                continue  # an optional Poetry dependency is only installed through an extra
            try:
                dependency = Factory.create_dependency(name, each)
            except Exception as exc:  # poetry-core raises plain ValueError/RuntimeError on bad constraints
                raise InputError(relpath, line, f"[{where}] {name}: {exc}") from exc
            out.append(requirement_from_pep508(dependency.to_pep_508(), origin, relpath, line))
    return tuple(out)


def poetry_python_constraint(poetry: dict[str, Any]) -> str | None:
    constraint = poetry.get("dependencies", {}).get("python")
    if not isinstance(constraint, str):
        return None
    from poetry.core.constraints.version import parse_constraint

    text = str(parse_constraint(constraint))
    # poetry-core renders "^3.10" as ">=3.10,<4.0", which is already PEP 440
    return text if text != "*" else None


def _readme(project: dict[str, Any], poetry: dict[str, Any]) -> str | None:
    readme = project.get("readme", poetry.get("readme"))
    if isinstance(readme, list):  # Poetry allows several
        readme = readme[0] if readme else None
    if isinstance(readme, dict):
        readme = readme.get("file")
    return readme if isinstance(readme, str) else None


def _license_files(project: dict[str, Any]) -> tuple[str, ...]:
    license_ = project.get("license")
    files = [license_["file"]] if isinstance(license_, dict) and "file" in license_ else []
    files += [f for f in project.get("license-files", []) if isinstance(f, str) and not any(c in f for c in "*?[")]
    return tuple(files)


def _declared_packages(tool: dict[str, Any]) -> tuple[str, ...]:
    """Package directories the build backend is told about explicitly."""
    found: list[str] = []
    for entry in tool.get("poetry", {}).get("packages", []):
        if isinstance(entry, dict) and "include" in entry:
            found.append(f"{entry['from']}/{entry['include']}" if "from" in entry else entry["include"])
    wheel = tool.get("hatch", {}).get("build", {}).get("targets", {}).get("wheel", {})
    found += [p for p in wheel.get("packages", []) if isinstance(p, str)]
    setuptools_packages = tool.get("setuptools", {}).get("packages")
    if isinstance(setuptools_packages, list):
        found += [p for p in setuptools_packages if isinstance(p, str)]
    return tuple(found)


def parse_pyproject(root: Path, relpath: str = PYPROJECT) -> Pyproject | None:
    """The pyproject.toml at `relpath` (a monorepo's `backend/pyproject.toml`); its origins name that path."""
    if not exists(root, relpath):
        return None
    text = read_text(root, relpath)
    data = load_toml(root, relpath)
    project = data.get("project", {})
    tool = data.get("tool", {})
    poetry = tool.get("poetry", {})
    if not isinstance(project, dict) or not isinstance(tool, dict) or not isinstance(poetry, dict):
        raise InputError(relpath, None, "[project] and [tool] must be tables")

    dependencies = _pep621_requirements(project.get("dependencies", []), text, "project.dependencies", relpath)
    if not dependencies and "dependencies" in poetry:
        dependencies = _poetry_requirements(poetry["dependencies"], text, "tool.poetry.dependencies", relpath)

    groups: list[tuple[str, tuple[Requirement, ...]]] = []
    for name, specs in project.get("optional-dependencies", {}).items():
        groups.append((f"extra:{name}", _pep621_requirements(specs, text, f"project.optional-dependencies.{name}", relpath)))
    for name, specs in data.get("dependency-groups", {}).items():
        groups.append((name, _pep621_requirements(specs, text, f"dependency-groups.{name}", relpath)))
    if "dev-dependencies" in poetry:
        groups.append(("dev", _poetry_requirements(poetry["dev-dependencies"], text, "tool.poetry.dev-dependencies", relpath)))
    for name, group in poetry.get("group", {}).items():
        groups.append((name, _poetry_requirements(group.get("dependencies", {}), text, f"tool.poetry.group.{name}.dependencies", relpath)))
    for name, specs in tool.get("pdm", {}).get("dev-dependencies", {}).items():
        groups.append((name, _pep621_requirements(specs, text, f"tool.pdm.dev-dependencies.{name}", relpath)))
    if "dev-dependencies" in tool.get("uv", {}):
        groups.append(("dev", _pep621_requirements(tool["uv"]["dev-dependencies"], text, "tool.uv.dev-dependencies", relpath)))

    requires_python = project.get("requires-python")
    origin = None
    if isinstance(requires_python, str):
        origin = f"{relpath}:{_line_mentioning(text, 'requires-python')}"
    elif (requires_python := poetry_python_constraint(poetry)) is not None:
        origin = f"{relpath}:{_line_mentioning(text, 'python ') or _line_mentioning(text, 'python=')}"

    scripts = {**poetry.get("scripts", {}), **project.get("scripts", {})}
    build_system = data.get("build-system", {})
    return Pyproject(
        path=relpath,
        name=project.get("name") or poetry.get("name"),
        version=str(project.get("version") or poetry.get("version") or "") or None,
        requires_python=requires_python,
        requires_python_origin=origin,
        dependencies=dependencies,
        groups=tuple(groups),
        build_backend=build_system.get("build-backend") if isinstance(build_system, dict) else None,
        scripts=tuple(Script(name, target) for name, target in scripts.items() if isinstance(target, str)),
        readme=_readme(project, poetry),
        license_files=_license_files(project),
        tools=frozenset(name for name in KNOWN_TOOLS if name in tool),
        package_mode=poetry.get("package-mode", True) is not False,
        packages=_declared_packages(tool),
        uv_workspace_members=tuple(tool.get("uv", {}).get("workspace", {}).get("members", [])),
        poetry_sources=tuple(s.get("url", "") for s in poetry.get("source", []) if isinstance(s, dict)),
        **_scm_version(root, project, tool, build_system),
    )


def _scm_version(root: Path, project: dict, tool: dict, build_system: object) -> dict[str, str | None]:
    """The variable that stands in for a VCS-derived version (None when the version is static), and the version
    to stand in: the latest git tag of the checkout, else the fallback-version the backend's settings give."""
    requires = build_system.get("requires", []) if isinstance(build_system, dict) else []
    variable = tables.scm_version_variable(tuple(r for r in requires if isinstance(r, str)), tool)
    if variable is None or ("version" in project and "version" not in project.get("dynamic", ())):
        return {"scm_version_variable": None, "scm_version": None}
    settings = [tool.get("setuptools_scm", {}), tool.get("hatch", {}).get("version", {}),
                tool.get("pdm", {}).get("version", {})]
    fallback = next((s.get("fallback_version") or s.get("fallback-version") for s in settings
                     if isinstance(s, dict) and (s.get("fallback_version") or s.get("fallback-version"))), None)
    candidates = (_latest_tag(root), str(fallback) if fallback else None)
    return {"scm_version_variable": variable, "scm_version": next(filter(None, map(_version, candidates)), None)}


def _latest_tag(root: Path) -> str | None:
    """`git describe --tags --abbrev=0` of the checkout, without its `v`; None with no git, repository or tag."""
    try:
        described = subprocess.run(["git", "-C", str(root), "describe", "--tags", "--abbrev=0"], capture_output=True,
                                   text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return described.stdout.strip().removeprefix("v") if described.returncode == 0 else None


def _version(text: str | None) -> str | None:
    """`text` as a PEP 440 version (it is rendered into an ENV line: nothing else is taken), or None."""
    try:
        return str(Version(text)) if text else None
    except InvalidVersion:
        return None
