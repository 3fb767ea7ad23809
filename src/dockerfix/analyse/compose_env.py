"""What the compose rules share: each service's environment with where every value was set, the services a
compose file defines, and the Dockerfile a service builds."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dockerfix.analyse.compose import parse_env_file
from dockerfix.model import ComposeService, Context, DockerfileInfo, Location


@dataclass(frozen=True)
class Setting:
    key: str
    value: str
    origin: str  # "docker-compose.yml service web", ".env:3"


def env_file_settings(context: Context, relpath: str) -> list[Setting]:
    text = context.text(relpath)
    return [Setting(k, v, f"{relpath}:{n}") for k, v, n in parse_env_file(text)] if text else []


def service_settings(context: Context, service: ComposeService) -> list[Setting]:
    """The service's environment: its env_file entries, then `environment:` (which wins, as in compose)."""
    settings = [s for path in service.env_files for s in env_file_settings(context, path)]
    where = f"{service.file}:{service.line}" if service.line else service.file
    settings += [Setting(k, v, f"{where} (service {service.name})") for k, v in service.environment]
    merged: dict[str, Setting] = {}
    for setting in settings:
        merged[setting.key] = setting
    return list(merged.values())


def siblings(context: Context, service: ComposeService) -> list[ComposeService]:
    """The services defined by the same compose file."""
    return [s for s in context.project.compose if s.file == service.file]


def built_dockerfile(context: Context, service: ComposeService) -> DockerfileInfo | None:
    return next((d for d in context.project.dockerfiles if d.path == service.dockerfile), None)


def location(service: ComposeService) -> Location:
    return Location(service.file, service.line)


def masked(value: str) -> str:
    """A value with the password of any URL in it replaced by ***, for evidence lines."""
    return re.sub(r"(://[^:/@\s]*:)[^@\s]*@", r"\1***@", value)
