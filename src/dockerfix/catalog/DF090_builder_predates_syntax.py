"""The engine's builder cannot read the Dockerfile: it uses syntax of a newer builder (heredocs, RUN --mount, ...).

What it catches: Docker 20.10's classic builder refusing the file before any step runs, with
`dockerfile parse error line 5: unknown instruction: SET` where line 5 lies in a heredoc (`RUN <<EOF`), or
`the --mount option requires BuildKit` (also `--chmod`, `--network`, `--security`); BuildKit's own built-in
frontend of that release saying `unknown flag: link` or `checksum` for `COPY --link`, `ADD --checksum`.
Why it breaks: nothing in the file is wrong. It is valid for current Docker (BuildKit, Dockerfile frontend 1.4 and
later), but this engine's builder predates the syntax, and a `# syntax=` frontend image cannot be pulled here.
The fix: none in the file (the user's syntax is kept). Build it with BuildKit (`DOCKER_BUILDKIT=1`, the default
since Docker 23) and a frontend that knows the syntax (`# syntax=docker/dockerfile:1`); the finding names each
construct and its line (`Project.dockerfile.buildkit_features`).
"""

from __future__ import annotations

import re

from dockerfix.catalog.rule import Context, Finding, Location, Rule, regex

ID = "DF090"


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    dockerfile = context.project.dockerfile
    if dockerfile is None or not dockerfile.needs_buildkit:
        return None  # a truly unknown instruction or flag is the file's own error
    features = ", ".join(f"line {line}: {what}" for line, what in dockerfile.buildkit_features)
    return Finding(ID, f"this engine's builder cannot read {dockerfile.path}, which needs BuildKit and a current "
                       f"Dockerfile frontend ({features})",
                   evidence=(match.group(0),), location=Location(dockerfile.path, dockerfile.buildkit_features[0][0]))


RULE = Rule(
    id=ID,
    name="builder-predates-syntax",
    kind="report",
    summary="The engine's builder predates the Dockerfile's syntax (heredocs, RUN --mount, COPY --link)",
    explanation=__doc__,
    case="heredoc-classic-builder",
    log=regex(r"(?i)dockerfile parse error (?:on )?line \d+: unknown (?:instruction|flag): \S+",
              r"the --[a-z-]+ option requires BuildKit"),
    from_log=from_log,
    conclusive=True,
)
