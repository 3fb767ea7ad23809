"""Reading TOML project files into plain data, with errors that name the file and line."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from types import MappingProxyType
from typing import Any

import tomlkit
from tomlkit.exceptions import ParseError

from dockerfix.errors import InputError
from dockerfix.workspace import BOMS

MAX_PROJECT_FILE_BYTES = 5 * 1024 * 1024  # a pyproject or lock larger than this is not a real one
# Byte-order marks of the Unicode encodings besides UTF-8 (as pip's auto_decode knows them), longest first.
# Texts that replace files on disk while a repair re-analyses its edited workspace.
_OVERLAY: ContextVar[Mapping[str, str]] = ContextVar("overlay", default=MappingProxyType({}))


@contextmanager
def overlaid(files: Mapping[str, str]) -> Iterator[None]:
    token = _OVERLAY.set(files)
    try:
        yield
    finally:
        _OVERLAY.reset(token)


def exists(root: Path, relpath: str) -> bool:
    return relpath in _OVERLAY.get() or (root / relpath).is_file()


def read_text(root: Path, relpath: str) -> str:
    """The text of a project file; binary, oversized, undecodable or escaping files are input errors."""
    overlay = _OVERLAY.get()
    if relpath in overlay:
        return overlay[relpath]
    path = root / relpath
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise InputError(relpath, None, f"is a link that leaves the project (to {resolved})")
    try:
        size = resolved.stat().st_size
        if size > MAX_PROJECT_FILE_BYTES:
            raise InputError(relpath, None, f"is {size} bytes; project files over {MAX_PROJECT_FILE_BYTES} bytes are refused")
        data = resolved.read_bytes()
    except OSError as exc:
        raise InputError(relpath, None, f"cannot be read: {exc.strerror or exc}") from exc
    for bom, encoding in BOMS:  # Windows editors save UTF-16; pip reads such requirements files, and so do we
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(relpath, None, f"is not valid {encoding.upper()}") from exc
    if b"\x00" in data:
        raise InputError(relpath, None, "is a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(relpath, line, "is not valid UTF-8") from exc


def parse_toml(relpath: str, text: str) -> tomlkit.TOMLDocument:
    if not text.strip():
        raise InputError(relpath, None, "is empty")
    try:
        return tomlkit.parse(text)
    except ParseError as exc:
        raise InputError(relpath, exc.line, f"is not valid TOML: {exc}") from exc


def load_toml(root: Path, relpath: str) -> dict[str, Any]:
    return parse_toml(relpath, read_text(root, relpath)).unwrap()


def line_of(text: str, needle: str) -> int | None:
    """1-based line of the first line that starts with `needle` (after indentation), for error locations."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(needle):
            return number
    return None
