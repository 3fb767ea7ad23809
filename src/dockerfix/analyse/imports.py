"""What the code that reaches the image imports: every top-level module (which verification's dependency check
needs), and the project's own modules that `.dockerignore` keeps out of the build context.

Only code that reaches the image counts (an ignored test suite may import what it likes), and only imports
that resolve to a file of the project tree: from the root, from src/, from the importing file's directory
(a script's own folder) or relative to its package.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from dockerfix.analyse.dockerignore import excluding_pattern
from dockerfix.checks import IgnoredImport
from dockerfix.model import Dockerignore

SKIPPED_DIRS = frozenset({".git", ".hg", ".venv", "venv", "env", "node_modules", "__pycache__", "site-packages",
                          "build", "dist", ".tox", ".nox", ".mypy_cache", ".pytest_cache", "tests", "test"})
MAX_FILE_BYTES = 1_000_000
MAX_FILES = 3000


def _python_files(root: Path, dockerignore: Dockerignore | None) -> list[str]:
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        relative_dir = Path(folder).relative_to(root).as_posix()
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        for name in sorted(files):
            if not name.endswith(".py") or name.startswith("test_") or name == "conftest.py":
                continue
            relpath = name if relative_dir == "." else f"{relative_dir}/{name}"
            if excluding_pattern(dockerignore, relpath) is None:
                found.append(relpath)
            if len(found) >= MAX_FILES:
                return found
    return found


def _imported(tree: ast.AST, relpath: str) -> list[tuple[str, int]]:
    """(dotted module, line) for every import in a module; relative imports resolved against its package."""
    package = relpath.rsplit("/", 1)[0].replace("/", ".") if "/" in relpath else ""
    out: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".") if package else []
                parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
                base = ".".join([*parts, *([base] if base else [])])
            if base:
                out.append((base, node.lineno))
            out += [(f"{base}.{alias.name}" if base else alias.name, node.lineno) for alias in node.names if alias.name != "*"]
    return out


def _resolve(root: Path, bases: list[str], module: str) -> str | None:
    """The project file or package directory a module name resolves to, relative to the root."""
    tail = module.replace(".", "/")
    for base in bases:
        prefix = f"{base}/" if base else ""
        for candidate in (f"{prefix}{tail}.py", f"{prefix}{tail}"):
            if (root / candidate).exists():
                return candidate
    return None


def _parsed(root: Path, dockerignore: Dockerignore | None) -> Iterator[tuple[str, ast.AST]]:
    """(relative path, syntax tree) of each Python file of the code that reaches the image."""
    for relpath in _python_files(root, dockerignore):
        path = root / relpath
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            yield relpath, ast.parse(path.read_bytes(), filename=relpath)
        except (OSError, SyntaxError, ValueError):
            continue  # a file that does not parse is the byte-compile check's business


def imported_modules(root: Path, dockerignore: Dockerignore | None, outside: str | None = None) -> frozenset[str]:
    """The top-level names of every absolute import in the code that reaches the image; with `outside` (a folder of
    the root), of the code outside that folder."""
    inside = f"{outside.rstrip('/')}/" if outside else None
    return frozenset(module.split(".")[0] for relpath, tree in _parsed(root, dockerignore)
                     if inside is None or not relpath.startswith(inside)
                     for module, _ in _imported(tree, relpath) if module)


@dataclass(frozen=True)
class Reach:
    """What the entry command's code reaches, following the imports that resolve to project files."""

    packages: frozenset[str]  # the project's top-level modules among them (the entry's own included)
    imports: frozenset[str]  # the top-level names of every absolute import in the files reached


def entry_reach(root: Path, dockerignore: Dockerignore | None, modules: Iterable[str], scripts: Iterable[str],
                bases: Iterable[str] = ("",)) -> Reach | None:
    """The project code the entry command runs: from the `modules` it imports (`app.main` of `uvicorn app.main:app`)
    and the `scripts` it runs (relative paths: `app.py`), found under any of `bases` (with src/) of the root; None
    when none of them is a project file (what runs is unknown)."""
    trees = dict(_parsed(root, dockerignore))
    folders = list(dict.fromkeys([*bases, "src"]))
    todo = [s for s in scripts if s in trees]
    for module in modules:
        todo += _module_files(root, folders, module, trees)
    if not todo:
        return None
    seen: set[str] = set()
    imports: set[str] = set()
    while todo:
        relpath = todo.pop()
        if relpath in seen:
            continue
        seen.add(relpath)
        here = relpath.rsplit("/", 1)[0] if "/" in relpath else ""
        for module, _ in _imported(trees[relpath], relpath):
            imports.add(module.split(".")[0])
            todo += _module_files(root, list(dict.fromkeys([*folders, here])), module, trees)
    packages = {_top_level(relpath, folders) for relpath in seen}
    return Reach(frozenset(packages), frozenset(imports))


def _module_files(root: Path, bases: list[str], module: str, trees: Mapping[str, ast.AST]) -> list[str]:
    """The project files importing `module` runs: its packages' __init__ modules and the module itself."""
    parts = module.split(".")
    found: list[str] = []
    for depth in range(1, len(parts) + 1):
        target = _resolve(root, bases, ".".join(parts[:depth]))
        if target is None:
            continue
        candidate = target if target.endswith(".py") else f"{target}/__init__.py"
        if candidate in trees:
            found.append(candidate)
    return found


def _top_level(relpath: str, bases: list[str]) -> str:
    """The import name of a project file's top-level package or module: `pkg` for src/pkg/core.py."""
    for base in sorted((b for b in bases if b), key=len, reverse=True):
        if relpath.startswith(f"{base}/"):
            relpath = relpath[len(base) + 1:]
            break
    first = relpath.split("/", 1)[0]
    return first[:-3] if first.endswith(".py") else first


def ignored_imports(root: Path, dockerignore: Dockerignore | None) -> tuple[IgnoredImport, ...]:
    """Imports of the code that reaches the image which resolve to project files `.dockerignore` excludes."""
    if dockerignore is None or not dockerignore.patterns:
        return ()
    found: dict[str, IgnoredImport] = {}
    for relpath, tree in _parsed(root, dockerignore):
        here = relpath.rsplit("/", 1)[0] if "/" in relpath else ""
        bases = list(dict.fromkeys(["", "src", here]))
        for module, line in _imported(tree, relpath):
            target = _resolve(root, bases, module)
            if target is None or target in found:
                continue
            excluded = excluding_pattern(dockerignore, target)
            if excluded is not None:
                found[target] = IgnoredImport(module, target, f"{relpath}:{line}", *excluded)
    return tuple(found.values())


# The configuration libraries that read one variable per call: (module, the name called to read one, or the class
# whose instance is called): python-decouple's config("X"), django-environ's and environs' env = Env(); env("X").
READERS = {("os", "getenv"), ("decouple", "config")}
READER_CLASSES = {("environ", "Env"), ("environs", "Env")}
# their typed readers: env.str("X"), env.bool("X"), env.db("DATABASE_URL"), ...
TYPED_READS = frozenset({"str", "bool", "int", "float", "decimal", "list", "tuple", "dict", "json", "url", "path",
                         "db", "db_url", "cache", "cache_url", "email", "email_url", "search_url", "dj_db_url"})


def _environment_aliases(tree: ast.AST) -> tuple[set[str], set[str]]:
    """(names bound to os.environ, names whose call reads one variable) in a module: `env = os.environ`, `from os
    import environ, getenv`, `from decouple import config`, `env = environ.Env()`."""
    mappings: set[str] = set()
    getters: set[str] = set()
    classes: set[str] = set()  # a reader class as the module calls it: `environ.Env`, or `Env` once imported
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if node.module == "os" and alias.name == "environ":
                    mappings.add(alias.asname or alias.name)
                elif (node.module, alias.name) in READERS:
                    getters.add(alias.asname or alias.name)
                elif (node.module, alias.name) in READER_CLASSES:
                    classes.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            classes |= {f"{alias.asname or alias.name}.{name}" for alias in node.names
                        for module, name in READER_CLASSES if alias.name == module}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _is_os_environ(node.value, mappings):
            mappings |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and ast.unparse(node.value.func) in classes:
            getters |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return mappings, getters


def _is_os_environ(node: ast.AST, mappings: set[str]) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ" and isinstance(node.value, ast.Name)
            and node.value.id == "os") or (isinstance(node, ast.Name) and node.id in mappings)


def environment_settings(root: Path, dockerignore: Dockerignore | None) -> dict[str, tuple[str, ...]]:
    """Module-level names of the code that hold environment variables (`BOT_TOKEN = os.environ.get("BOT_TOKEN")` in
    settings.py): name → the variables its value reads."""
    found: dict[str, tuple[str, ...]] = {}
    for _, tree in _parsed(root, dockerignore):
        mappings, getters = _environment_aliases(tree)
        for node in getattr(tree, "body", ()):
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                read = _reads(node.value, mappings, getters)
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                found |= {t.id: read for t in targets if isinstance(t, ast.Name) and read}
    return found


def required_environment(root: Path, dockerignore: Dockerignore | None) -> frozenset[str]:
    """Every environment variable the code reads by name without a default, anywhere in it."""
    found: set[str] = set()
    for _, tree in _parsed(root, dockerignore):
        found |= set(_reads(tree, *_environment_aliases(tree)))
    return frozenset(found)


def environment_reads(path: Path, line: int, settings: Mapping[str, tuple[str, ...]] | None = None) -> tuple[str, ...]:
    """The environment variables the statement at `line` of a Python file reads by name (`os.getenv("TOKEN")`,
    `os.environ["DB_URL"]`, `env.get("subs_list")` with `env = os.environ`), or through a module-level setting
    that holds one (`settings.BOT_TOKEN`, from `environment_settings`); empty when it reads none."""
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return ()
    mappings, getters = _environment_aliases(tree)
    statement = next((node for node in ast.walk(tree) if isinstance(node, ast.stmt) and not isinstance(
        node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.While, ast.With, ast.Try))
        and node.lineno <= line <= (node.end_lineno or node.lineno)), None)
    if statement is None:
        return ()
    names = list(_reads(statement, mappings, getters))
    for node in ast.walk(statement):
        used = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
        names += (settings or {}).get(used or "", ())
    return tuple(dict.fromkeys(names))


def _reads(tree: ast.AST, mappings: set[str], getters: set[str]) -> tuple[str, ...]:
    """The environment variables an expression or statement reads by name and without a default."""
    names: list[str] = []
    for node in ast.walk(tree):
        key: ast.AST | None = None
        if isinstance(node, ast.Subscript) and _is_os_environ(node.value, mappings):
            key = node.slice
        elif isinstance(node, ast.Call) and len(node.args) == 1 and not any(k.arg == "default" for k in node.keywords):
            function = node.func  # with a default (the second argument, or default=) it is optional
            if isinstance(function, ast.Attribute) and function.attr == "get" and _is_os_environ(function.value, mappings):
                key = node.args[0]
            elif (isinstance(function, ast.Attribute) and function.attr == "getenv" and isinstance(function.value, ast.Name)
                  and function.value.id == "os") or (isinstance(function, ast.Name) and function.id in getters):
                key = node.args[0]
            elif (isinstance(function, ast.Attribute) and function.attr in TYPED_READS
                  and isinstance(function.value, ast.Name) and function.value.id in getters):
                key = node.args[0]
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            names.append(key.value)
    return tuple(dict.fromkeys(names))


def django_settings_module(root: Path, dockerignore: Dockerignore | None) -> str | None:
    """The settings module a Django project names for itself (`os.environ.setdefault("DJANGO_SETTINGS_MODULE",
    "shop.settings")` in manage.py, wsgi.py or asgi.py), relative to the folder that holds that file; None for a
    project that is not Django's."""
    for relpath, tree in _parsed(root, dockerignore):
        if relpath.rsplit("/", 1)[-1] not in ("manage.py", "wsgi.py", "asgi.py"):
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "setdefault"
                    and len(node.args) == 2 and all(isinstance(a, ast.Constant) for a in node.args)
                    and node.args[0].value == "DJANGO_SETTINGS_MODULE" and isinstance(node.args[1].value, str)):  # type: ignore[attr-defined]
                return str(node.args[1].value)  # type: ignore[attr-defined]
    return None
