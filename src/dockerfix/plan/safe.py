"""Validation and quoting of everything taken from the project before the plan carries it into a Dockerfile.

A project name, version, path or requirement comes from files a hostile repository controls; none of them may
end an instruction (newline), start another, or run a shell command. Each value is either validated against
a strict form or quoted, and anything else is refused with the file and line it came from.
"""

from __future__ import annotations

import re
import shlex

from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as Pep508

from dockerfix.model import Requirement
from dockerfix.errors import InputError

SAFE_PATH = re.compile(r"[A-Za-z0-9._@+-][A-Za-z0-9._@+/-]*")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_path(path: str, origin: str, line: int | None, *, absolute: bool = False) -> str:
    """A path used in COPY/WORKDIR: plain characters only, no parent references."""
    candidate = path[1:] if absolute and path.startswith("/") else path
    if not SAFE_PATH.fullmatch(candidate) or ".." in candidate.split("/") or (absolute and not path.startswith("/")):
        raise InputError(origin, line, f"refusing to render the path {path!r}: only plain relative paths are allowed")
    return path


def safe_requirement(requirement: Requirement) -> str:
    """A requirement re-serialised by `packaging` (so it is PEP 508) and shell-quoted."""
    text = requirement.name + (f"[{','.join(requirement.extras)}]" if requirement.extras else "")
    text += f" @ {requirement.url}" if requirement.url else requirement.specifier
    if requirement.marker:
        text += f"; {requirement.marker}"
    origin, _, line = requirement.origin.partition(":")
    if CONTROL.search(text):
        raise InputError(origin or "pyproject.toml", int(line) if line.isdigit() else None, "control character in a requirement")
    try:
        normalised = str(Pep508(text))
    except InvalidRequirement as exc:
        raise InputError(origin or "pyproject.toml", int(line) if line.isdigit() else None, f"not a valid requirement: {exc}") from exc
    return shlex.quote(normalised)


def shell_quote(value: str) -> str:
    if CONTROL.search(value):
        raise ValueError(f"control character in a value rendered into a shell command: {value!r}")
    return shlex.quote(value)


def label_value(value: str) -> str:
    """A LABEL value as a double-quoted string with nothing that could end it."""
    if CONTROL.search(value):
        raise ValueError(f"control character in a label: {value!r}")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'
