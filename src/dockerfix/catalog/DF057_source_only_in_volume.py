"""The image holds no application code: compose mounts the project over the working directory.

What it catches: the entry command's script or module is missing from the image (`python manage.py runserver`
with no manage.py, `uvicorn main:app` with no main), the Dockerfile's final stage copies nothing of the project
but its manifests (requirements.txt, pyproject.toml, a lock), and a compose service that builds it bind-mounts
the build context into the container (`volumes: [".:/django"]`).
Why it breaks: the image was written for development, where the mount brings the code and reloads it; without the
mount (a deployment, CI, `docker run`) the container has nothing to run. Verification runs the image as a
deployment would.
The fix: the final stage copies the build context to where compose mounts it (`COPY . /django`), before its
command, so the image runs on its own; under compose the mount still lays the live tree over it. `.dockerignore`
decides what is copied. A stage with no CMD or ENTRYPOINT of its own also gets compose's command as its CMD.
"""

from __future__ import annotations

import json
import posixpath
import shlex
from collections.abc import Iterator

from dockerfix.analyse.dockerfile import parse_dockerfile
from dockerfix.analyse.compose_env import built_dockerfile, location
from dockerfix.analyse.copy_sources import context_sources
from dockerfix.catalog.rule import Context, Finding, Fix, Rule, Skip
from dockerfix.checks import Check, EntryResolution
from dockerfix.model import ComposeService
from dockerfix.transform.dockerfile import insert_at_stage_end, insert_before

ID = "DF057"
MANIFESTS = ("requirements", "constraints", "pyproject.toml", "setup.cfg", "poetry.lock", "uv.lock", "pdm.lock",
             "Pipfile", "Pipfile.lock", ".python-version")
TRAILING = ("CMD", "ENTRYPOINT", "USER", "EXPOSE", "HEALTHCHECK", "LABEL", "STOPSIGNAL")


def _manifests_only(context: Context) -> bool:
    dockerfile = context.project.dockerfile
    stage = dockerfile.final_stage if dockerfile else None
    if stage is None:
        return False
    return all(posixpath.basename(source.rstrip("/")).startswith(MANIFESTS) for source, _ in context_sources(stage.instructions))


def _mounting(context: Context) -> Iterator[tuple[ComposeService, str]]:
    """(service, container path) for each compose service that builds this Dockerfile and mounts its context."""
    for service in context.project.compose:
        dockerfile = built_dockerfile(context, service)
        if dockerfile is None or dockerfile.path != context.dockerfile_path:
            continue
        for host, target in service.binds:
            if posixpath.normpath(host) == posixpath.normpath(service.context or "."):
                yield service, target


def from_check(context: Context, check: Check) -> Finding | None:
    facts = check.facts
    if not isinstance(facts, EntryResolution) or not (facts.missing_script or facts.missing_module):
        return None
    mounted = next(_mounting(context), None)
    if mounted is None or not _manifests_only(context):
        return None
    service, target = mounted
    missing = facts.missing_script or facts.missing_module
    return Finding(ID, f"the image holds no application code ({missing} is missing): {context.dockerfile_path} copies "
                       f"only the manifests, and compose's {service.name} mounts the project at {target}",
                   evidence=(f"{service.name}: volumes: {service.context or '.'}:{target}",), location=location(service),
                   captures={"target": target, "service": service.name, "command": service.command or ""})


def fix(context: Context, finding: Finding) -> Fix | Skip:
    dockerfile = context.project.dockerfile
    stage = dockerfile.final_stage if dockerfile else None
    if stage is None:
        return Skip("no Dockerfile to edit")
    target = finding.capture("target")
    copy = f"COPY . {target}"
    # before the settings that end the stage (CMD, USER, ...): as late as possible, so a source change rebuilds
    # nothing else
    first_trailing = None
    for instruction in reversed(stage.instructions[1:]):
        if instruction.keyword not in TRAILING:
            break
        first_trailing = instruction
    text = insert_before(context.dockerfile_text, first_trailing, copy) if first_trailing else \
        insert_at_stage_end(context.dockerfile_text, stage, copy)
    command = finding.capture("command")
    said = ""
    if command and not any(i.keyword in ("CMD", "ENTRYPOINT") for i in stage.instructions):
        # the image's own command was compose's too: without it the base image's `python3` starts and exits
        exec_form = json.dumps(shlex.split(command))
        text = insert_at_stage_end(text, parse_dockerfile(context.dockerfile_path, text).final_stage or stage,
                                   f"CMD {exec_form}")
        said = f", and runs compose's command (CMD {exec_form})"
    return Fix({context.dockerfile_path: text}, f"copied the project into the image at {target} ({copy}), where "
                                                f"compose's {finding.capture('service')} mounts it{said}: the image "
                                                "runs without the mount")


RULE = Rule(
    id=ID,
    name="source-only-in-volume",
    kind="run",
    summary="The image holds no application code: compose mounts it",
    explanation=__doc__,
    case="run-source-only-in-volume",
    checks=("entry-resolves",),
    from_check=from_check,
    fix=fix,
)
