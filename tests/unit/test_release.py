"""Which Debian release a base image runs, from its tag."""

from __future__ import annotations

import pytest

from dockerfix.analyse.release import python_default_release, release_of_image, stated_release


@pytest.mark.parametrize("image, release", [
    ("python:3.12-slim", "trixie"), ("python:3.12", "trixie"), ("python:3.8-slim", "bookworm"),
    ("python:3.11-slim-bookworm", "bookworm"), ("docker.io/library/python:3.13-slim-trixie", "trixie"),
    ("python:3.9.18-slim-bullseye", "bullseye"), ("python:latest", "trixie"), ("python:slim", "trixie"),
    ("debian:12", "bookworm"), ("debian:13-slim", "trixie"), ("debian:12.5", "bookworm"), ("debian:bookworm-slim", "bookworm"),
    ("debian:trixie", "trixie"), ("debian:stable-slim", "trixie"), ("debian", "trixie"), ("debian:11", "bullseye"),
    ("ubuntu:22.04", "jammy"), ("ubuntu:noble", "noble"), ("ubuntu", "noble"),
    ("python:3.12-alpine", None), ("myorg/base:1", None), ("python:${PY}-slim", None),
])
def test_release_of_image(image, release):
    assert release_of_image(image) == release


def test_stated_release_only_when_the_tag_says_it():
    assert stated_release("python:3.12-slim") is None
    assert stated_release("python:3.12-slim-bookworm") == "bookworm"
    assert stated_release("debian:13") == "trixie"


def test_python_default_release():
    assert python_default_release("3.8") == "bookworm"
    assert python_default_release("3.13") == "trixie"
    assert python_default_release("3.14") == "trixie"
