"""Compose files → `ComposeService`s: which Dockerfile each service really builds (seed S002-2)."""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

import yaml

from dockerfix.analyse.model import ComposeService
from dockerfix.analyse.tomlfile import read_text
from dockerfix.errors import InputError

COMPOSE_GLOBS = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml", "docker-compose.*.yml",
                 "docker-compose.*.yaml", "compose.*.yaml", "compose.*.yml")


def find_compose_files(root: Path) -> list[str]:
    found: list[str] = []
    for pattern in COMPOSE_GLOBS:
        for path in sorted(root.glob(pattern)):
            if path.is_file() and path.name not in found:
                found.append(path.name)
    return found


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    """Compose's list-or-mapping forms (environment, depends_on) as (key, value) pairs."""
    if isinstance(value, dict):
        return tuple((str(k), "" if v is None else str(v.get("condition", "")) if isinstance(v, dict) else str(v))
                     for k, v in value.items())
    if isinstance(value, list):
        return tuple((str(item).partition("=")[0], str(item).partition("=")[2]) for item in value)
    return ()


def parse_compose(root: Path, relpath: str) -> tuple[ComposeService, ...]:
    text = read_text(root, relpath)
    try:
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(relpath, mark.line + 1 if mark else None, f"is not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if data is None:
        raise InputError(relpath, None, "is empty")
    if not isinstance(data, dict) or not isinstance(data.get("services", {}), dict):
        raise InputError(relpath, 1, "has no `services:` mapping")
    lines = {key.value: key.start_mark.line + 1 for key, _ in _services_node(node)}
    services = []
    for name, spec in (data.get("services") or {}).items():
        if not isinstance(spec, dict):
            raise InputError(relpath, lines.get(name), f"service {name!r} must be a mapping")
        build = spec.get("build")
        context = dockerfile = None
        if isinstance(build, str):
            context = build
        elif isinstance(build, dict):
            context = str(build.get("context", "."))
            dockerfile = build.get("dockerfile")
        if context is not None:
            context = posixpath.normpath(posixpath.join(posixpath.dirname(relpath), context))
            dockerfile = posixpath.normpath(posixpath.join(context, dockerfile or "Dockerfile"))
        command = spec.get("command")
        services.append(
            ComposeService(
                file=relpath,
                name=str(name),
                context=context,
                dockerfile=dockerfile,
                image=spec.get("image"),
                command=" ".join(command) if isinstance(command, list) else command,
                depends_on=_pairs(spec.get("depends_on")),
                healthcheck=isinstance(spec.get("healthcheck"), dict) and not spec["healthcheck"].get("disable"),
                environment=_pairs(spec.get("environment")),
                line=lines.get(name),
            )
        )
    return tuple(services)


def _services_node(document: yaml.Node | None) -> list[tuple[yaml.Node, yaml.Node]]:
    if not isinstance(document, yaml.MappingNode):
        return []
    for key, value in document.value:
        if key.value == "services" and isinstance(value, yaml.MappingNode):
            return value.value
    return []
