"""Refresh a project's lock file on the host, with the tool version that wrote it, never inside the image.

Locking in a Dockerfile makes every build resolve again (a lock nobody reviewed, different on every
rebuild), needs the sources and credentials there, and fails in ways a host lock does not (seeds S001-2..5).
So dockerfix re-locks on the host: the tool is provisioned once into a cached venv
(`$DOCKERFIX_CACHE_DIR/tools/<tool>-<version>`, default `~/.cache/dockerfix/tools/...`), run in a temporary
copy of the project's manifest and lock (the user's tree is never touched), and the new lock text comes
back for the repair's workspace. Poetry keeps the locked versions (`poetry lock --no-update` in 1.x, plain
`poetry lock` in 2.x); uv and PDM re-lock the same way (`uv lock`, `pdm lock --update-reuse`). Pipenv has no
option that keeps the locked versions: `pipenv lock` re-resolves the Pipfile (its `==` pins stay as they are).
"""

from __future__ import annotations

import os
import posixpath
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from dockerfix.model import LockFile
from dockerfix.plan.installers import PDM_TOOLS, PIPENV_TOOLS, poetry_version_for_lock

INSTALL_TIMEOUT_SECONDS = 600
LOCK_TIMEOUT_SECONDS = 900
# Files next to the manifest that change how the tool locks (sources, credentials helpers, Python pins).
COMPANIONS = ("poetry.toml", "uv.toml", ".python-version", "pdm.toml")


class LockRefreshError(RuntimeError):
    """The lock could not be refreshed; the message says why (the tool's own last lines)."""


@dataclass(frozen=True)
class LockTool:
    name: str  # the module `python -m <name>` runs
    version: str  # what the cache directory is named after
    requirements: tuple[str, ...]  # pip requirements of its venv
    arguments: tuple[str, ...]  # `python -m <name> <arguments>` refreshes the lock
    environment: tuple[tuple[str, str], ...] = ()
    manifest: str = "pyproject.toml"  # what the lock is made from, next to it


def lock_tool(lock: LockFile) -> LockTool:
    """The tool, at the right version, that refreshes `lock` without upgrading what it pins."""
    if lock.kind == "poetry":
        version = poetry_version_for_lock(lock)
        keep = ("--no-update",) if version.startswith("1.") else ()  # Poetry 2 keeps versions by default
        return LockTool("poetry", version, (f"poetry=={version}",), ("lock", *keep, "--no-interaction"),
                        (("POETRY_VIRTUALENVS_CREATE", "false"),))
    if lock.kind == "uv":
        return LockTool("uv", "latest", ("uv",), ("lock",))
    if lock.kind == "pdm":
        version = next(r.split("==")[1] for r in PDM_TOOLS if r.startswith("pdm=="))
        return LockTool("pdm", version, PDM_TOOLS, ("lock", "--update-reuse"))
    if lock.kind == "pipenv":
        # the venv Pipenv makes to lock goes into the temporary copy, never into ~/.local/share/virtualenvs
        version = PIPENV_TOOLS[0].split("==")[1]
        return LockTool("pipenv", version, PIPENV_TOOLS, ("lock",),
                        (("PIPENV_VENV_IN_PROJECT", "1"), ("PIPENV_IGNORE_VIRTUALENVS", "1")), manifest="Pipfile")
    raise LockRefreshError(f"dockerfix cannot refresh a {lock.kind} lock ({lock.path}); refresh it by hand")


def tools_dir() -> Path:
    base = os.environ.get("DOCKERFIX_CACHE_DIR") or Path.home() / ".cache" / "dockerfix"
    return Path(base) / "tools"


def provision(tool: LockTool) -> Path:
    """The python of a venv that has `tool` installed, creating the venv the first time.

    The venv is built beside its final place and renamed into it, so concurrent repairs never see half of
    one (`python -m` runs it, which does not care that the venv was moved).
    """
    target = tools_dir() / f"{tool.name}-{tool.version}"
    python = target / "bin" / "python"
    if python.exists():
        return python
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        _run([sys.executable, "-m", "venv", str(staging)], what=f"creating a venv for {tool.name}")
        _run([str(staging / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
              *tool.requirements], what=f"installing {' '.join(tool.requirements)}", timeout=INSTALL_TIMEOUT_SECONDS)
        try:
            staging.rename(target)
        except OSError:
            if not python.exists():  # not a concurrent repair that got there first
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return python


def refresh_lock(root: Path, files: Mapping[str, str], lock: LockFile, options: tuple[str, ...] = ()) -> str:
    """The new text of `lock` after re-locking its pyproject.toml as `files` has it (else as the tree has it);
    `options` are added to the tool's lock command (PDM's `--strategy inherit_metadata`).

    Raises LockRefreshError when the tool cannot be provisioned or the lock cannot be made.
    """
    base = lock_tool(lock)
    tool = replace(base, arguments=(*base.arguments, *options))
    python = provision(tool)
    directory = posixpath.dirname(lock.path)
    with tempfile.TemporaryDirectory(prefix="dockerfix-lock-") as work:
        for name in (tool.manifest, posixpath.basename(lock.path), *COMPANIONS):
            relpath = posixpath.join(directory, name)
            text = files.get(relpath)
            if text is None and (root / relpath).is_file():
                text = (root / relpath).read_text(encoding="utf-8")
            if text is not None:
                (Path(work) / name).write_text(text, encoding="utf-8")
        environment = {**os.environ, "POETRY_NO_INTERACTION": "1", "PDM_NON_INTERACTIVE": "1", **dict(tool.environment)}
        environment.pop("VIRTUAL_ENV", None)  # the tool must not mistake dockerfix's own venv for the project's
        _run([str(python), "-m", tool.name, *tool.arguments], what=f"{tool.name} {' '.join(tool.arguments)}",
             cwd=work, env=environment, timeout=LOCK_TIMEOUT_SECONDS)
        return (Path(work) / posixpath.basename(lock.path)).read_text(encoding="utf-8")


def _run(argv: list[str], *, what: str, cwd: str | None = None, env: Mapping[str, str] | None = None,
         timeout: float = INSTALL_TIMEOUT_SECONDS) -> None:
    try:
        done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise LockRefreshError(f"{what} did not finish within {timeout:.0f} s") from None
    except OSError as exc:
        raise LockRefreshError(f"{what} could not start: {exc}") from None
    if done.returncode != 0:
        output = "\n".join((done.stdout + done.stderr).strip().splitlines()[-8:])
        raise LockRefreshError(f"{what} failed (exit {done.returncode}):\n{output}")
