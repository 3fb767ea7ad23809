"""Shared fixtures: the real engine (required in CI), corpus cases, and cleanup of what the tests create."""

from __future__ import annotations

import datetime
import os
import shutil
from pathlib import Path

import pytest

from corpus_cases import CORPUS  # noqa: F401 (the tests' one name for it)

ROOT = Path(__file__).resolve().parents[1]
CREATED_IMAGES: list[str] = []  # intermediate images kept as cache during the session, removed at its end
CREATED_CACHE: list[str] = []  # BuildKit cache records kept likewise, pruned at its end


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/engine/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.engine)


@pytest.fixture(scope="session")
def engine():
    """A Docker engine that answers; without one the test fails under DOCKERFIX_REQUIRE_ENGINE=1, else skips."""
    from dockerfix.build.engine import engine_client
    from dockerfix.errors import EngineUnavailable

    try:
        client = engine_client()
    except EngineUnavailable as exc:
        if os.environ.get("DOCKERFIX_REQUIRE_ENGINE") == "1":
            pytest.fail(f"DOCKERFIX_REQUIRE_ENGINE=1 but {exc}")
        pytest.skip(str(exc))
    yield client
    _remove_leftovers(client)


def _remove_leftovers(client) -> None:
    from docker.errors import DockerException

    from dockerfix.build import MANAGED_LABEL
    from dockerfix.build.engine import prune_build_cache

    # Only what this session recorded: another session on the same engine may be using its own images now.
    for image_id in reversed(CREATED_IMAGES):
        try:
            client.images.remove(image_id)
        except DockerException:
            pass
    prune_build_cache(client, list(reversed(CREATED_CACHE)))  # the newest first
    # An exited dockerfix container is a leak whoever made it (verification removes its own): sweep those, but only
    # old ones: a verification of another run on this engine inspects its container for seconds after it exits.
    stale = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=10)
    for container in client.containers.list(all=True, filters={"label": MANAGED_LABEL, "status": "exited"}):
        finished = container.attrs.get("State", {}).get("FinishedAt", "")
        try:
            if datetime.datetime.fromisoformat(finished[:19]).replace(tzinfo=datetime.timezone.utc) < stale:
                container.remove(force=True)
        except (DockerException, ValueError):
            pass


def keep_for_cleanup(result) -> None:
    """Record a repair's or a build's intermediate images (and its image) and BuildKit cache records; the engine
    fixture removes them at the end."""
    CREATED_IMAGES.extend(result.created_images)
    CREATED_CACHE.extend(result.created_cache)


@pytest.fixture
def project_copy(tmp_path):
    """Copy a directory into tmp_path and return the copy (tests never touch the corpus itself)."""

    def copy(source: Path) -> Path:
        target = tmp_path / source.name
        shutil.copytree(source, target, symlinks=True)
        return target

    return copy
