""".dockerignore → `Dockerignore`, matched with the Docker SDK's own pattern matcher (not a hand-written one)."""

from __future__ import annotations

from docker.utils.build import Pattern, PatternMatcher

from dockerfix.model import Dockerignore


def parse_dockerignore(relpath: str, text: str) -> Dockerignore:
    patterns = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line and not line.startswith("#"):
            patterns.append((line, number))
    return Dockerignore(path=relpath, text=text, patterns=tuple(patterns))


def excluding_pattern(dockerignore: Dockerignore | None, path: str) -> tuple[str, int] | None:
    """The (pattern, line) that keeps `path` out of the build context, or None when it is sent.

    The last pattern that matches the path or one of its parent directories decides, as in Docker.
    """
    if dockerignore is None:
        return None
    parts = path.strip("/").split("/")
    prefixes = ["/".join(parts[:depth]) for depth in range(1, len(parts) + 1)]
    decision: tuple[str, int] | None = None
    for text, line in dockerignore.patterns:
        pattern = Pattern(text)
        if any(pattern.match(prefix) for prefix in prefixes):
            decision = None if pattern.exclusion else (text, line)
    return decision


def matcher(dockerignore: Dockerignore | None) -> PatternMatcher:
    return PatternMatcher([p for p, _ in dockerignore.patterns] if dockerignore else [])
