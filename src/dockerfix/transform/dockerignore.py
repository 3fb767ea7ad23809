"""Edits of a `.dockerignore` text: let a path the build needs back into the build context."""

from __future__ import annotations

from dockerfix.analyse.dockerignore import excluding_pattern, parse_dockerignore
from dockerfix.model import Context, Fix, Skip


def reinclude(text: str, path: str) -> tuple[str, str] | None:
    """(new text, one-sentence summary) that sends `path` again, or None when nothing excludes it.

    A pattern naming exactly that path is removed; a wider one (`*.lock`, `scripts/`) stays, and the path is
    re-included after it with `!path`, so everything else it excluded stays out.
    """
    excluded = excluding_pattern(parse_dockerignore(".dockerignore", text), path)
    if excluded is None:
        return None
    pattern, line = excluded
    lines = text.splitlines()
    if pattern.strip("/") == path.strip("/"):
        del lines[line - 1]
        summary = f"removed `{pattern}` from .dockerignore (line {line})"
    else:
        lines.append(f"!{path}")
        summary = f"re-included {path} after `{pattern}` in .dockerignore (`!{path}`)"
    return "\n".join(lines) + "\n", summary


def fix_ignored_path(context: Context, path: str, why: str) -> Fix | Skip:
    """The fix that lets `path` back into the build context (`reinclude`); `why` ends its summary."""
    ignore_path = context.project.dockerignore_path
    edited = reinclude(context.text(ignore_path) or "", path)
    if edited is None:
        return Skip(f"{path} is no longer ignored")
    text, summary = edited
    return Fix({ignore_path: text}, f"{summary}: {why}")
