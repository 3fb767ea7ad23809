"""The project's own code (import packages, layout) and the command that starts it."""

from __future__ import annotations

from dataclasses import replace

import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from packaging.utils import canonicalize_name

from dockerfix.analyse.compose import parse_env_file
from dockerfix.analyse.dockerfile import command_argv, exec_form
from dockerfix.model import ComposeService, DockerfileInfo, EntryCommand, Pyproject

NOT_PACKAGES = frozenset({"tests", "test", "docs", "doc", "scripts", "examples", "benchmarks", "build", "dist",
                          "node_modules", "migrations", "alembic", "static", "templates", "venv", "env", "site"})
SERVERS = frozenset({"uvicorn", "gunicorn", "hypercorn", "daphne", "granian", "celery", "flask", "streamlit",
                     "waitress-serve", "fastapi"})
ENTRY_POINT_NAME = re.compile(r"[\w.-]+")  # the entry-points spec's name grammar; anything else is not a command
APP_FILES = ("main.py", "app.py", "server.py", "wsgi.py", "asgi.py", "api.py")


def find_import_packages(root: Path, declared: tuple[str, ...], referenced: Callable[[], frozenset[str]] = frozenset,
                         not_shipped: frozenset[str] = frozenset()) -> tuple[tuple[str, ...], Literal["src", "flat", "none"]]:
    """Top-level import names of the project's own code, and whether it uses the src/ layout. A folder of modules
    without `__init__.py` is a namespace package (PEP 420) when something `referenced()` names it: an import of the
    code, or the Dockerfile's command (`uvicorn backend.main:app`). A src/ with its own `__init__.py` that the code
    imports as `src` (`from src.pipelines import ...`, setup.py's find_packages()) is a package, not the src layout.
    A folder of `not_shipped` is not this image's code."""
    src = root / "src"
    src_package = (src / "__init__.py").is_file() and "src" in referenced()
    base, layout = (src, "src") if src.is_dir() and not src_package and any(src.glob("*/__init__.py")) else (root, "flat")
    names = {p.parent.name for p in base.glob("*/__init__.py") if p.parent.name not in NOT_PACKAGES}
    namespaces = {p.parent.name for p in base.glob("*/*.py") if p.parent.name not in names | NOT_PACKAGES}
    if namespaces:  # reading every import of the code costs a parse: only when there is a folder to decide on
        names |= namespaces & referenced()
    names -= not_shipped
    names |= {Path(d).name for d in declared if (root / d).is_dir()}
    names = {n for n in names if n.isidentifier()}
    if not names:
        modules = {p.stem for p in base.glob("*.py") if p.stem.isidentifier() and p.stem not in ("setup", "conftest", "noxfile")}
        return tuple(sorted(modules)), ("flat" if modules else "none")
    return tuple(sorted(names)), layout  # type: ignore[return-value]


def _described(argv: tuple[str, ...], origin: str, entrypoint: tuple[str, ...] = ()) -> EntryCommand:
    """What must work for `argv` to start: the executable on PATH and the module it imports."""
    full = entrypoint + argv
    if full[:2] == ("/bin/sh", "-c") and len(full) == 3:
        try:
            words = shlex.split(full[2]) if full[2] else []
        except ValueError:  # unbalanced quotes: the shell would fail too, but analysis must not
            words = full[2].split()
        words = [w for w in words if not re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", w)] or [""]
        if words and words[0] == "exec":
            words = words[1:]
    else:
        words = list(full)
    executable = words[0] if words else None
    module = script = None
    if executable and Path(executable).name.startswith("python"):
        if len(words) >= 3 and words[1] == "-m":
            module = words[2]
            executable_name = words[2]
        else:
            executable_name = ""
            arguments = [w for w in words[1:] if not w.startswith("-")]
            if arguments and arguments[0].endswith(".py") and not any(w in ("&&", "||", ";", "|") for w in words):
                script = arguments[0]
    else:
        executable_name = Path(executable).name if executable else ""
    for word in words[1:]:
        if re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*", word):  # uvicorn/gunicorn "pkg.module:app"
            module = word.partition(":")[0]
            break
    return EntryCommand(
        argv=argv,
        origin=origin,
        module=module,
        executable=executable,
        server=executable_name in SERVERS or "runserver" in words,
        entrypoint=entrypoint,
        script=script,
        port=_listening_port(words),
    )


def _listening_port(words: list[str]) -> int | None:
    """The port a command binds: `--port 9000`, `--bind 0.0.0.0:8080`, or a bare `0.0.0.0:8001` (runserver)."""
    for index, word in enumerate(words):
        name, _, value = word.partition("=")
        if not value and index + 1 < len(words):
            value = words[index + 1]
        if name in ("--port", "-p", "--server.port") and value.isdigit():
            return int(value)
        if name in ("--bind", "-b") and (match := re.search(r":(\d+)$", value)):
            return int(match.group(1))
    for word in words:
        if match := re.fullmatch(r"(?:\d{1,3}(?:\.\d{1,3}){3}|localhost|\[::\])?:(\d+)", word):
            return int(match.group(1))
    return None


def find_entry(root: Path, dockerfile: DockerfileInfo | None, services: tuple[ComposeService, ...],
               pyproject: Pyproject | None, packages: tuple[str, ...], dependencies: frozenset[str]) -> EntryCommand | None:
    if dockerfile is not None:
        cmd, entrypoint = dockerfile.last("CMD"), dockerfile.last("ENTRYPOINT")
        if cmd or entrypoint:
            kept_entrypoint = command_argv(entrypoint.value) if entrypoint else ()
            argv = (exec_form(cmd.value) or ("/bin/sh", "-c", cmd.value)) if cmd else ()
            origin = f"{dockerfile.path}:{(cmd or entrypoint).line} {'CMD' if cmd else 'ENTRYPOINT'}"  # type: ignore[union-attr]
            return _described(argv, origin, kept_entrypoint)
    for service in services:
        if service.command and service.context is not None:
            return replace(_described(("/bin/sh", "-c", service.command), f"{service.file} service {service.name} command"),
                           deployment=True, environment=_service_environment(root, service))
    scripts = [s for s in pyproject.scripts if ENTRY_POINT_NAME.fullmatch(s.name)] if pyproject else []
    if scripts:
        own = canonicalize_name(pyproject.name or "")  # type: ignore[union-attr]
        script = next((s for s in scripts if canonicalize_name(s.name) == own), scripts[0])
        entry = _described((script.name,), f"[project.scripts] {script.name}")
        return EntryCommand(argv=entry.argv, origin=entry.origin, module=script.target.partition(":")[0],
                            executable=script.name, server=False)
    procfile = root / "Procfile"
    if procfile.is_file():
        for line in procfile.read_text(errors="replace").splitlines():
            kind, _, command = line.partition(":")
            if kind.strip() == "web" and command.strip():
                return replace(_described(("/bin/sh", "-c", command.strip()), "Procfile web"), deployment=True)
    return _framework_entry(root, packages, dependencies)


def _service_environment(root: Path, service: ComposeService) -> tuple[tuple[str, str], ...]:
    """The variables compose starts the service with whose values the repository holds: its env_file entries that
    exist, then `environment:` (which wins). A value compose interpolates (`${DB_URL}`) or takes from the shell (a bare
    `- NAME`) is the deployer's, and left out."""
    files = [root / name for name in service.env_files if (root / name).is_file()]
    pairs = [(key, value) for path in files for key, value, _ in parse_env_file(path.read_text(errors="replace"))]
    merged = dict(pairs + list(service.environment))
    return tuple((key, value) for key, value in merged.items() if value and "$" not in value)


def _framework_entry(root: Path, packages: tuple[str, ...], dependencies: frozenset[str]) -> EntryCommand | None:
    if (root / "manage.py").is_file():
        settings = next(root.glob("*/wsgi.py"), None)
        if settings and "gunicorn" in dependencies:
            return _described(("gunicorn", "--bind", "0.0.0.0:8000", f"{settings.parent.name}.wsgi:application"),
                              "Django project (manage.py, gunicorn)")
        return _described(("python", "manage.py", "runserver", "0.0.0.0:8000"), "Django project (manage.py)")
    candidates = [Path(name) for name in APP_FILES] + [Path(pkg) / name for pkg in packages for name in APP_FILES]
    candidates += [Path("src") / pkg / name for pkg in packages for name in APP_FILES]
    for relative in candidates:
        path = root / relative
        if not path.is_file():
            continue
        source = path.read_text(errors="replace")
        module = ".".join(relative.with_suffix("").parts[1:] if relative.parts[0] == "src" else relative.with_suffix("").parts)
        fastapi = re.search(r"^(\w+)\s*=\s*(?:fastapi\.)?FastAPI\(", source, re.M)
        if fastapi and "uvicorn" in dependencies:
            return _described(("uvicorn", f"{module}:{fastapi.group(1)}", "--host", "0.0.0.0", "--port", "8000"),
                              f"FastAPI app in {relative.as_posix()}")
        flask = re.search(r"^(\w+)\s*=\s*(?:flask\.)?Flask\(", source, re.M)
        if flask and "gunicorn" in dependencies:
            return _described(("gunicorn", "--bind", "0.0.0.0:8000", f"{module}:{flask.group(1)}"),
                              f"Flask app in {relative.as_posix()}")
        if flask:
            return _described(("flask", "--app", module, "run", "--host", "0.0.0.0", "--port", "8000"),
                              f"Flask app in {relative.as_posix()}")
    for package in packages:
        for base in (root / "src", root):
            if (base / package / "__main__.py").is_file():
                return _described(("python", "-m", package), f"{package}/__main__.py")
    for name in ("main.py", "app.py"):
        if (root / name).is_file():
            return _described(("python", name), name)
    return None
