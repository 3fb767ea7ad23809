"""The build could not reach a package index or archive: the network, not the Dockerfile, failed.

What it catches: pip's `Failed to establish a new connection`, `Temporary failure in name resolution`,
`Could not fetch URL`, `Retrying (Retry(total=` warnings followed by `No matching distribution found`; apt's
`Temporary failure resolving 'deb.debian.org'` / `Failed to fetch`; curl's `Could not resolve host`;
uv's and Poetry's connection errors.
Why it breaks: the build container has no route or no DNS to PyPI or Debian (an offline CI runner, a proxy
not passed as a build argument, a `--network none` build, an outage). Every requirement then looks
"missing", which tempts a repair into bogus edits (pins, renames, Python versions).
A host that does not resolve while earlier steps of the same build downloaded (apt `Get:`, pip `Downloading`,
image layers) is that host's failure, not the network's: DF073 (download failed) names it instead.
The fix: none in the Dockerfile. The finding is conclusive: no other rule is tried on this build, and the
report names the host that could not be reached, so the network (proxy build args, DNS, `--network`) can be
fixed where it broke.
"""

from __future__ import annotations

import re

from dockerfix.catalog.patterns import INDEX_HOSTS, network_worked_before
from dockerfix.catalog.rule import Context, Finding, Rule, evidence_lines, regex

ID = "DF060"


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    host = match.groupdict().get("resolve_host")
    if host and host not in INDEX_HOSTS and network_worked_before(log, match.start()):
        return None  # the build reached the network before: this one host is gone (DF073's)
    return Finding(ID, RULE.summary, evidence=evidence_lines(log, match),
                   captures=tuple((k, v) for k, v in match.groupdict().items() if v is not None))


RULE = Rule(
    id=ID,
    name="network-unreachable",
    kind="report",
    summary="The build could not reach the package index or the Debian archive (network failure)",
    explanation=__doc__,
    case="fault-network-unreachable",
    log=regex(
        r"(?:Temporary failure in name resolution|Name or service not known|Network is unreachable|"
        r"Failed to establish a new connection|Connection refused)[^\n]*(?:\n[^\n]*){0,3}?",
        r"Temporary failure resolving '(?P<host>[^']+)'",
        r"Could not resolve host:? (?P<resolve_host>\S+)",
        r"Could not fetch URL (?P<url>\S+?):? There was a problem confirming the ssl certificate|Could not fetch URL (?P<url2>\S+)",
        r"error: Failed to fetch: `(?P<url3>[^`]+)`",  # uv
        r"dns error|failed to lookup address information",  # uv / reqwest
    ),
    from_log=from_log,
    conclusive=True,
)
