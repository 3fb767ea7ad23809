"""The connection to the Docker engine, with the one error every stage reports when there is none (S003-1)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import docker
from docker.errors import DockerException

from dockerfix.build import SELECTED_HOST, BuildResult, docker_host
from dockerfix.errors import EngineUnavailable

ENGINE_TIMEOUT_SECONDS = 600


def engine_client(host: str | None = None) -> docker.DockerClient:
    """A client that has answered a ping; DOCKER_HOST (unix, tcp with DOCKER_TLS_VERIFY, ssh) is honoured.

    `host`, or the one `use_engine` selected for this thread, takes DOCKER_HOST's place; TLS settings still come
    from DOCKER_TLS_VERIFY and DOCKER_CERT_PATH.
    """
    host = host or SELECTED_HOST.get()
    try:
        client = docker.from_env(timeout=ENGINE_TIMEOUT_SECONDS,
                                 environment={**os.environ, "DOCKER_HOST": host} if host else None)
        client.ping()
    except DockerException as exc:
        raise EngineUnavailable(host or docker_host(), _short(exc)) from exc
    except Exception as exc:  # requests/paramiko errors that docker-py does not wrap
        raise EngineUnavailable(host or docker_host(), _short(exc)) from exc
    return client


@contextmanager
def use_engine(host: str | None) -> Iterator[None]:
    """Within the block, every build, verification and cleanup of this thread goes to `host` (None: DOCKER_HOST).

    A context variable, not DOCKER_HOST: the environment is shared by all threads, and a batch runs repairs
    against different engines at the same time; one repair's builds and verification stay on one engine.
    """
    token = SELECTED_HOST.set(host)
    try:
        yield
    finally:
        SELECTED_HOST.reset(token)


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:300]


def remove_images(result: BuildResult, *, keep_cache: bool) -> None:
    """Untag the run's image; unless the cache is kept, remove the intermediate images the build made too."""
    client = engine_client()
    targets = [result.image] if result.image else []
    if not keep_cache:
        targets += list(reversed(result.created_images))
    for target in targets:
        try:
            client.images.remove(target, noprune=keep_cache)
        except DockerException:
            pass  # already gone, or a parent still used by a kept image: nothing of ours to free
