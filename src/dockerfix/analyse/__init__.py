"""Stage 1, analyse: read a project directory into one `Project` value.

Detectors run most specific first (a lock file beats a requirements file beats a bare pyproject), in the
manner of repo2docker's buildpacks, but they read an explicit root rather than the working directory.
"""

from __future__ import annotations

import re
from pathlib import Path

from dockerfix.analyse.compose import find_compose_files, parse_compose
from dockerfix.analyse.dockerfile import parse_dockerfile
from dockerfix.analyse.dockerignore import parse_dockerignore
from dockerfix.analyse.entry import find_entry, find_import_packages
from dockerfix.analyse.locks import find_lock
from dockerfix.analyse.model import (
    ComposeService,
    DockerfileInfo,
    LockFile,
    Manager,
    Project,
    Pyproject,
    PythonChoice,
    Requirement,
    RequirementsFile,
)
from dockerfix.analyse.pep508 import requirement_from_pep508
from dockerfix.analyse.pyproject import parse_pyproject
from dockerfix.analyse.requirements import parse_requirements
from dockerfix.analyse.syslibs import system_packages_for
from dockerfix.analyse.tomlfile import exists, load_toml, overlaid, read_text
from dockerfix.analyse.wheels import choose_python, poetry_constraint_to_pep440
from dockerfix.errors import InputError
from dockerfix.tables.python_versions import buildable_pythons

REQUIREMENTS_FILES = ("requirements.txt", "requirements/prod.txt", "requirements/production.txt",
                      "requirements/base.txt", "requirements/main.txt")
DOCKERFILE_NAMES = ("Dockerfile", "dockerfile", "Containerfile")

__all__ = ["analyse", "Project"]


def analyse(root: str | Path, *, dockerfile: str | None = None, files: dict[str, str] | None = None) -> Project:
    """Analyse the project at `root`.

    `dockerfile` names the Dockerfile to repair (default: the one compose builds, else ./Dockerfile).
    `files` overrides file texts by relative path (the repair loop analyses its edited workspace this way).
    """
    root = Path(root)
    if not root.is_dir():
        raise InputError(root, None, "is not a directory")
    with overlaid(files or {}):
        return _analyse(root, dockerfile)


def _text_of(root: Path, relpath: str) -> str | None:
    return read_text(root, relpath) if exists(root, relpath) else None


def _analyse(root: Path, dockerfile: str | None) -> Project:
    pyproject = parse_pyproject(root)
    lock = find_lock(root)
    requirements = tuple(parse_requirements(root, name) for name in REQUIREMENTS_FILES if exists(root, name))
    services = tuple(s for name in find_compose_files(root) for s in parse_compose(root, name))
    dockerfiles = _dockerfiles(root, services)
    target = _target_dockerfile(dockerfiles, services, dockerfile)
    if target is None and pyproject is None and lock is None and not requirements and not exists(root, "Pipfile"):
        raise InputError(root, None, "has no Dockerfile, pyproject.toml, requirements file, Pipfile or lock file: "
                                     "nothing to build or install")
    ignore_text = _text_of(root, ".dockerignore")
    dockerignore = parse_dockerignore(".dockerignore", ignore_text) if ignore_text is not None else None

    manager = _manager(root, pyproject, lock, requirements)
    dependencies = _dependencies(root, manager, pyproject, requirements)
    declared = pyproject.packages if pyproject else ()
    packages, layout = find_import_packages(root, declared)
    python = _choose_python(root, pyproject, target, lock)
    names = frozenset(r.name for r in dependencies) | frozenset(p.name for p in (lock.packages if lock else ()))
    return Project(
        root=root,
        manager=manager,
        pyproject=pyproject,
        lock=lock,
        requirements=requirements,
        python=python,
        import_packages=packages,
        layout=layout,
        entry=find_entry(root, target, services, pyproject, packages, names),
        dockerfile=target,
        dockerfiles=dockerfiles,
        dockerignore=dockerignore,
        compose=services,
        system_packages=system_packages_for(dependencies, lock, python),
        dependencies=dependencies,
    )


def _dockerfiles(root: Path, services: tuple[ComposeService, ...]) -> tuple[DockerfileInfo, ...]:
    names = [n for n in DOCKERFILE_NAMES if exists(root, n)]
    names += [s.dockerfile for s in services if s.dockerfile and s.dockerfile not in names and exists(root, s.dockerfile)]
    names += sorted(p.name for p in root.glob("Dockerfile.*") if p.is_file() and p.name not in names)
    return tuple(parse_dockerfile(name, _text_of(root, name) or "") for name in names)


def _target_dockerfile(dockerfiles: tuple[DockerfileInfo, ...], services: tuple[ComposeService, ...],
                       requested: str | None) -> DockerfileInfo | None:
    by_path = {d.path: d for d in dockerfiles}
    if requested:
        if requested not in by_path:
            raise InputError(requested, None, "does not exist (named by --dockerfile)")
        return by_path[requested]
    built = [s.dockerfile for s in services if s.context == "." and s.dockerfile in by_path]
    if built:
        return by_path[built[0]]  # seed S002-2: repair the file compose really builds
    for name in DOCKERFILE_NAMES:
        if name in by_path:
            return by_path[name]
    return None


def _manager(root: Path, pyproject: Pyproject | None, lock: LockFile | None,
             requirements: tuple[RequirementsFile, ...]) -> Manager:
    if lock is not None:
        return {"poetry": "poetry", "uv": "uv", "pdm": "pdm", "pipenv": "pipenv", "requirements": "requirements"}[lock.kind]
    if exists(root, "Pipfile"):
        return "pipenv"
    if requirements:
        return "requirements"
    if pyproject is not None and "poetry" in pyproject.tools and not pyproject.dependencies:
        return "poetry"
    return "pip"  # a PEP 621 project without a lock, or a Dockerfile-only project


def _dependencies(root: Path, manager: Manager, pyproject: Pyproject | None,
                  requirements: tuple[RequirementsFile, ...]) -> tuple[Requirement, ...]:
    if manager == "pipenv" and exists(root, "Pipfile"):
        packages = load_toml(root, "Pipfile").get("packages", {})
        specs = [f"{name}{'' if spec in ('*', '') else spec}" if isinstance(spec, str) else name for name, spec in packages.items()]
        return tuple(requirement_from_pep508(s, "Pipfile", "Pipfile") for s in specs)
    if manager == "requirements" and requirements:
        return requirements[0].requirements
    return pyproject.dependencies if pyproject else ()


def _choose_python(root: Path, pyproject: Pyproject | None, dockerfile: DockerfileInfo | None,
                   lock: LockFile | None) -> PythonChoice:
    """The project's constraints are binding; the existing FROM tag is kept only if every locked package has a wheel for it."""
    constraints = _python_constraints(root, pyproject)
    if lock is not None and lock.python_constraint and not (pyproject and pyproject.requires_python):
        # the Python the lock was resolved for (Pipfile's [requires]); a pyproject's own constraint says more
        text = lock.python_constraint
        constraints.append((lock.path, poetry_constraint_to_pep440(text) if text[:1] in "^~" else text))
    preferred = _from_tag_python(dockerfile)
    if preferred is not None:
        try:
            choice = choose_python(buildable_pythons(), [*constraints, preferred], lock)
            if not choice.without_wheels:
                return choice
        except InputError:
            pass  # the old FROM tag contradicts the project's own constraints: the project wins
    return choose_python(buildable_pythons(), constraints, lock)


def _python_constraints(root: Path, pyproject: Pyproject | None) -> list[tuple[str, str]]:
    constraints: list[tuple[str, str]] = []
    if pyproject and pyproject.requires_python:
        constraints.append((pyproject.requires_python_origin or "pyproject.toml", pyproject.requires_python))
    for name, pattern in ((".python-version", r"^\s*(\d+\.\d+(?:\.\d+)?)"), ("runtime.txt", r"^\s*python-(\d+\.\d+(?:\.\d+)?)")):
        if exists(root, name):
            match = re.search(pattern, read_text(root, name), re.M)
            if match:
                constraints.append((f"{name}:1", match.group(1)))
    return constraints


def _from_tag_python(dockerfile: DockerfileInfo | None) -> tuple[str, str] | None:
    if dockerfile is None or dockerfile.final_stage is None:
        return None
    match = re.fullmatch(r"(?:docker\.io/)?(?:library/)?python:(\d+\.\d+)(?:\.\d+)?(?:-[\w.-]+)?", dockerfile.final_stage.base)
    if not match:
        return None
    return (f"{dockerfile.path}:{dockerfile.final_stage.instructions[0].line} FROM", match.group(1))

