"""apt refuses a repository whose signing key is missing or expired.

What it catches: `W: GPG error: https://repo.example/apt xenial Release: The following signatures were invalid:
KEYEXPIRED 1681763820` or `... NO_PUBKEY 7D0343148157C3DF`, then `E: The repository '...' is not signed.`, and
`WARNING: The following packages cannot be authenticated!` with `E: There are problems and -y was used without
--force-yes`.
Why it breaks: third-party repositories (MongoDB, MySQL, vendors) rotate their signing keys; a Dockerfile that
imported the old key (or a `apt-key adv` keyserver that no longer answers) leaves apt with a repository it
cannot verify, and since apt 1.5 an unsigned repository is an error, not a warning.
The fix: none automatic. The suggestion names the repository and the key: fetch the vendor's current key into a
keyring and name it with `[signed-by=...]` in the sources line, or drop the repository. A Debian release that
left the mirrors is DF070's.
"""

from __future__ import annotations

import re

from dockerfix.catalog.rule import Context, Finding, Rule, evidence_lines, regex
from dockerfix.catalog.suggestions import at, failed_instruction, step_named

ID = "DF074"
GPG = (r"GPG error: (?P<repo>\S+ \S+) (?:In)?Release: The following signatures (?:were invalid|couldn't be verified "
       r"because the public key is not available): (?P<problem>(?:KEYEXPIRED|NO_PUBKEY|EXPKEYSIG)) ?(?P<key>\w*)")
UNSIGNED = r"The repository '(?P<repo>[^']+?) (?:In)?Release' is not signed"
UNAUTHENTICATED = r"WARNING: The following packages cannot be authenticated!"


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    groups = match.groupdict()
    repo = groups.get("repo") or "a repository"
    if re.search(r"(?:deb\.debian\.org|security\.debian\.org)", repo) and re.search(r"does not have a Release file|404", log):
        return None  # an end-of-life Debian release: DF070's
    problem = {"KEYEXPIRED": "its signing key expired", "EXPKEYSIG": "its signing key expired",
               "NO_PUBKEY": f"its signing key {groups.get('key') or ''} is not installed"}.get(groups.get("problem") or "",
                                                                                            "it is not signed by a known key")
    instruction = failed_instruction(context, log)
    suggestion = (f"before {step_named(context, log)}, install the current signing key of {repo} into "
                  "/etc/apt/keyrings and name it with [signed-by=...] in its sources line, or remove the repository")
    return Finding(ID, f"apt refuses {repo}: {problem}".replace("  ", " "), evidence=evidence_lines(log, match, 0, 1),
                   location=at(context, instruction), suggestion=suggestion, captures={"repository": repo})


RULE = Rule(
    id=ID,
    name="apt-repository-unsigned",
    kind="report",
    summary="apt refuses a repository whose signing key is missing or expired",
    explanation=__doc__,
    case="apt-key-expired",
    log=regex(GPG, UNSIGNED, UNAUTHENTICATED),
    from_log=from_log,
    applicability="suggestion",
)
