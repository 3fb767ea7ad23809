"""A compose service reaches another service through `localhost`.

What it catches: environment values such as `DATABASE_URL=postgresql://user:pw@localhost:5432/db` or
`REDIS_HOST=127.0.0.1` in a service of a compose file that defines the database as another service (seed
S003-5: "Use Correct Service Names for Networking"; `connection refused` between containers).
Why it breaks: inside a container `localhost` is the container itself; the other services are reachable
on the compose network by their service names (`postgres`, `redis`).
The fix: none by dockerfix (it does not edit compose files or settings); the finding names the variable and
the service that most likely serves that port. Services with `network_mode: host` are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockerfix.analyse.compose_env import location, masked, service_settings, siblings
from dockerfix.catalog.rule import Context, Finding, Location, Rule

ID = "DF053"
LOOPBACK = re.compile(r"(?:^|://|@|^[\w.-]*=)(?:localhost|127\.0\.0\.1|\[::1\])(?::(?P<port>\d+))?(?:[/?#]|$)")
HOST_KEY = re.compile(r"(?:^|_)(?:HOST|HOSTNAME|URL|URI|DSN|ADDR|ADDRESS|SERVER|ENDPOINT)$")
# Default ports of the images services usually run, to name the service a URL means.
IMAGE_PORTS = {"postgres": "5432", "postgis": "5432", "redis": "6379", "valkey": "6379", "mysql": "3306",
               "mariadb": "3306", "mongo": "27017", "rabbitmq": "5672", "memcached": "11211", "elasticsearch": "9200",
               "kafka": "9092", "minio": "9000", "qdrant": "6333", "neo4j": "7687"}


def _serving(services, port: str | None) -> str | None:
    for candidate in services:
        image = (candidate.image or "").split("/")[-1].split(":")[0]
        ports = {container.split("-")[0] for _, container in candidate.ports} | ({IMAGE_PORTS[image]} if image in IMAGE_PORTS else set())
        if port and port in ports:
            return candidate.name
    return None


def detect(context: Context) -> Iterator[Finding]:
    for service in context.project.compose:
        others = [s for s in siblings(context, service) if s.name != service.name]
        if not others or service.network_mode == "host":
            continue
        for setting in service_settings(context, service):
            match = LOOPBACK.search(setting.value)
            if match is None or not (HOST_KEY.search(setting.key.upper()) or "://" in setting.value):
                continue
            target = _serving(others, match.group("port"))
            hint = f"use the service name `{target}`" if target else "use the other service's name"
            yield Finding(ID, f"{service.name}'s {setting.key} points at localhost, which inside its container is the "
                              f"container itself: {hint}", evidence=(f"{setting.origin}: {setting.key}={masked(setting.value)}",),
                          location=Location.parse(setting.origin.split(" ")[0]) if ".env" in setting.origin else location(service),
                          captures={"service": service.name, "key": setting.key})


RULE = Rule(
    id=ID,
    name="compose-localhost-between-services",
    kind="report",
    summary="A compose service reaches another service through localhost",
    explanation=__doc__,
    seeds=("S003-5",),
    case="s003-5-compose-startup",
    detect=detect,
)
