"""The project's own requirements contradict each other: no release set satisfies them all.

What it catches: pip's `ERROR: Cannot install -r requirements.txt (line 1) and starlette==0.37.2 because these
package versions have conflicting dependencies.` with its `The conflict is caused by:` list (`The user requested
starlette==0.37.2`, `fastapi 0.109.1 depends on starlette<0.36.0 and >=0.35.0`), and uv's `No solution found
when resolving dependencies:` with its `Because ... we can conclude that your requirements are unsatisfiable`.
Why it breaks: two pins (or a pin and what another pinned release requires) allow no common version; the
resolver is right to refuse, on every base image and with every installer, so neither a Dockerfile edit nor
the rewrite's layout gets past it.
The fix: none in the Dockerfile: one of the pins must move. The report names what conflicts, as the resolver
said it, so the pin can be loosened (and a lock refreshed) by hand.
"""

from __future__ import annotations

import re

from dockerfix.catalog.rule import Context, Finding, Rule, evidence_lines, regex

ID = "DF034"
PIP_CONFLICT = (r"Cannot install (?P<what>[^\n]+?) because these package versions have conflicting dependencies\."
                r"(?:\n[^\n]*){0,3}?\nThe conflict is caused by:\n(?P<causes>(?:[ \t]+\S[^\n]*(?:\n|$))+)")
UV_CONFLICT = r"No solution found when resolving dependencies:\n[^\n]*╰─▶ (?P<causes>[^\n]+(?:\n {4,}\S[^\n]*)*)"


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    causes = ""
    for line in (" ".join(line.split()) for line in match.group("causes").splitlines() if line.strip()):
        # pip lists one reason a line; uv wraps its sentences
        causes += (" " if causes.endswith(".") else "; " if causes else "") + line
    return Finding(
        ID,
        f"the project's requirements conflict, on any Python and base image: {causes}",
        evidence=evidence_lines(log, match, before=0, after=0),
        captures={"causes": causes},
        suggestion="loosen one of the conflicting pins (the resolver's reasons above name them) and build again",
    )


RULE = Rule(
    id=ID,
    name="requirements-conflict",
    kind="report",
    summary="The project's requirements contradict each other (the resolver finds no release set)",
    explanation=__doc__,
    case="pip-requirements-conflict",
    log=regex(PIP_CONFLICT, UV_CONFLICT),
    from_log=from_log,
    conclusive=True,  # the same pins fail in every layout: no rewrite is tried
)
