"""Which Debian (or Ubuntu) release a base image runs, read from its tag.

The official images say it in the tag (`python:3.12-slim-bookworm`, `debian:13`, `ubuntu:22.04`) or imply it:
plain `python:X.Y-slim` and `python:X.Y` follow Debian's stable release, trixie since August 2025, except
the versions whose images ended before trixie (3.8 stays bookworm; tables/python_versions.toml says which). When the tag says nothing dockerfix can
read (`FROM $BASE`, another image), the answer is None and the caller asks the engine (`/etc/os-release`).
"""

from __future__ import annotations

import re

from dockerfix.model import DockerfileInfo, Stage
from dockerfix.tables.python_versions import python_version

DEBIAN = {"buster": "10", "bullseye": "11", "bookworm": "12", "trixie": "13", "forky": "14"}
DEBIAN_BY_VERSION = {version: codename for codename, version in DEBIAN.items()}
DEBIAN_ALIASES = {"latest": "trixie", "stable": "trixie", "oldstable": "bookworm", "oldoldstable": "bullseye"}
UBUNTU = {"focal": "20.04", "jammy": "22.04", "noble": "24.04", "oracular": "24.10", "plucky": "25.04"}
UBUNTU_BY_VERSION = {version: codename for codename, version in UBUNTU.items()}
UBUNTU_LATEST = "noble"
CURRENT_DEBIAN = "trixie"
# a python tag that names no X.Y and follows the newest release: python, python:3, python:latest, python:3-slim, python:slim
FLOATING_TAG = re.compile(r"^(?P<image>(?:docker\.io/)?(?:library/)?python)(?::(?:latest|3(?:-(?P<variant3>[a-z][\w.-]*))?"
                          r"|(?!latest$)(?P<variant>[a-z][\w.-]*)))?$")
_IMAGE = re.compile(r"^(?:docker\.io/)?(?:library/)?(?P<name>python|debian|ubuntu)(?::(?P<tag>[\w.-]+))?(?:@\S+)?$")
_NOT_DEBIAN = re.compile(r"alpine|windows|nanoserver", re.IGNORECASE)


def python_default_release(version: str) -> str:
    """The Debian release of the plain `python:X.Y[-slim]` tag (tables/python_versions.toml), or the current one
    for a version the table does not list yet."""
    series = ".".join(re.findall(r"\d+", version)[:2])
    row = python_version(series)
    return row.debian if row else CURRENT_DEBIAN


def stated_release(image: str) -> str | None:
    """The release an official image's tag names itself (`-bookworm`, `debian:12`, `ubuntu:22.04`), else None."""
    match = _IMAGE.match(image.strip())
    if match is None:
        return None
    tag = match.group("tag") or ""
    words = tag.split("-")
    named = next((word for word in words if word in DEBIAN or word in UBUNTU), None)
    if named:
        return named
    if match.group("name") == "debian":
        return DEBIAN_BY_VERSION.get(words[0].split(".")[0]) or DEBIAN_ALIASES.get(words[0])
    if match.group("name") == "ubuntu":
        return UBUNTU_BY_VERSION.get(words[0])
    return None


def release_of_image(image: str) -> str | None:
    """The release an official python/debian/ubuntu image runs, as its tag names or implies it; None: unknown."""
    match = _IMAGE.match(image.strip())
    if match is None or _NOT_DEBIAN.search(match.group("tag") or ""):
        return None
    stated = stated_release(image)
    if stated:
        return stated
    tag = match.group("tag") or "latest"
    if match.group("name") == "python":
        version = re.match(r"\d+\.\d+", tag)
        return python_default_release(version.group(0)) if version else CURRENT_DEBIAN
    if match.group("name") == "ubuntu":
        return UBUNTU_LATEST if tag == "latest" else None
    return DEBIAN_ALIASES.get(tag)


def is_debian(release: str | None) -> bool:
    return release in DEBIAN


def parent_stage(dockerfile: DockerfileInfo, stage: Stage) -> Stage | None:
    """The earlier stage this one is built FROM, if it is."""
    return next((s for s in dockerfile.stages[: stage.index] if s.name and s.name == stage.base), None)


def base_image(dockerfile: DockerfileInfo, stage: Stage) -> str:
    """The image a stage starts from, following `FROM <earlier stage>`."""
    parent = parent_stage(dockerfile, stage)
    return base_image(dockerfile, parent) if parent else stage.base
