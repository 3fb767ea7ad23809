"""A published host port is taken: by another service of the compose file, or by a process on the host.

What it catches: two services of one compose file publishing the same host port (`6379:6379` twice), and the
logs of a port already in use: `Bind for 0.0.0.0:6379 failed: port is already allocated`, `bind: Address
already in use` (seeds S000-10, S000-12: a Redis started by hand next to the one `brew services` ran).
Why it breaks: one host port can be bound by one process; the second container (or server) fails to start.
The fix: none by dockerfix. Publish another host port (`6380:6379`) or stop the other instance, and make the
settings point at the instance meant (DF055 compares URL and port settings). Processes running on the host
are outside the project's files: only their symptom in a log is recognised.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockerfix.analyse.compose_env import location
from dockerfix.catalog.rule import Context, Finding, Rule, evidence_lines, regex

ID = "DF056"


def detect(context: Context) -> Iterator[Finding]:
    published: dict[tuple[str, str], str] = {}
    for service in context.project.compose:
        for host, _ in service.ports:
            if not host:
                continue
            key = (service.file, host)
            if key in published and published[key] != service.name:
                yield Finding(ID, f"{published[key]} and {service.name} both publish host port {host}: the second "
                                  "fails with `port is already allocated`", evidence=(f"{service.name}: ports: {host}",),
                              location=location(service), captures={"port": host})
            published.setdefault(key, service.name)


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    port = match.groupdict().get("port") or ""
    where = f" {port}" if port else ""
    return Finding(ID, f"the port{where} is in use already, by another container or a process on the host "
                       "(a second Redis?): stop it, or publish another host port", evidence=evidence_lines(log, match),
                   captures={"port": port})


RULE = Rule(
    id=ID,
    name="compose-host-port-conflict",
    kind="report",
    summary="A published port is already in use",
    explanation=__doc__,
    seeds=("S000-10", "S000-12"),
    case="s000-10-redis-port-taken",
    log=regex(r"Bind for [\d.:\[\]]+:(?P<port>\d+) failed: port is already allocated",
              r"(?:bind|listen).*[Aa]ddress already in use"),
    detect=detect,
    from_log=from_log,
)
