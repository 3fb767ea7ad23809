"""A PEP 508 requirement string → `Requirement`, for every place that declares dependencies that way
(pyproject.toml, requirements files, Pipfile)."""

from __future__ import annotations

from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as Pep508
from packaging.utils import canonicalize_name

from dockerfix.model import Requirement
from dockerfix.errors import InputError


def requirement_from_pep508(spec: str, origin: str, relpath: str, line: int | None = None,
                            hashes: tuple[str, ...] = ()) -> Requirement:
    """`spec` parsed as packaging parses it; an InputError at `relpath`:`line` when it is not PEP 508."""
    try:
        parsed = Pep508(spec)
    except InvalidRequirement as error:
        reason = str(error).splitlines()[0]  # packaging adds the line and a caret below
        raise InputError(relpath, line, f"not a valid requirement: {spec!r} ({reason})") from None
    return Requirement(
        name=canonicalize_name(parsed.name),
        specifier=str(parsed.specifier),
        extras=tuple(sorted(parsed.extras)),
        marker=str(parsed.marker) if parsed.marker else None,
        url=parsed.url,
        hashes=hashes,
        origin=origin,
    )
