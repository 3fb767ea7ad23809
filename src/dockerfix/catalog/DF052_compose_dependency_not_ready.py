"""A compose service starts before the service it depends on is ready.

What it catches: `depends_on` on a service that has no healthcheck, or `depends_on` without
`condition: service_healthy` (seed S003-5: the application started before Postgres and Redis accepted
connections, then exited or was patched with `nc` wait loops). Detected from the compose file.
Why it breaks: plain `depends_on` only orders container starts: compose starts the dependent service as soon
as the dependency's container runs, seconds before the database inside it accepts connections.
The fix: none by dockerfix (it does not edit compose files); the finding says which service and what to add:
a `healthcheck:` on the dependency (`pg_isready`, `redis-cli ping`) and `condition: service_healthy` under
the dependent's `depends_on`. It is a warning: an application that retries its connections survives the race,
so a repair whose image verifies still ends ok (or repaired) with the finding in its report.
"""

from __future__ import annotations

from collections.abc import Iterator

from dockerfix.analyse.compose_env import built_dockerfile, location, siblings
from dockerfix.catalog.rule import Context, Finding, Rule

ID = "DF052"


def detect(context: Context) -> Iterator[Finding]:
    for service in context.project.compose:
        by_name = {s.name: s for s in siblings(context, service)}
        for name, condition in service.depends_on:
            dependency = by_name.get(name)
            if dependency is None:
                continue
            dockerfile = built_dockerfile(context, dependency)
            checked = dependency.healthcheck or bool(dockerfile and dockerfile.last("HEALTHCHECK"))
            if not checked:
                message = (f"{service.name} depends on {name}, which has no healthcheck: compose starts {service.name} "
                           f"when {name}'s container runs, not when {name} is ready; add a healthcheck to {name} "
                           "and `condition: service_healthy`")
            elif condition != "service_healthy":
                message = (f"{service.name} depends on {name} without `condition: service_healthy`: it starts before "
                           f"{name}'s healthcheck passes")
            else:
                continue
            yield Finding(ID, message, evidence=(f"{service.name}: depends_on: {name}"
                                                 + (f" (condition: {condition})" if condition else ""),),
                          location=location(service), captures={"service": service.name, "dependency": name})


RULE = Rule(
    id=ID,
    name="compose-dependency-not-ready",
    kind="report",
    summary="A compose service starts before the service it depends on is ready",
    explanation=__doc__,
    seeds=("S003-5",),
    case="s003-5-compose-startup",
    detect=detect,
    severity="warning",
)
