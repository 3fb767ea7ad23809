"""The build could not reach a package index or archive: the network, not the Dockerfile, failed.

What it catches: pip's `Failed to establish a new connection`, `Temporary failure in name resolution`,
`Could not fetch URL`, `Retrying (Retry(total=` warnings followed by `No matching distribution found`; apt's
`Temporary failure resolving 'deb.debian.org'` / `Failed to fetch`; curl's `Could not resolve host`;
uv's and Poetry's connection errors; the engine's `Get "https://...": dial tcp: ... no such host` for an
`ADD URL`. Also a download from a host outside PyPI and Debian's archive that the
build cannot reach: `curl: (6) Could not resolve host: github.com` for a GitHub release, install.python-poetry.org,
astral.sh or sh.rustup.rs.
Why it breaks: the build container has no route or no DNS to PyPI or Debian (an offline CI runner, a proxy
not passed as a build argument, a `--network none` build, an outage), or to the one host a RUN downloads
from (a sandbox that lets only the package indexes through). Every requirement then looks "missing", which
tempts a repair into bogus edits (pins, renames, Python versions).
A host that does not resolve while earlier steps of the same build downloaded (apt `Get:`, pip `Downloading`,
image layers) is that host's failure, not the network's: DF073 (download failed) names it instead.
The fix: none in the Dockerfile. The finding is conclusive and environment-blocked: no other rule is tried on
this build, no edit is made, and the report names the URL the failed RUN downloads (or the host that could
not be reached), so the network (proxy build args, DNS, `--network`) can be fixed where it broke.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urlsplit

from dockerfix.analyse.dockerfile import split_copy
from dockerfix.analyse.failed_step import failed_run
from dockerfix.catalog.patterns import GO_UNREACHABLE, INDEX_HOSTS, network_worked_before
from dockerfix.catalog.rule import Context, Finding, Rule, evidence_lines, regex

ID = "DF060"

# Where pip, uv, Poetry and apt download from on the python images: a download from any other host is the RUN's own.
PACKAGE_HOSTS = frozenset(INDEX_HOSTS)
URL = re.compile(r"""https?://[^\s'"`|;&()<>]+""")


def _outside(url: str) -> bool:
    return urlsplit(url).hostname not in PACKAGE_HOSTS


def _scripts_run(context: Context, command: str) -> list[str]:
    """The texts of the context's shell scripts a RUN executes (`./install.sh`, `bash scripts/setup.sh`), found
    through the COPY/ADD that put them in the image: their downloads are the RUN's."""
    dockerfile = context.project.dockerfile
    named = {posixpath.basename(word) for word in re.findall(r"[\w./-]+\.sh\b", command)}
    texts = []
    for instruction in dockerfile.instructions if dockerfile and named else ():
        if instruction.keyword in ("COPY", "ADD") and "from" not in split_copy(instruction.value)[0]:
            for source in split_copy(instruction.value)[1]:
                if posixpath.basename(source) in named:
                    text = context.text(context.project.root_path(source))
                    texts += [text] if text else []
    return texts


def _download(context: Context, log: str, host: str | None) -> str | None:
    """The URL outside PyPI and Debian that the build could not fetch: one the failed RUN names, else, for a
    piped `curl ... | sh` whose failure shows only in a later step, the instruction that names `host`."""
    dockerfile = context.project.dockerfile
    run = failed_run(dockerfile, log)
    failed = [url for text in ([run.value, *_scripts_run(context, run.value)] if run else [])
              for url in URL.findall(text) if _outside(url)]
    named = [url for i in (dockerfile.instructions if dockerfile else ()) for url in URL.findall(i.value) if _outside(url)]
    return next((url for url in (*failed, *named) if host and urlsplit(url).hostname == host), failed[0] if failed else None)


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    captures = {k: v for k, v in match.groupdict().items() if v is not None}
    resolved = captures.get("resolve_host")
    if resolved and resolved not in PACKAGE_HOSTS and network_worked_before(log, match.start()):
        return None  # the build reached the network before: this one host is gone (DF073's)
    reached = next((v for k, v in captures.items() if k.startswith("url")), None)
    host = captures.get("host") or resolved or (urlsplit(reached).hostname if reached else None)
    url = _download(context, log, host)
    if url is None and reached and host not in PACKAGE_HOSTS:
        url = reached  # the engine's own download (ADD URL), or a tool that names what it fetched
    if url is not None:
        captures["url"] = url
        message = (f"the build cannot reach {url}, a download outside PyPI and Debian's archive; "
                   "where its host answers it would be fetched")
    else:
        message = f"{RULE.summary}: {host} did not answer" if host else RULE.summary
    return Finding(rule=RULE.id, message=message, evidence=evidence_lines(log, match),
                   captures=captures)


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
        # the engine itself fetching `ADD https://...` (a registry's /v2/ is DF064's)
        rf'Get "(?P<url4>https?://(?![^"/]+/v2/)[^"]+)": [^\n]*(?:{GO_UNREACHABLE})',
    ),
    from_log=from_log,
    conclusive=True,
    environment=True,
)
