"""The base image of a FROM cannot be pulled: the repository or tag is gone, renamed, private, or its registry
does not answer.

What it catches: BuildKit's `failed to solve: java:7: docker.io/library/java:7: not found` and `pull access
denied, repository does not exist or may require authorization`, the classic builder's `manifest for X not
found: manifest unknown` and `pull access denied for X`, and a registry host that does not resolve
(`failed to do request: Head "https://r.example/v2/...": dial tcp: lookup r.example: no such host`).
Why it breaks: official images are deprecated and removed (`java`, `vault` moved to `hashicorp/vault`),
tags of end-of-life releases are deleted (`nvidia/cuda:8.0-devel-ubuntu16.04`), personal repositories are
deleted or made private, and registries move. The Dockerfile names an image nobody serves any more.
The fix: none automatic: which image replaces it is a choice. The suggestion names the FROM line and the image,
and, when the registry itself was not reached, says so (a network or login problem, not a missing image).
"""

from __future__ import annotations

import re

from dockerfix.catalog.rule import Context, Finding, Location, Rule, evidence_lines, regex

ID = "DF071"
NOT_FOUND = r"failed to solve: (?:failed to load cache key: )?(?P<image>[^\s:]+(?::[\w.-]+)?): (?:\S+: )?not found$"
DENIED = (r"(?:failed to solve: (?P<image>\S+?): pull access denied|pull access denied for (?P<image2>[^,\s]+))"
          r"[, ]+repository does not exist or may require")
MANIFEST = r"manifest for (?P<image3>\S+) not found: manifest unknown"
REGISTRY = (r"failed to solve: (?P<image4>\S+?): (?:failed to do request: \S+ \"https://(?P<host>[^/\"]+)[^\n]*no such host"
            r"|pulling from host (?P<host2>\S+) failed)")


def _image(match: re.Match[str]) -> str:
    groups = match.groupdict()
    return next(groups[k] for k in ("image", "image2", "image3", "image4") if groups.get(k))


def _from_line(context: Context, image: str) -> Location | None:
    dockerfile = context.project.dockerfile
    if dockerfile is None:
        return None
    bare = image.removeprefix("docker.io/").removeprefix("library/")
    for instruction in dockerfile.instructions:
        words = [w for w in instruction.value.split() if not w.startswith("--")]
        if instruction.keyword == "FROM" and words and words[0].removeprefix("docker.io/").removeprefix("library/") in (
                bare, bare.split(":")[0]):
            return Location(context.dockerfile_path, instruction.line)
    return None


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    image = _image(match)
    host = match.groupdict().get("host") or match.groupdict().get("host2")
    location = _from_line(context, image)
    line = f"`FROM {image}`" + (f" ({location})" if location else "")
    if host:
        message = f"the registry {host} of the base image {image} did not answer"
        suggestion = (f"{line}: check that {host} still serves the image and is reachable (DNS, proxy, login); "
                      "if the registry is gone, move to the image's new home")
    else:
        message = f"the base image {image} does not exist (any more) or is private"
        suggestion = (f"{line}: the repository or tag is gone; move to a maintained image or a tag that exists "
                      "(`docker pull` it to check), or `docker login` when it is private")
    return Finding(ID, message, evidence=evidence_lines(log, match, before=0, after=0), location=location,
                   suggestion=suggestion, captures={"image": image, "host": host or ""})


RULE = Rule(
    id=ID,
    name="base-image-unavailable",
    kind="report",
    summary="A FROM names an image (or tag) that cannot be pulled",
    explanation=__doc__,
    case="base-image-gone",
    log=regex(NOT_FOUND, DENIED, MANIFEST, REGISTRY),
    from_log=from_log,
    applicability="suggestion",
)
