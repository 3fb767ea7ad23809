"""Compose files → `ComposeService`s: which Dockerfile each service really builds (seed S002-2), and what the
compose rules look at (start order, environment, published ports, commands); `.env` files as (key, value, line).
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

import yaml

from dockerfix.model import ComposeService
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


def _command(value: Any) -> str | None:
    """A command in either compose form (string or list) as one string."""
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return None if value is None else str(value)


def _ports(value: Any) -> tuple[tuple[str, str], ...]:
    """(published host port, container port) for each `ports` entry; "" when compose picks the host port."""
    out: list[tuple[str, str]] = []
    for item in value if isinstance(value, list) else ():
        if isinstance(item, dict):
            out.append((str(item.get("published", "")), str(item.get("target", ""))))
            continue
        parts = str(item).split("/")[0].split(":")
        out.append((parts[-2], parts[-1]) if len(parts) >= 2 else ("", parts[0]))
    return tuple(out)


def _binds(value: Any, relpath: str) -> tuple[tuple[str, str], ...]:
    """(host path relative to the root, container path) of each bind mount in `volumes` (`.:/app`, `./src:/app/src:ro`,
    `{type: bind, source: ., target: /app}`); named volumes are left out."""
    out: list[tuple[str, str]] = []
    for item in value if isinstance(value, list) else ():
        if isinstance(item, dict):
            source, target = str(item.get("source", "")), str(item.get("target", ""))
            if item.get("type", "volume") != "bind":
                continue
        else:
            parts = str(item).split(":")
            if len(parts) < 2:
                continue
            source, target = parts[0], parts[1]
        if source.startswith((".", "/")) and target.startswith("/"):
            host = source if source.startswith("/") else posixpath.normpath(posixpath.join(posixpath.dirname(relpath), source))
            out.append((host, target.rstrip("/") or "/"))
    return tuple(out)


def _healthcheck_command(value: Any) -> str | None:
    if not isinstance(value, dict) or value.get("disable"):
        return None
    test = value.get("test")
    if isinstance(test, list):
        words = [str(w) for w in test]
        return " ".join(words[1:] if words and words[0] in ("CMD", "CMD-SHELL") else words) or None
    return None if test is None else str(test)


def parse_env_file(text: str) -> tuple[tuple[str, str, int], ...]:
    """`.env` lines as (key, value, line): `KEY=value`, `export KEY=value`, quotes removed, comments skipped."""
    found = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if value[:1] in ("'", '"') and value[-1:] == value[:1] and len(value) >= 2:
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        found.append((key.strip(), value, number))
    return tuple(found)


class _ComposeLoader(yaml.SafeLoader):
    """YAML with compose's merge tags (compose-spec "Merge"): `!override` replaces what earlier files said, `!reset`
    removes it. Within one file both are just their value, and a reset value is absent."""


def _untagged(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """The value under the tag, as if it were not tagged."""
    plain = type(node)(loader.resolve(type(node), node.value, (True, False)), node.value, node.start_mark, node.end_mark)
    return loader.construct_object(plain, deep=True)


_ComposeLoader.add_constructor("!reset", lambda loader, node: None)
_ComposeLoader.add_constructor("!override", _untagged)


def parse_compose(root: Path, relpath: str) -> tuple[ComposeService, ...]:
    text = read_text(root, relpath)
    try:
        loader = _ComposeLoader(text)
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
        env_files = spec.get("env_file") or []
        env_files = [env_files] if isinstance(env_files, (str, dict)) else env_files
        env_paths = [str(e.get("path", "")) if isinstance(e, dict) else str(e) for e in env_files]
        services.append(
            ComposeService(
                file=relpath,
                name=str(name),
                context=context,
                dockerfile=dockerfile,
                image=spec.get("image"),
                command=_command(spec.get("command")),
                depends_on=_pairs(spec.get("depends_on")),
                healthcheck=isinstance(spec.get("healthcheck"), dict) and not spec["healthcheck"].get("disable"),
                environment=_pairs(spec.get("environment")),
                line=lines.get(name),
                ports=_ports(spec.get("ports")),
                env_files=tuple(posixpath.normpath(posixpath.join(posixpath.dirname(relpath), p)) for p in env_paths if p),
                network_mode=spec.get("network_mode"),
                healthcheck_command=_healthcheck_command(spec.get("healthcheck")),
                entrypoint=_command(spec.get("entrypoint")),
                binds=_binds(spec.get("volumes"), relpath),
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
