"""A download from outside the package indexes failed: the URL is gone (404), its host does not resolve or its
TLS certificate is refused, or a `git clone` finds the repository or branch moved.

What it catches: wget's `ERROR 404: Not Found` / `server returned error: HTTP/1.1 404`, curl's `curl: (22) The
requested URL returned error: 404`, a tarball that is an error page (`gzip: stdin: not in gzip format` after
curl without `-f`), TLS refusals (`no certificate subject alternative name matches`, npm's or bower's
`certificate has expired`), `fatal: Remote branch master not found in upstream origin`, `fatal: repository '...'
not found` or `could not read Username` for a public clone, vendor scripts that refuse the distribution
(`Your distribution, identified as "bookworm", is not currently supported`), R's `cannot open URL`.
Why it breaks: release files are moved or deleted (old versions leave mirrors), mirrors retire or let their
certificates expire, repositories are renamed, deleted or made private, branches renamed (master -> main). The
Dockerfile pins a location that no longer serves what it named.
The fix: none automatic. The suggestion names the URL and the failing instruction: a current URL or version,
the project's new location, or the package from the distribution or the package index instead.
"""

from __future__ import annotations

import re

from dockerfix.analyse.failed_step import failed_command
from dockerfix.catalog.patterns import INDEX_HOSTS, network_worked_before
from dockerfix.catalog.rule import Context, Finding, Rule, evidence_lines, regex
from dockerfix.catalog.suggestions import at, failed_instruction, step_named

ID = "DF073"
URL = re.compile(r"https?://[^\s'\"|;&)>]+")
# what the command downloads: a URL, or a word built from build args (`${BASE_URL}/x.tar.gz`)
DOWNLOADED = re.compile(r"(?:https?://|\$\{?\w+\}?/)[^\s'\"|;&)>]+")
PACKAGE_INDEX = re.compile(r"/APKINDEX\.tar\.gz|/dists/|/repodata/")
# (what happened, pattern): a `url` group names the URL, else the failing command's URL is meant
FAILURES: tuple[tuple[str, str], ...] = (
    ("answered 404 Not Found", r"^--[\d-]+ [\d:]+--\s+(?P<url>\S+)\n(?:.*\n){0,6}?.*ERROR 404: Not Found"),
    ("answered 404 Not Found", r"(?:wget: server returned error: HTTP/1\.1 404|ERROR 404: Not Found)"),
    ("answered an HTTP error", r"curl: \(22\) The requested URL returned error: (?P<status>\d+)"),
    ("did not resolve", r"curl: \(6\) Could not resolve host: (?P<host>\S+)|unable to resolve host address [‘'](?P<host3>[^’']+)"),
    ("was refused for its TLS certificate", (r"no certificate subject alternative name matches|certificate verify failed"
                                            r"|curl: \(60\)")),
    ("was refused for its TLS certificate", (r"request to (?P<url>\S+) failed,? reason: (?:certificate has expired|unable to "
                                            r"verify)|Request to (?P<url2>\S+) failed: certificate has expired")),
    ("did not return an archive (an error page?)", r"gzip: stdin: not in gzip format"),
    ("is not there: the branch is gone", r"fatal: Remote branch (?P<branch>\S+) not found in upstream origin"),
    ("is not there: the repository moved or is private", (r"fatal: repository '(?P<url3>[^']+)' not found"
                                                          r"|fatal: could not read Username for '(?P<host2>[^']+)'")),
    ("does not support this distribution", (r"Your distribution, identified as \"(?P<distribution>[^\"]+)\", is not "
                                           r"currently supported")),
    ("could not be opened", r"cannot open URL '(?P<url4>[^']+)'|Could not fetch archive at:\s+(?P<url5>\S+)"),
    ("failed with a TLS error", r"httpc request failed with: \{:failed_connect, .*tls_alert"),
)
PATTERNS = {pattern: what for what, pattern in FAILURES}


def _url(match: re.Match[str], log: str) -> str:
    named = next((v for k, v in match.groupdict().items() if k.startswith("url") and v), None)
    if named:
        return named.rstrip(".:")
    command = failed_command(log) or ""
    near = log[max(0, match.start() - 1500): match.start()]
    host = next((v for k, v in match.groupdict().items() if k.startswith("host") and v), None)
    # the log's own words first (they hold the expanded URL), then the command's
    candidates = [u for u in URL.findall(near) if not PACKAGE_INDEX.search(u)] or DOWNLOADED.findall(command)
    if host:
        candidates = [u for u in candidates if host in u] or [f"https://{host}/"]
    return candidates[-1] if candidates else ""


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    what = PATTERNS[match.re.pattern]
    if what == "did not resolve" and not network_worked_before(log, match.start()):
        return None  # nothing resolved in this build: the network's failure (DF060), not this host's
    url = _url(match, log)
    if any(index in url for index in INDEX_HOSTS):
        return None  # the package index itself: DF060's (network) or the installer's rules
    target = url or "the download"
    instruction = failed_instruction(context, log)
    suggestion = (f"in {step_named(context, log)}, replace {target}: it {what}; use its current location or version, "
                  "or install the same thing from the distribution's packages or the package index")
    return Finding(ID, f"{target} {what}", evidence=evidence_lines(log, match, before=1, after=0),
                   location=at(context, instruction), suggestion=suggestion, captures={"url": url})


RULE = Rule(
    id=ID,
    name="download-failed",
    kind="report",
    summary="A download from outside the package indexes (curl, wget, git clone, a vendor script) failed",
    explanation=__doc__,
    case="download-404",
    log=regex(*PATTERNS),
    from_log=from_log,
    applicability="suggestion",
)
