"""Edits of the project's dependency declaration, wherever it lives, and the lock refresh that must follow.

The declaration is the first requirements file for a requirements project, else pyproject.toml: PEP 621
`[project] dependencies` (setuptools, hatch, uv, PDM, Poetry 2) or Poetry's `[tool.poetry.dependencies]`.
pyproject.toml is edited with tomlkit, so comments and layout stay as the user wrote them. When a Poetry,
uv or PDM lock exists it is refreshed on the host (`transform.lock`), so that lock and manifest agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import tomlkit
from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as Pep508
from packaging.utils import canonicalize_name
from tomlkit.items import Array, InlineTable, Table

from dockerfix.model import Project
from dockerfix.model import Context
from dockerfix.transform.lock import LockRefreshError, refresh_lock

COMMENTED = re.compile(r"^(?P<body>.*?)(?P<comment>\s+#.*|#.*)?$")  # pip: a comment starts at " #" (or the line)


class CannotDeclare(Exception):
    """The declaration cannot be edited safely; the message says why (a rule turns it into a Skip)."""


@dataclass(frozen=True)
class Edit:
    name: str  # the distribution
    specifier: str | None = None  # the version constraint it must have (None: keep what is declared)
    drop_extra: str | None = None  # an extra to remove from its declaration
    add: bool = True  # declare it when it is not declared yet
    remove: bool = False  # drop its declaration (a distribution replaced by another)
    marker: str | None = None  # a PEP 508 marker the declaration must carry (and-ed with its own)


def _canonical(text: str) -> str | None:
    try:
        return canonicalize_name(Pep508(text).name)
    except InvalidRequirement:
        return None


def _rewritten(spec: str, edit: Edit) -> str:
    parsed = Pep508(spec)
    extras = sorted(parsed.extras - {edit.drop_extra})
    specifier = str(parsed.specifier) if edit.specifier is None else edit.specifier
    markers = [m for m in (str(parsed.marker) if parsed.marker else None, edit.marker) if m]
    marker = "; " + " and ".join(f"({m})" if len(markers) > 1 else m for m in markers) if markers else ""
    if parsed.url:
        return spec
    return f"{parsed.name}{'[' + ','.join(extras) + ']' if extras else ''}{specifier}{marker}"


def _fresh(edit: Edit) -> str:
    return f"{edit.name}{edit.specifier or ''}"


def edit_requirements_text(text: str, edits: list[Edit]) -> str:
    """A requirements file with each edit applied to the line declaring it (comments kept), or a line added."""
    lines = text.splitlines()
    for edit in edits:
        for index, raw in enumerate(lines):
            parts = COMMENTED.match(raw)
            if parts is None:  # the pattern matches every line
                continue
            body, comment = parts.group("body").strip(), parts.group("comment") or ""
            if not body or body.startswith("-") or body.endswith("\\"):
                continue
            if _canonical(body) == canonicalize_name(edit.name):
                if edit.remove:
                    del lines[index]
                else:
                    lines[index] = _rewritten(body, edit) + comment
                break
        else:
            if edit.add and not edit.remove:
                lines.append(_fresh(edit))
    return "\n".join(lines) + "\n"


def _pep621(array: Array, edits: list[Edit]) -> None:
    for edit in edits:
        for index, item in enumerate(list(array)):
            if isinstance(item, str) and _canonical(item) == canonicalize_name(edit.name):
                if edit.remove:
                    del array[index]
                else:
                    array[index] = _rewritten(str(item), edit)
                break
        else:
            if edit.add and not edit.remove:
                array.append(_fresh(edit))


def _poetry(table: Table, edits: list[Edit]) -> None:
    for edit in edits:
        key = next((k for k in table if canonicalize_name(k) == canonicalize_name(edit.name)), None)
        if key is None:
            if edit.add and not edit.remove:
                table[edit.name] = edit.specifier or "*"
            continue
        value = table[key]
        if edit.remove:
            del table[key]
        elif isinstance(value, (InlineTable, Table, dict)):
            _poetry_constraint(value, edit)
            if set(value.keys()) == {"version"}:
                table[key] = value["version"]
        elif isinstance(value, list):  # several constraints with markers: each one is edited, none is dropped
            for constraint in value:
                if isinstance(constraint, (InlineTable, Table, dict)):
                    _poetry_constraint(constraint, edit)
        elif edit.marker:
            constraint = tomlkit.inline_table()
            constraint.update({"version": edit.specifier or str(value), "markers": edit.marker})
            table[key] = constraint
        elif edit.specifier is not None:
            table[key] = edit.specifier or "*"


def _poetry_constraint(value: InlineTable | Table | dict, edit: Edit) -> None:
    if edit.specifier is not None:
        value["version"] = edit.specifier or "*"
    if edit.marker:
        value["markers"] = f"({value['markers']}) and {edit.marker}" if value.get("markers") else edit.marker
    extras = value.get("extras")
    if edit.drop_extra and extras is not None:
        kept = [e for e in extras if canonicalize_name(str(e)) != canonicalize_name(edit.drop_extra)]
        if kept:
            value["extras"] = kept
        else:
            del value["extras"]


def edit_pyproject_text(text: str, edits: list[Edit]) -> str:
    """pyproject.toml with the edits applied to [project] dependencies, else to [tool.poetry.dependencies]."""
    document = tomlkit.parse(text)
    project = document.get("project")
    poetry = document.get("tool", {}).get("poetry", {})
    if isinstance(project, Table) and ("dependencies" in project or "dependencies" not in poetry):
        if "dependencies" not in project:
            project["dependencies"] = tomlkit.array()
        array = project["dependencies"]
        if not isinstance(array, Array):
            raise CannotDeclare("[project] dependencies is not a list")
        _pep621(array, edits)
    elif isinstance(poetry.get("dependencies"), Table):
        _poetry(poetry["dependencies"], edits)
    else:
        raise CannotDeclare("pyproject.toml has neither [project] nor [tool.poetry.dependencies]")
    return tomlkit.dumps(document)


def declare(context: Context, edits: list[Edit], *, origin: str = "") -> tuple[dict[str, str], str]:
    """(new file texts, where) after applying `edits` to the project's declaration and refreshing its lock;
    `origin` ("requirements/base.txt:3") picks the requirements file that declares what is edited."""
    project: Project = context.project
    if project.manager == "requirements" and project.requirements:
        path = origin.rpartition(":")[0] if ":" in origin else origin
        requirements = next((r for r in project.requirements if r.path == path), project.requirements[0])
        if requirements.hashed or requirements.compiled_by_pip_tools:
            raise CannotDeclare(f"{requirements.path} is compiled (pip-compile, hashes): add the dependency to its "
                                "source (requirements.in) and compile it again")
        text = context.text(requirements.path) or ""
        return {requirements.path: edit_requirements_text(text, edits)}, requirements.path
    if project.pyproject is None or project.manager == "pipenv":
        raise CannotDeclare(f"dockerfix does not edit the declarations of a {project.manager} project")
    files = {"pyproject.toml": edit_pyproject_text(context.text("pyproject.toml") or "", edits)}
    lock = project.lock
    if lock is not None and lock.kind in ("poetry", "uv", "pdm"):
        try:
            files[lock.path] = refresh_lock(context.root, {**context.files, **files}, lock)
        except LockRefreshError as exc:
            raise CannotDeclare(f"the lock could not be refreshed: {exc}") from exc
        return files, f"pyproject.toml (and {lock.path}, refreshed)"
    if lock is not None:
        raise CannotDeclare(f"{lock.path} would no longer match pyproject.toml and dockerfix cannot refresh it")
    return files, "pyproject.toml"


def version_pin(project: Project, name: str, newest: str | None) -> str:
    """`==version`: the version the lock already resolved for it, else the newest release; "" when unknown."""
    locked = next((p.version for p in (project.lock.packages if project.lock else ())
                   if p.name == canonicalize_name(name)), None)
    version = locked or newest
    return f"=={version}" if version and re.fullmatch(r"[\w.+!-]+", version) else ""
