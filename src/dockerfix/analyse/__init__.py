"""Stage 1, analyse: read a project directory into one `Project` value.

Detectors run most specific first (a lock file beats a requirements file beats a bare pyproject), in the
manner of repo2docker's buildpacks, but they read an explicit root rather than the working directory.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace
from pathlib import Path

from dockerfix.analyse.compose import find_compose_files, parse_compose
from dockerfix.analyse.dockerfile import parse_dockerfile, split_copy
from dockerfix.analyse.dockerignore import excluding_pattern, parse_dockerignore
from dockerfix.analyse.imports import imported_modules
from dockerfix.analyse.entry import find_entry, find_import_packages
from dockerfix.analyse.locks import find_lock
from dockerfix.model import (
    ComposeService,
    Dockerignore,
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
from dockerfix.analyse.wheels import PythonTooOld, choose_python, poetry_constraint_to_pep440
from dockerfix.errors import InputError
from dockerfix.tables.python_versions import buildable_pythons

REQUIREMENTS_FILES = ("requirements.txt", "requirements/prod.txt", "requirements/production.txt",
                      "requirements/base.txt", "requirements/main.txt")
DOCKERFILE_NAMES = ("Dockerfile", "dockerfile", "Containerfile")
# Where projects keep a Dockerfile that is not at the root, looked in in this order after the root; then the other
# first-level folders (a monorepo's backend/), except those that hold no application's image.
DOCKERFILE_FOLDERS = ("docker", ".docker", "deploy", "deployment", "deployments", "build", "container", "containers",
                      "ops", "infra", "ci")
NOT_APPLICATION_FOLDERS = frozenset({"tests", "test", "docs", "doc", "examples", "example", "samples", "node_modules",
                                     "venv", "env", "__pycache__"})
DOCKERFILE_NAME = re.compile(r"(?:Dockerfile|dockerfile|Containerfile)(?:[.-][\w.-]+)?|[\w.-]+\.(?:Dockerfile|dockerfile)")
# Files named like a Dockerfile that are not one: BuildKit's per-Dockerfile ignore files, templates, backups.
NOT_A_DOCKERFILE = re.compile(r".*\.(?:dockerignore|j2|jinja2?|tpl|tmpl|template|in|orig|bak|dockerfix-orig|md|rst|txt|"
                              r"sample|example|swp)", re.IGNORECASE)
DEV_VARIANT = re.compile(r"(?:^|[.\-_])(?:dev|devcontainer|develop|development|test|tests|testing|ci|local|debug)(?:[.\-_]|$)", re.IGNORECASE)
PROD_VARIANT = re.compile(r"(?:^|[.\-_])(?:prod|production|release|runtime|app|web|api|server)(?:[.\-_]|$)", re.IGNORECASE)
# Files that make a folder a Python project (the one a Dockerfile installs, in a monorepo).
MANIFEST = re.compile(r"pyproject\.toml|setup\.(?:py|cfg)|requirements[\w.-]*\.(?:txt|in)|Pipfile(?:\.lock)?|"
                      r"(?:poetry|uv|pdm)\.lock")
REQUIREMENTS_FILE = re.compile(r"requirements[\w.-]*\.txt")
PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "Pipfile", "poetry.lock", "uv.lock",
                   "pdm.lock")

__all__ = ["Project", "analyse", "find_dockerfiles"]


def analyse(root: str | Path, *, dockerfile: str | None = None, context: str | None = None,
            files: dict[str, str] | None = None) -> Project:
    """Analyse the project at `root`.

    `dockerfile` names the Dockerfile to repair, any path in the project (default, in this order: the one compose
    builds, ./Dockerfile, then the conventional places: `find_dockerfiles`). `context` is the build context
    (default: compose's context for that Dockerfile, else the root), never the Dockerfile's folder by itself.
    `files` overrides file texts by relative path (the repair loop analyses its edited workspace this way).
    """
    root = Path(root)
    if not root.is_dir():
        raise InputError(root, None, "is not a directory")
    with overlaid(files or {}):
        return _analyse(root, dockerfile, context)


def _text_of(root: Path, relpath: str) -> str | None:
    return read_text(root, relpath) if exists(root, relpath) else None


def _within(root: Path, path: str, option: str) -> str:
    """`path` (relative to the root, or absolute inside it) as a normalised relative path."""
    given = Path(path)
    absolute = given if given.is_absolute() else root.resolve() / given
    try:
        relative = absolute.resolve().relative_to(root.resolve())
    except ValueError:
        raise InputError(path, None, f"is outside the project {root.resolve()} (named by {option})") from None
    return relative.as_posix()


def _analyse(root: Path, requested: str | None, requested_context: str | None) -> Project:
    services = tuple(s for name in find_compose_files(root) for s in parse_compose(root, name))
    target, context = _target_dockerfile(root, services, requested, requested_context)
    dockerfiles = _dockerfiles(root, services, target)
    source = _python_source(root, target, context)
    pyproject = parse_pyproject(root, _join(source, "pyproject.toml"))
    lock = find_lock(root, source)
    requirement_paths = [_join(source, name) for name in REQUIREMENTS_FILES if exists(root, _join(source, name))]
    requirement_paths += _copied_requirements(root, target, context, source)
    requirements = tuple(parse_requirements(root, path) for path in dict.fromkeys(requirement_paths))
    if target is None and pyproject is None and lock is None and not requirements and not exists(root, _join(source, "Pipfile")):
        raise InputError(root, None, "has no Dockerfile, pyproject.toml, requirements file, Pipfile or lock file: "
                                     "nothing to build or install")
    ignore_path = _join(context, ".dockerignore")
    ignore_text = _text_of(root, ignore_path)
    dockerignore = parse_dockerignore(ignore_path, ignore_text) if ignore_text is not None else None

    manager = _manager(root, source, pyproject, lock, requirements)
    dependencies = _dependencies(root, source, manager, pyproject, requirements)
    declared = pyproject.packages if pyproject else ()
    packages, layout = find_import_packages(root / source, declared, lambda: _referenced_modules(root, target, dockerignore),
                                            _not_shipped(root, source, context, target, dockerfiles, dockerignore))
    python = _choose_python(root, source, pyproject, target, lock)
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
        entry=find_entry(root / source, target, services, pyproject, packages, names),
        dockerfile=target,
        dockerfiles=dockerfiles,
        dockerignore=dockerignore,
        compose=services,
        system_packages=system_packages_for(dependencies, lock, python),
        dependencies=dependencies,
        context=context,
        source=source,
    )


def _join(folder: str, name: str) -> str:
    return posixpath.normpath(posixpath.join(folder, name))


def _variant_rank(name: str) -> int:
    """Among a folder's Dockerfiles: the plain name, then production-like variants, others, development ones last."""
    if name in DOCKERFILE_NAMES:
        return 0
    return 3 if DEV_VARIANT.search(name) else 1 if PROD_VARIANT.search(name) else 2


def find_dockerfiles(root: Path) -> list[str]:
    """The project's Dockerfiles, most likely to build the application first: the root's, those of the conventional
    folders (docker/, deploy/, ... and one level below them), then those of the other first-level folders."""
    def subfolders(folder: Path) -> list[Path]:
        return sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()) if folder.is_dir() else []

    conventional = [root / name for name in DOCKERFILE_FOLDERS if (root / name).is_dir()]
    others = [p for p in subfolders(root) if p.name not in DOCKERFILE_FOLDERS and p.name not in NOT_APPLICATION_FOLDERS
              and not p.name.startswith(".")]
    folders = [root, *(f for c in conventional for f in (c, *subfolders(c))), *others]
    found: list[str] = []
    for folder in folders:
        names = sorted((p.name for p in folder.iterdir() if p.is_file() and DOCKERFILE_NAME.fullmatch(p.name)
                        and not NOT_A_DOCKERFILE.fullmatch(p.name)), key=lambda n: (_variant_rank(n), n))
        found += [(folder / name).relative_to(root).as_posix() for name in names]
    return found


def _target_dockerfile(root: Path, services: tuple[ComposeService, ...], requested: str | None,
                       requested_context: str | None) -> tuple[DockerfileInfo | None, str]:
    """The Dockerfile to repair and its build context: --dockerfile, else the one compose builds (seed S002-2), else
    ./Dockerfile, else the first of `find_dockerfiles`."""
    context = _within(root, requested_context, "--context") if requested_context else None
    if context is not None and not (root / context).is_dir():
        raise InputError(requested_context, None, "is not a directory (named by --context)")  # type: ignore[arg-type]
    if requested:
        path = _within(root, requested, "--dockerfile")
        if not exists(root, path):
            raise InputError(requested, None, "does not exist (named by --dockerfile)")
    else:
        built = [s for s in services if s.context is not None and s.dockerfile and exists(root, s.dockerfile)]
        # the root's names through `exists`: a repair's workspace may hold a Dockerfile the disk does not have yet
        found = [] if built else [n for n in DOCKERFILE_NAMES if exists(root, n)] or find_dockerfiles(root)
        path = built[0].dockerfile if built else (found[0] if found else None)  # type: ignore[assignment]
    if path is None:
        return None, context or "."
    compose_context = next((s.context for s in services if s.dockerfile == path and s.context is not None), None)
    return parse_dockerfile(path, read_text(root, path)), context or compose_context or "."


def _dockerfiles(root: Path, services: tuple[ComposeService, ...], target: DockerfileInfo | None) -> tuple[DockerfileInfo, ...]:
    """Every Dockerfile of the project, the one being repaired included; another that does not parse is left out
    (it is not being repaired, and it may be a template)."""
    paths = [*find_dockerfiles(root), *(s.dockerfile for s in services if s.dockerfile and exists(root, s.dockerfile))]
    parsed: list[DockerfileInfo] = [target] if target else []
    for path in dict.fromkeys(paths):
        if target is None or path != target.path:
            try:
                parsed.append(parse_dockerfile(path, read_text(root, path)))
            except InputError:
                continue
    return tuple(parsed)


def _not_shipped(root: Path, source: str, context: str, target: DockerfileInfo | None,
                 dockerfiles: tuple[DockerfileInfo, ...], dockerignore: Dockerignore | None) -> frozenset[str]:
    """The first-level folders of the Python source whose code is not this image's: those holding another image's
    Dockerfile (a worker service's `image_processing/Dockerfile` beside the web application's), whose code goes
    into that image, and those .dockerignore keeps out of the build context; a folder the rest of the code or the
    Dockerfile's command imports is this image's all the same."""
    ours = posixpath.dirname(target.path) if target else ""
    folders = set()
    for dockerfile in dockerfiles:
        relative = posixpath.relpath(posixpath.dirname(dockerfile.path) or ".", source or ".")
        if dockerfile is target or relative == "." or relative.startswith(".."):
            continue
        top = _join(source, relative.split("/")[0])
        if ours != top and not ours.startswith(f"{top}/"):  # the folder of the image being repaired is its own
            folders.add(posixpath.basename(top))
    base = root / source
    for folder in (p for p in base.iterdir() if p.is_dir()) if dockerignore and base.is_dir() else ():
        in_context = posixpath.relpath(_join(source, folder.name), context or ".")
        if not in_context.startswith("..") and excluding_pattern(dockerignore, in_context) is not None:
            folders.add(folder.name)
    named = _command_modules(target) if folders else frozenset()
    return frozenset(f for f in folders if f not in named and f not in imported_modules(root, dockerignore,
                                                                                          outside=_join(source, f)))


def _command_modules(dockerfile: DockerfileInfo | None, *, packages_only: bool = False) -> frozenset[str]:
    """Top-level module names the Dockerfile's commands name (`gunicorn pkg.module:app`, `python -m pkg`); with
    `packages_only`, those named as packages (`pkg.module`), which are folders of the project, not the project."""
    commands = " ".join(i.value for i in (dockerfile.instructions if dockerfile else ())
                        if i.keyword in ("CMD", "ENTRYPOINT", "RUN"))
    dotted = r"(?:\.[\w.]+)" + ("" if packages_only else "?")
    named = {m.group(1) for m in re.finditer(rf"(?:^|[\s\"'\[,])([A-Za-z_]\w*){dotted}:[A-Za-z_]\w*", commands)}
    named |= {m.group(1) for m in re.finditer(rf"-m\s+([A-Za-z_]\w*){dotted}", commands)}
    return frozenset(named)


def _referenced_modules(root: Path, dockerfile: DockerfileInfo | None, dockerignore: Dockerignore | None) -> frozenset[str]:
    """Top-level module names the code imports or the Dockerfile's commands name."""
    return imported_modules(root, dockerignore) | _command_modules(dockerfile)


def _copies(dockerfile: DockerfileInfo | None) -> list[tuple[str, str]]:
    """(source, destination) of every COPY/ADD from the context (not from a stage, a URL or a variable)."""
    return [(source, destination) for instruction in (dockerfile.instructions if dockerfile else ())
            if instruction.keyword in ("COPY", "ADD")
            for flags, sources, destination in [split_copy(instruction.value)] if "from" not in flags
            for source in sources if "://" not in source and "$" not in source]


def _python_source(root: Path, dockerfile: DockerfileInfo | None, context: str) -> str:
    """The folder of the Python project the Dockerfile installs: the nearest folder with a project file above what
    its COPY/ADD instructions read (`COPY backend/pyproject.toml ...`: backend), else the root. A folder copied under
    its own name (`COPY backend /app/backend`), or that the command imports as a package (`uvicorn backend.main:app`),
    is a package the image imports from the folder above, so the project is further up, even when the folder holds
    the requirements."""
    def is_project(folder: str) -> bool:
        return any(exists(root, _join(folder, marker)) for marker in PROJECT_MARKERS)

    copies = _copies(dockerfile)
    packaged = {_join(context, source.strip("/")) for source, destination in copies
                if posixpath.basename(source.rstrip("/")) not in ("", ".", "..")
                and posixpath.basename(source.rstrip("/")) == posixpath.basename(destination.strip("\"'").rstrip("/"))
                and (root / _join(context, source.strip("/"))).is_dir()}
    # `uvicorn backend.main:app`: backend is a package of the project, whatever COPY put it in the image
    packaged |= {_join(context, name) for name in _command_modules(dockerfile, packages_only=True)}
    copied = [source for source, _ in copies]
    # a copied manifest (`COPY backend/requirements.txt .`) says more than a copied folder of code
    manifests = [s for s in copied if MANIFEST.fullmatch(posixpath.basename(s.rstrip("/")))]
    for source in [*manifests, *copied]:
        path = _join(context, re.split(r"[*?\[]", source.lstrip("/"), maxsplit=1)[0] or ".")
        folder = path if (root / path).is_dir() else posixpath.dirname(path) or "."
        while not folder.startswith(".."):
            if is_project(folder) and folder not in packaged:
                return folder
            if folder == ".":
                break
            folder = posixpath.dirname(folder) or "."
    return "."


def _copied_requirements(root: Path, dockerfile: DockerfileInfo | None, context: str, source: str) -> list[str]:
    """Requirements files the Dockerfile copies from outside the project's folder (`COPY backend/requirements.txt
    /app/`, with the project at the root): they are what its install reads."""
    found = []
    for copied, _ in _copies(dockerfile):
        path = _join(context, copied.strip("/"))
        if REQUIREMENTS_FILE.fullmatch(posixpath.basename(path)) and exists(root, path) \
                and posixpath.dirname(path) not in (source, "" if source == "." else source):
            found.append(path)
    return found


def _manager(root: Path, source: str, pyproject: Pyproject | None, lock: LockFile | None,
             requirements: tuple[RequirementsFile, ...]) -> Manager:
    if lock is not None:
        managers: dict[str, Manager] = {"poetry": "poetry", "uv": "uv", "pdm": "pdm", "pipenv": "pipenv",
                                        "requirements": "requirements"}
        return managers[lock.kind]
    if exists(root, _join(source, "Pipfile")):
        return "pipenv"
    if requirements:
        return "requirements"
    if pyproject is not None and "poetry" in pyproject.tools and not pyproject.dependencies:
        return "poetry"
    return "pip"  # a PEP 621 project without a lock, or a Dockerfile-only project


def _dependencies(root: Path, source: str, manager: Manager, pyproject: Pyproject | None,
                  requirements: tuple[RequirementsFile, ...]) -> tuple[Requirement, ...]:
    pipfile = _join(source, "Pipfile")
    if manager == "pipenv" and exists(root, pipfile):
        packages = load_toml(root, pipfile).get("packages", {})
        specs = [f"{name}{'' if spec in ('*', '') else spec}" if isinstance(spec, str) else name for name, spec in packages.items()]
        return tuple(requirement_from_pep508(s, pipfile, pipfile) for s in specs)
    if manager == "requirements" and requirements:
        return requirements[0].requirements
    return pyproject.dependencies if pyproject else ()


def _choose_python(root: Path, source: str, pyproject: Pyproject | None, dockerfile: DockerfileInfo | None,
                   lock: LockFile | None) -> PythonChoice:
    """The project's constraints are binding; the existing FROM tag's Python is kept when it lacks no more locked
    wheels than the best other choice (a package without any wheel builds from source on either, and the user's
    build compiled it on theirs: httptools 0.2.0 builds on 3.10 and not on 3.11)."""
    constraints = _python_constraints(root, source, pyproject)
    if lock is not None and lock.python_constraint and not (pyproject and pyproject.requires_python):
        # the Python the lock was resolved for (Pipfile's [requires]); a pyproject's own constraint says more
        text = lock.python_constraint
        constraints.append((lock.path, poetry_constraint_to_pep440(text) if text[:1] in "^~" else text))
    preferred = _from_tag_python(dockerfile)
    kept: PythonChoice | None = None
    if preferred is not None:
        try:
            kept = choose_python(buildable_pythons(), [*constraints, preferred], lock)
            if not kept.without_wheels:
                return kept
        except InputError:
            pass  # the old FROM tag contradicts the project's own constraints: the project wins
    too_old: list[PythonTooOld] = []
    while True:
        try:
            choice = choose_python(buildable_pythons()[:1] if too_old else buildable_pythons(), constraints, lock)
        except PythonTooOld as old:
            # valid input (a lock made on an end-of-life Python): build on the oldest Python there is, and say so
            too_old.append(old)
            constraints = [c for c in constraints if c != (old.origin, old.constraint)]
            continue
        if kept is not None and not too_old and len(kept.without_wheels) <= len(choice.without_wheels):
            return kept
        asked = " and ".join(f"{old.origin} asks for Python {old.constraint}" for old in too_old)
        return replace(choice, reason=f"{choice.reason}; {asked}, older than any dockerfix builds: the oldest "
                                      "one instead") if too_old else choice


def _python_constraints(root: Path, source: str, pyproject: Pyproject | None) -> list[tuple[str, str]]:
    constraints: list[tuple[str, str]] = []
    if pyproject and pyproject.requires_python:
        constraints.append((pyproject.requires_python_origin or "pyproject.toml", pyproject.requires_python))
    for base, pattern in ((".python-version", r"^\s*(\d+\.\d+(?:\.\d+)?)"), ("runtime.txt", r"^\s*python-(\d+\.\d+(?:\.\d+)?)")):
        name = _join(source, base)
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

