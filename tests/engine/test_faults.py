"""Faults injected on the real engine: the connection cut mid-build, Ctrl-C during a build.

Each must end with its own diagnosis (or a clean interrupt), the project's files as they were, and none of
dockerfix's containers or images left on the engine.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from conftest import CORPUS
from dockerfix.model import BuildOutput, Event
from dockerfix.repair import Options, repair

SLOW_DOCKERFILE = "FROM python:3.11-slim\nRUN useradd --create-home app\nRUN sleep 30\nUSER app\nCMD [\"python\", \"-V\"]\n"


class CuttingProxy:
    """Forwards 127.0.0.1:PORT to the engine's unix socket and cuts every connection after `seconds`."""

    def __init__(self, seconds: float, target: str = "/var/run/docker.sock") -> None:
        self.seconds, self.target = seconds, target
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()
            threading.Timer(self.seconds, self._cut, args=(client, upstream)).start()

    @staticmethod
    def _pipe(source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass

    @staticmethod
    def _cut(*sockets) -> None:
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            except OSError:
                pass

    def close(self) -> None:
        self.server.close()


def slow_project(tmp_path):
    root = tmp_path / "slow"
    root.mkdir()
    (root / "Dockerfile").write_text(SLOW_DOCKERFILE)
    return root


def no_sleeping_build_left(engine, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # summaries, not per-container inspects: containers of other builds come and go meanwhile
        running = [c for c in engine.api.containers(all=True) if "sleep 30" in c.get("Command", "")]
        if not running:
            return True
        time.sleep(1)
    return False


def test_engine_connection_cut_mid_build(engine, tmp_path, monkeypatch):
    root = slow_project(tmp_path)
    proxy = CuttingProxy(seconds=4)
    monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{proxy.port}")
    try:
        result = repair(root, Options(strategy="minimal", force=True, build_timeout=60))
    finally:
        proxy.close()
    assert result.status == "failed"
    assert "DF062" in {f.rule for f in result.findings}, (result.findings, result.unknown)
    assert (root / "Dockerfile").read_text() == SLOW_DOCKERFILE
    assert no_sleeping_build_left(engine)


def test_ctrl_c_during_a_build_leaves_the_tree_and_the_engine_clean(engine, tmp_path):
    root = slow_project(tmp_path)
    (root / ".dockerignore").write_text("Dockerfile\n")  # the static pass will want to change nothing; the tree must stay

    def interrupt(event: Event) -> None:
        if isinstance(event, BuildOutput) and "sleep 30" in event.line and event.line.startswith("Step"):
            raise KeyboardInterrupt

    before = {p.name: p.read_text() for p in root.iterdir()}
    with pytest.raises(KeyboardInterrupt):
        repair(root, Options(strategy="minimal", force=True, on_event=interrupt))
    assert {p.name: p.read_text() for p in root.iterdir()} == before
    assert no_sleeping_build_left(engine)


def test_corpus_has_the_fault_cases():
    assert {"fault-network-unreachable", "fault-disk-full", "fault-build-timeout"} <= {p.name for p in CORPUS.iterdir()}
