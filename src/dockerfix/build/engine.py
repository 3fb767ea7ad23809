"""The connection to the Docker engine, with the one error every stage reports when there is none (S003-1)."""

from __future__ import annotations

import functools
import io
import os
import re
import tarfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import docker
from docker.errors import APIError, DockerException

from dockerfix.build import MANAGED_LABEL, SELECTED_HOST, BuildResult, docker_host
from dockerfix.errors import EngineUnavailable

ENGINE_TIMEOUT_SECONDS = 600
DISK_USAGE_WAIT_SECONDS = 120  # a df on a busy engine with many images takes seconds; several may queue


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


def image_pythons(images: Iterable[str]) -> dict[str, str]:
    """The Python X.Y each of these local images runs (its PYTHON_VERSION, as the official images set it); images
    the engine does not have, or that say nothing, are left out."""
    found: dict[str, str] = {}
    try:
        client = engine_client()
        for image in images:
            try:
                environment = client.images.get(image).attrs.get("Config", {}).get("Env") or []
            except DockerException:
                continue
            version = next((e.partition("=")[2] for e in environment if e.startswith("PYTHON_VERSION=")), "")
            if re.match(r"\d+\.\d+", version):
                found[image] = ".".join(version.split(".")[:2])
    except EngineUnavailable:
        pass  # the build itself says the engine is gone
    return found


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


@functools.cache
def image_release(image: str) -> str | None:
    """The VERSION_CODENAME of an image the engine has (no pull), from its /usr/lib/os-release (what
    /etc/os-release links to), read from a created, never started, labelled container that is removed at once.
    None: no engine, no such image, or no codename."""
    try:
        container = engine_client().containers.create(image, command=["true"], labels={MANAGED_LABEL: "1"})
    except Exception:  # noqa: BLE001 (no engine, no such image here, or requests' own errors: unknown, not an error)
        return None
    try:
        for path in ("/etc/os-release", "/usr/lib/os-release"):
            try:
                stream, _ = container.get_archive(path)
            except DockerException:
                continue
            with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as archive:
                member = next((m for m in archive.getmembers() if m.isfile()), None)
                extracted = archive.extractfile(member) if member else None
                text = extracted.read().decode("utf-8", "replace") if extracted else ""
            if codename := re.search(r"^VERSION_CODENAME=\"?(\w+)", text, re.MULTILINE):
                return codename.group(1)
        return None
    finally:
        container.remove(force=True)


BUILDKIT_DEFAULT_MAJOR = 23  # Docker 23.0 made BuildKit the default builder of `docker build` on Linux


def engine_builder_default() -> tuple[str, str]:
    """(backend, why): the builder the engine's own `docker build` uses: DOCKER_BUILDKIT when set, else BuildKit
    from Docker 23 on. The Docker API itself still builds with the classic builder, which is why this is asked."""
    setting = os.environ.get("DOCKER_BUILDKIT", "").strip().lower()
    if setting in ("1", "true"):
        return "buildkit", "DOCKER_BUILDKIT=1 in the environment"
    if setting in ("0", "false"):
        return "sdk", "DOCKER_BUILDKIT=0 in the environment"
    version = _server_version(SELECTED_HOST.get() or docker_host())
    if version is None:
        return "sdk", "the classic builder (the engine did not say its version)"
    major = re.match(r"\d+", version)
    if major and int(major.group(0)) >= BUILDKIT_DEFAULT_MAJOR:
        return "buildkit", f"Docker {version} builds with BuildKit by default"
    return "sdk", f"Docker {version} builds with the classic builder by default"


@functools.lru_cache(maxsize=16)
def _server_version(host: str) -> str | None:
    try:
        version = engine_client(host).version().get("Version")
    except (EngineUnavailable, DockerException):
        return None  # the build itself then says that no engine answers
    return str(version) if version else None


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:300]


def remove_build(result: BuildResult, *, keep_cache: bool) -> None:
    """Untag the run's image; unless the cache is kept, remove what the build cached too (images, BuildKit records)."""
    client = engine_client()
    targets = [result.image] if result.image else []
    if not keep_cache:
        targets += list(reversed(result.created_images))
    for target in targets:
        try:
            client.images.remove(target, noprune=keep_cache)
        except DockerException:
            pass  # already gone, or a parent still used by a kept image: nothing of ours to free
    if not keep_cache:
        prune_build_cache(client, result.created_cache)


def build_cache_records(client: docker.DockerClient) -> dict[str, str]:
    """The engine's BuildKit cache records, id → creation time (none where BuildKit never ran)."""
    return {record["ID"]: record.get("CreatedAt", "") for record in _disk_usage(client).get("BuildCache") or []}


def _disk_usage(client: docker.DockerClient) -> dict:
    """`docker system df`. Docker 20.10 runs one at a time and refuses the others ("a disk usage operation is
    already running"), so builds running side by side (batch mode) wait their turn."""
    deadline = time.monotonic() + DISK_USAGE_WAIT_SECONDS
    while True:
        try:
            return client.df()
        except APIError as exc:
            if "disk usage operation is already running" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def new_cache_records(client: docker.DockerClient, before: dict[str, str]) -> tuple[str, ...]:
    """The records made since `before`, newest first.

    BuildKit cache cannot be labelled on Docker 20.10, so what a build made is told by difference. A build
    running at the same time on the same engine may add records in that window too; pruning one of those only
    costs that build a cache miss (a record in use is never pruned).
    """
    after = build_cache_records(client)
    return tuple(sorted((record for record in after if record not in before), key=after.__getitem__, reverse=True))


def prune_build_cache(client: docker.DockerClient, records: tuple[str, ...] | list[str]) -> None:
    """Prune these BuildKit cache records. A record goes only after the records made from it, so newest first,
    and again while a pass frees some (creation times can tie)."""
    remaining = list(records)
    while remaining:
        left = [record for record in remaining if not _prune_record(client, record)]
        if len(left) == len(remaining):
            return  # in use, or already gone
        remaining = left


def _prune_record(client: docker.DockerClient, record: str) -> bool:
    try:  # one id a call: the engine refuses several values for one filter
        answer = client.api.prune_builds(filters={"id": record}, all=True)
    except DockerException:
        return False
    return bool(answer and answer.get("CachesDeleted"))
