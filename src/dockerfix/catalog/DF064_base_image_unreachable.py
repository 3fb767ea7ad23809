"""A base image is not on the engine and no registry answers: the build stops at its FROM, environment-blocked.

What it catches: the classic builder's `Step 1/3 : FROM python:3.14-slim` followed by `Get
"https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io ...: no such host`; BuildKit's
`[internal] load metadata for docker.io/library/node:20-slim` followed by `ERROR: failed to do request: Head
"https://registry-1.docker.io/v2/library/node/manifests/20-slim": dial tcp: ...` (or, on newer engines,
`failed to solve: python:3.14-slim: failed to resolve source metadata for ...`); BuildKit's `resolve image config
for docker.io/docker/dockerfile:1` for the frontend a `# syntax=` line names. The registry's host does not resolve, refuses, times out or is
not trusted (x509). In a multi-stage Dockerfile the image named is the one whose FROM failed, not the
first stage's (which the engine may have). DF071 is the registry's answer that the image is not there (a tag or repository gone).
Why it breaks: an engine builds FROM an image it has; one it lacks it pulls from the image's registry (Docker
Hub for `python:3.14-slim` and `node:20-slim`, ghcr.io, a private registry). An offline or air-gapped engine,
a CI runner without a registry mirror, or a registry outage leaves nothing to pull. The Dockerfile is not
wrong, and moving it to an image the engine happens to have would change what the user builds.
The fix: none in the Dockerfile. The finding is conclusive and environment-blocked: no rule is tried, no
edit is made, and the repair fails environment-blocked (`blocked` in the JSON report), naming the image
and the registry. Pull or load the image
(`docker pull`, `docker load`), configure a registry mirror, or repair where the registry answers.
"""

from __future__ import annotations

import re

from dockerfix.catalog.patterns import GO_UNREACHABLE
from dockerfix.catalog.rule import Context, Finding, Location, Rule, evidence_lines, regex

REGISTRY_FAILURE = rf'[^\n]*https://(?P<registry>[^/\s"]+)/v2/[^\n]*?(?P<reason>{GO_UNREACHABLE})[^\n]*'
DEFAULT_NAMESPACE = re.compile(r"^docker\.io/(?:library/)?")
# BuildKit looks up every stage's image at once; the error follows its own lookup, not the first one
IMAGE_LOOKUP = "(?:load metadata|resolve image config)"


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    image = DEFAULT_NAMESPACE.sub("", match.group("image"))
    registry, reason = match.group("registry"), match.group("reason")
    dockerfile = context.project.dockerfile
    what, line = image, None
    if dockerfile:
        stage = next((s for s in dockerfile.stages if DEFAULT_NAMESPACE.sub("", s.base) == image), None)
        frontend = next((n for n, (key, value) in enumerate(dockerfile.directives, 1)
                         if key == "syntax" and DEFAULT_NAMESPACE.sub("", value) == image), None)
        if frontend:
            what, line = f"the Dockerfile frontend {image} (its `# syntax=` line)", frontend
        elif stage:
            line = stage.instructions[0].line
    return Finding(
        rule=RULE.id,
        message=f"{what} is not on this engine and no registry answers ({registry}: {reason}); "
                "with a registry it would be pulled",
        evidence=evidence_lines(log, match, before=0),
        location=Location(context.dockerfile_path, line) if line else None,
        captures={"image": image, "registry": registry, "reason": reason},
    )


RULE = Rule(
    id="DF064",
    name="base-image-unreachable",
    kind="report",
    summary="A base image is not on the engine and no registry answers (environment-blocked)",
    explanation=__doc__,
    case="blocked-python-314",
    log=regex(
        rf"^Step \d+/\d+ : FROM (?P<image>\S+)[^\n]*\n(?:(?!Step \d)[^\n]*\n){{0,2}}?{REGISTRY_FAILURE}",  # classic builder
        rf"{IMAGE_LOOKUP} for (?P<image>\S+)\n(?:(?![^\n]*{IMAGE_LOOKUP})[^\n]*\n){{0,3}}?[^\n]*ERROR: {REGISTRY_FAILURE}",  # BuildKit
        rf"failed to solve: (?P<image>\S+?): {REGISTRY_FAILURE}",  # BuildKit 0.11+, its last line alone
    ),
    from_log=from_log,
    conclusive=True,
    environment=True,
)
