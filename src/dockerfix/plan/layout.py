"""The lean layout's decisions: which manifests carry the project's own version (masked, so a version bump alone
reuses the dependency layer), and which files the final stage needs besides the installed venv.

Only what runs goes in the final stage: a project installed non-editable into the venv runs from the venv, so the
sources stay in the builder; the final stage gets the files its entry command names (a script, a config file, an
entrypoint script, a bare module it imports). The sources are copied whole when that cannot be known: the code
runs from the sources (not installable), a kept RUN of the final stage may read them, an extra install of the
original may point at them (`pip install -e plugins/x`), or setuptools may leave package data behind (it installs non-Python files only when MANIFEST.in or package-data lists them).
"""

from __future__ import annotations

import posixpath
import re
import shlex
from pathlib import Path

from dockerfix.model import FinalStage, Project
from dockerfix.plan.intent import KeptInstruction

# Files whose content names the project's own version; masked to "0" in a stage of their own.
VERSIONED_MANIFESTS = ("pyproject.toml", "uv.lock")
MASKED_VERSION = "0"
# Run by the base image's Python on the copied manifests (exec form: no shell quoting, no heredoc).
# pyproject: `version =` of [project] and [tool.poetry] only (a dependency's `version` table key stays);
# uv.lock: the version of the packages whose source is the project itself (editable or virtual).
MASK_VERSION_SCRIPT = "\n".join((
    "import re, sys",
    "for path in sys.argv[1:]:",
    "    text = open(path).read()",
    "    if path.endswith('.lock'):",
    "        text = re.sub(r'(\\[\\[package\\]\\]\\nname = \"[^\"]*\"\\nversion = )\"[^\"]*\"(\\nsource = \\{ (?:editable|virtual) = )',",
    f"                      r'\\1\"{MASKED_VERSION}\"\\2', text)",
    "    else:",
    "        lines, table = [], ''",
    "        for line in text.splitlines(keepends=True):",
    "            header = re.match(r'\\s*\\[([^\\]]+)\\]\\s*$', line)",
    "            table = header.group(1).strip() if header else table",
    "            if table in ('project', 'tool.poetry') and re.match(r'version\\s*=', line):",
    f"                line = 'version = \"{MASKED_VERSION}\"\\n'",
    "            lines.append(line)",
    "        text = ''.join(lines)",
    "    open(path, 'w').write(text)",
))
PYTHON_SOURCE = frozenset({".py", ".pyi", ".pyc", ".typed"})
SETUPTOOLS = ("setuptools.build_meta", "setuptools.build_meta:__legacy__")
# File names the rendered comment may quote: a repository controls them, so nothing that could end the comment.
QUOTABLE = re.compile(r"[\w./@+-]+")


def _command_words(project: Project, healthcheck: str | None) -> list[str]:
    """The words of the entry command and the health check, and the values of their `--option=value` words."""
    entry = project.entry
    words: list[str] = []
    for word in (*(entry.entrypoint + entry.argv if entry else ()), *((healthcheck,) if healthcheck else ())):
        try:
            words += shlex.split(word) if " " in word else [word]
        except ValueError:
            words += word.split()
    return [value for w in words for value in (w, w.partition("=")[2]) if value]


def _named_path(word: str, source: Path, app_dir: str) -> str | None:
    """The project file `word` names, relative to the app dir (where the original's command runs)."""
    path = word.removeprefix(app_dir.rstrip("/") + "/") if word.startswith("/") else word
    path = posixpath.normpath(path.removeprefix("./"))
    if path.startswith(("/", "..", "-")) or path == "." or not QUOTABLE.fullmatch(path):
        return None
    return path if (source / path).exists() else None


def _package_data(project: Project, source: Path) -> list[str]:
    """Non-Python files inside the project's packages (templates, static files, data)."""
    base = source / ("src" if project.layout == "src" else "")
    return sorted(p.relative_to(source).as_posix() for name in project.import_packages if (base / name).is_dir()
                  for p in (base / name).rglob("*")
                  if p.is_file() and p.suffix not in PYTHON_SOURCE and "__pycache__" not in p.parts)


def runtime_files(project: Project, kept: tuple[KeptInstruction, ...], app_dir: str, installed: bool,
                  healthcheck: str | None = None, extra_installs: bool = False) -> FinalStage:
    """What the final stage copies besides the venv (or the whole sources), what it leaves out, and why."""
    if not installed:
        return FinalStage(None, (), "the code runs from its sources (not an installable package): the sources are copied")
    if any(k.text.startswith("RUN") for k in kept):
        return FinalStage(None, (), "a kept RUN of the final stage may read the sources: the sources are copied")
    if extra_installs:
        return FinalStage(None, (), "the original's extra installs may point at the sources (editable): the sources are copied")
    source = project.root / project.source
    backend = project.pyproject.build_backend if project.pyproject else None
    if (backend is None or backend in SETUPTOOLS) and (data := _package_data(project, source)):
        quoted = [path for path in data if QUOTABLE.fullmatch(path)][:3] or ["non-Python files"]
        return FinalStage(None, (), f"setuptools may not install the package data ({', '.join(quoted)}): the sources are copied")
    # `python -m pkg`, `gunicorn pkg.wsgi:app`: an installed package runs from the venv, not from a copy
    files = [p for w in _command_words(project, healthcheck) if (p := _named_path(w, source, app_dir))
             and p.split("/")[0] not in project.import_packages]
    module = project.entry.module.partition(".")[0] if project.entry and project.entry.module else None
    if module and module not in project.import_packages:
        files += [p for p in (f"{module}.py", module) if (source / p).exists()]
    chosen = tuple(dict.fromkeys(files))
    tops = {p.split("/")[0] for p in chosen}
    left_out = tuple(sorted(p.name + ("/" if p.is_dir() else "") for p in source.iterdir()
                            if not p.name.startswith(".") and p.name not in tops and QUOTABLE.fullmatch(p.name)))
    what = f"the venv and {', '.join(chosen)}" if chosen else "the installed venv"
    return FinalStage(chosen, left_out, f"the final stage gets {what}; left out (installed in the venv or not read at "
                                        f"run time): " + (", ".join(left_out) or "nothing"))
