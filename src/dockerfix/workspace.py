"""The files a repair edits, held in memory until the end, then written atomically with backups."""

from __future__ import annotations

import codecs
import difflib
import os
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dockerfix.errors import DirtyTree

BACKUP_SUFFIX = ".dockerfix-orig"


@dataclass
class Workspace:
    root: Path
    files: dict[str, str] = field(default_factory=dict)  # relative path → current text

    def read(self, relpath: str) -> str | None:
        return read_overlaid(self.root, self.files, relpath)

    def original(self, relpath: str) -> str | None:
        path = self.root / relpath
        return decoded(path.read_bytes()) if path.is_file() else None

    def apply(self, files: dict[str, str]) -> None:
        self.files.update(files)

    def changed(self) -> dict[str, tuple[str | None, str]]:
        """Paths whose text differs from the tree: (old text or None for a new file, new text)."""
        out = {}
        for relpath, text in sorted(self.files.items()):
            old = self.original(relpath)
            if old != text:
                out[relpath] = (old, text)
        return out

    def diff(self) -> str:
        chunks: list[str] = []
        for relpath, (old, new) in self.changed().items():
            chunks.extend(difflib.unified_diff((old or "").splitlines(keepends=True), new.splitlines(keepends=True),
                                               fromfile=f"a/{relpath}" if old is not None else "/dev/null",
                                               tofile=f"b/{relpath}"))
        return "".join(chunks)

    def fingerprint(self) -> int:
        return hash(tuple(sorted(self.files.items())))

    def write(self, *, force: bool = False, backup: bool = True) -> list[str]:
        """Write every changed file atomically; the previous version is kept as FILE.dockerfix-orig.

        Refuses (DirtyTree) when a file to be overwritten has uncommitted changes in git, unless `force`.
        """
        changed = self.changed()
        if not force:
            dirty = uncommitted(self.root, [p for p, (old, _) in changed.items() if old is not None])
            if dirty:
                raise DirtyTree(dirty)
        for relpath, (old, new) in changed.items():
            target = self.root / relpath
            if backup and old is not None:
                atomic_write(target.with_name(target.name + BACKUP_SUFFIX), old)
            atomic_write(target, new)
        return list(changed)


# Windows editors save UTF-16 (a requirements.txt from `pip freeze > requirements.txt` in PowerShell); pip reads such
# files by their byte-order mark, and so does dockerfix
BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"))


def decoded(data: bytes) -> str:
    """A project file's text: by its byte-order mark (UTF-16/32), else UTF-8; undecodable bytes replaced."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace")
    return data.decode("utf-8-sig", errors="replace")


def read_overlaid(root: Path, files: Mapping[str, str], relpath: str) -> str | None:
    """A file's text as an edit in progress has it: the edited text, else the file on disk, else None."""
    if relpath in files:
        return files[relpath]
    path = root / relpath
    return decoded(path.read_bytes()) if path.is_file() else None


def atomic_write(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename over it: readers see the old or the new file, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def uncommitted(root: Path, paths: list[str]) -> list[str]:
    """Those of `paths` that git reports as modified (not untracked files: they have no committed version to lose)."""
    if not paths:
        return []
    try:
        output = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", *paths],
                                capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []  # not a git checkout: the backups are the safety net
    return [line[3:] for line in output.splitlines() if line[:2].strip() and not line.startswith("??")]
