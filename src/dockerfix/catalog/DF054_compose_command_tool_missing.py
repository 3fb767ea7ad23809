"""A compose service's command or healthcheck calls a program its image does not have.

What it catches: `command: sh -c "until nc -z postgres 5432; ..."` or `healthcheck: test: curl -f ...` on a
service built from a `python:*-slim` (or Alpine) image whose Dockerfile never installs that program (seed
S003-5: `nc: command not found`). Detected from the compose file and the Dockerfile the service builds.
Why it breaks: slim images carry Python and little else; the command fails at once (the service exits) or
the healthcheck never passes (every service that waits for it never starts).
The fix: none by dockerfix in the compose file. The finding names the program and the Debian package that
provides it (`tables/commands.toml`); better, wait with `depends_on: condition: service_healthy` (DF052) or
check health with Python itself (`python -c "import urllib.request; ..."`) instead of adding tools.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockerfix import tables
from dockerfix.analyse.compose_env import built_dockerfile, location
from dockerfix.catalog.rule import Context, Finding, Rule
from dockerfix.transform import apt

ID = "DF054"
SEGMENT = re.compile(r"&&|\|\||[;|&(){}`]|\b(?:then|do|else)\b")
PREFIXES = frozenset({"until", "while", "if", "exec", "!", "time", "nohup", "env", "sudo"})
MINIMAL_BASE = re.compile(r"slim|alpine|distroless", re.IGNORECASE)


def commands_in(script: str) -> list[str]:
    """The programs a shell command line runs (the first word of each command, `sh -c` and loops unwrapped)."""
    programs = []
    for segment in SEGMENT.split(script.replace('"', " ").replace("'", " ")):
        words = segment.split()
        while words:
            if words[0] in PREFIXES:
                words = words[1:]
            elif words[0].rsplit("/", 1)[-1] in ("sh", "bash") and "-c" in words:
                words = words[words.index("-c") + 1:]
            else:
                break
        if words and not re.fullmatch(r"[A-Za-z_]\w*=.*", words[0]):
            programs.append(words[0].rsplit("/", 1)[-1])
    return programs


def _installed(dockerfile, stage) -> set[str]:
    """apt packages of the stage and of the earlier stages it is built FROM."""
    packages = apt.stage_packages(stage)
    parent = next((s for s in dockerfile.stages[: stage.index] if s.name and s.name == stage.base), None)
    return packages | (_installed(dockerfile, parent) if parent else set())


def detect(context: Context) -> Iterator[Finding]:
    for service in context.project.compose:
        dockerfile = built_dockerfile(context, service)
        stage = dockerfile.final_stage if dockerfile else None
        if dockerfile is None or stage is None or not MINIMAL_BASE.search(apt.base_image(dockerfile, stage)):
            continue
        installed = _installed(dockerfile, stage)
        for what, script in (("command", service.command), ("entrypoint", service.entrypoint),
                             ("healthcheck", service.healthcheck_command)):
            for program in dict.fromkeys(commands_in(script or "")):
                package = tables.package_for_command(program)
                if package is None or package in installed:
                    continue
                yield Finding(ID, f"{service.name}'s {what} runs {program}, which {apt.base_image(dockerfile, stage)} "
                                  f"lacks and {dockerfile.path} does not install (Debian package {package})",
                              evidence=(f"{what}: {script}",), location=location(service),
                              captures={"service": service.name, "program": program})


RULE = Rule(
    id=ID,
    name="compose-command-tool-missing",
    kind="report",
    summary="A compose command or healthcheck calls a program the image lacks",
    explanation=__doc__,
    seeds=("S003-5",),
    case="s003-5-compose-startup",
    detect=detect,
)
