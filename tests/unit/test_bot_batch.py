"""`dockerfix batch` without an engine: list parsing, names, clones, round-robin engines pinned per thread, reports.

The engine test runs real repairs; here a stand-in repair records which engine its thread selected."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from bot_fixtures import checkout_with_remote, git
from conftest import CORPUS
from dockerfix.bot.batch import name_entries, read_list, run_batch
from dockerfix.build import SELECTED_HOST, docker_host
from dockerfix.cli import main
from dockerfix.model import BuildStarted
from dockerfix.repair import BuildRecord, Options, RepairResult

PROJECT = CORPUS / "s000-1-lock-ignored" / "project"
HOSTS = ["unix:///var/run/docker.sock", "tcp://engine-2.example:2376"]


def test_read_list_skips_blanks_and_comments():
    assert read_list("# repositories\n\n./a\n  https://example.com/x/b.git  \n# ./c\n") == ["./a", "https://example.com/x/b.git"]


def test_names_are_unique_and_never_the_summary():
    entries = name_entries(["/src/app", "/other/app/", "git@github.com:acme/app.git", "https://h/x/summary.git",
                            "https://h/x/we ird.git"])
    assert [e.name for e in entries] == ["app", "app-2", "app-3", "summary-2", "we-ird"]


class RecordingRepair:
    """Stands in for the repair: records the engine each thread selected; the first two must run at the same time."""

    def __init__(self) -> None:
        self.together = threading.Barrier(2, timeout=20)
        self.lock = threading.Lock()
        self.hosts: dict[str, tuple[str | None, str]] = {}
        self.options: list[Options] = []

    def __call__(self, root, options):
        root = Path(root)
        if root.name == "broken":
            raise RuntimeError("a bug in one repair")
        with self.lock:
            first_two = len(self.options) < 2
            self.options.append(options)
        if first_two:
            self.together.wait()
        self.hosts[f"{root.parent.name}/{root.name}"] = (SELECTED_HOST.get(), docker_host())
        options.on_event(BuildStarted(1, "sdk", "given by the caller", "Dockerfile"))
        return RepairResult("ok", root, "rewrite", (), (BuildRecord(1, True, 1.0, "sdk"),), None, (), "", False)


@pytest.fixture
def engines(monkeypatch):
    pinged: list[str | None] = []
    monkeypatch.setattr("dockerfix.bot.batch.engine_client", lambda host=None: pinged.append(host))
    return pinged


def test_batch_spreads_repairs_over_engines_two_at_a_time(tmp_path, engines, monkeypatch):
    first, second, broken = tmp_path / "one" / "app", tmp_path / "two" / "app", tmp_path / "broken"
    for directory in (first, second, broken, tmp_path / "hosted"):
        directory.mkdir(parents=True)
    _, remote = checkout_with_remote(tmp_path / "hosted", PROJECT)
    repair = RecordingRepair()
    monkeypatch.setattr("dockerfix.bot.batch.repair", repair)
    lines: list[tuple[str, str]] = []

    items = run_batch([str(first), str(second), f"file://{remote}", str(broken), "no/such/dir"],
                      Options(), out_dir=tmp_path / "out", jobs=2, hosts=HOSTS,
                      progress=lambda name, event: lines.append((name, str(event))))

    assert engines == HOSTS  # every engine answered before anything started
    assert [(i.entry.name, i.host, i.status) for i in items] == [
        ("app", HOSTS[0], "ok"), ("app-2", HOSTS[1], "ok"), ("remote", HOSTS[0], "ok"),
        ("broken", HOSTS[1], "error"), ("dir", HOSTS[0], "error")]
    # each repair's thread selected its engine, and what builds and verification connect to is that engine
    assert repair.hosts == {"one/app": (HOSTS[0], HOSTS[0]), "two/app": (HOSTS[1], HOSTS[1]),
                            "checkouts/remote": (HOSTS[0], HOSTS[0])}
    assert SELECTED_HOST.get() is None  # nothing leaks into the caller's thread
    assert not any(options.write for options in repair.options)  # a batch writes only when asked
    assert (tmp_path / "out" / "checkouts" / "remote" / "pyproject.toml").is_file()
    assert ("remote", "build 1 (sdk: given by the caller; Dockerfile)") in lines
    for item in items:
        assert item.report.is_file() and json.loads(item.json_report.read_text())["status"] == item.status
    assert "RuntimeError: a bug in one repair" in items[3].report.read_text()
    assert "is neither a directory nor a clone URL" in items[4].message
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "0 repaired, 3 ok, 0 failed, 2 error" in summary
    assert "| app-2 | tcp://engine-2.example:2376 | ok | 1 |" in summary
    assert [r["name"] for r in json.loads((tmp_path / "out" / "summary.json").read_text())["repositories"]] == [
        "app", "app-2", "remote", "broken", "dir"]


def test_clones_are_refreshed_on_the_next_batch(tmp_path, engines, monkeypatch):
    clone, remote = checkout_with_remote(tmp_path, PROJECT)
    monkeypatch.setattr("dockerfix.bot.batch.repair",
                        lambda root, options: RepairResult("ok", Path(root), "rewrite", (), (), None, (), "", False))
    run_batch([f"file://{remote}"], Options(), out_dir=tmp_path / "out")
    cloned = tmp_path / "out" / "checkouts" / "remote"
    (cloned / "leftover.dockerfix-orig").write_text("from an earlier --write\n")
    (clone / "NEWS").write_text("news\n")
    git(clone, "add", "NEWS")
    git(clone, "commit", "--quiet", "-m", "news")
    git(clone, "push", "--quiet", "origin", "main")
    run_batch([f"file://{remote}"], Options(), out_dir=tmp_path / "out")
    assert (cloned / "NEWS").is_file() and not (cloned / "leftover.dockerfix-orig").exists()


def test_cli_batch_prints_the_summary_and_exits_1_when_one_fails(tmp_path, engines, monkeypatch, capsys):
    (tmp_path / "a").mkdir()
    listing = tmp_path / "repos.txt"
    listing.write_text(f"# two repositories\n{tmp_path / 'a'}\n{tmp_path / 'missing'}\n")
    calls: list[Options] = []

    def fake(root, options):
        calls.append(options)
        return RepairResult("repaired", Path(root), "minimal", (), (), None, ("Dockerfile",), "", options.write)

    monkeypatch.setattr("dockerfix.bot.batch.repair", fake)
    code = main(["batch", str(listing), "--out", str(tmp_path / "out"), "-j", "2", "--docker-host", HOSTS[1],
                 "--strategy", "minimal", "--write"])
    assert code == 1
    assert calls[0].write and calls[0].strategy == "minimal" and engines == [HOSTS[1]]
    output = capsys.readouterr().out
    assert "| a | tcp://engine-2.example:2376 | repaired |" in output and "| missing |" in output
    assert main(["batch", str(tmp_path / "empty.txt")]) == 2


def test_engine_client_and_use_engine_pin_the_host(monkeypatch):
    from dockerfix.build import engine
    from dockerfix.errors import EngineUnavailable

    environments = []

    class Client:
        def ping(self):
            raise ConnectionError("refused")

    def from_env(timeout, environment=None):
        environments.append(environment)
        return Client()

    monkeypatch.setattr(engine.docker, "from_env", from_env)
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    with pytest.raises(EngineUnavailable, match="tcp://engine-2"):
        engine.engine_client(HOSTS[1])
    assert environments[-1]["DOCKER_HOST"] == HOSTS[1] and environments[-1]["DOCKER_TLS_VERIFY"] == "1"
    with engine.use_engine("ssh://builder@engine-3"):
        with pytest.raises(EngineUnavailable, match="ssh://builder@engine-3"):
            engine.engine_client()
        seen_by_other_thread = []
        worker = threading.Thread(target=lambda: seen_by_other_thread.append(SELECTED_HOST.get()))
        worker.start()
        worker.join()
    assert environments[-1]["DOCKER_HOST"] == "ssh://builder@engine-3" and seen_by_other_thread == [None]
    with pytest.raises(EngineUnavailable):
        engine.engine_client()
    assert environments[-1] is None  # the default: docker.from_env reads the environment itself


def test_buildkit_cli_builds_on_the_selected_engine(tmp_path, monkeypatch):
    from dockerfix.analyse.dockerfile import parse_dockerfile
    from dockerfix.build import buildkit, engine

    (tmp_path / "Dockerfile").write_text("FROM python:3.11-slim\n")
    environments = []

    class Stop(Exception):
        pass

    def popen(argv, **kwargs):
        environments.append(kwargs["env"])
        raise Stop

    monkeypatch.setattr(buildkit, "engine_client", lambda: None)
    monkeypatch.setattr(buildkit, "build_cache_records", lambda client: {})
    monkeypatch.setattr(buildkit.subprocess, "Popen", popen)
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    dockerfile = parse_dockerfile("Dockerfile", (tmp_path / "Dockerfile").read_text())
    for host in (HOSTS[1], None):
        with engine.use_engine(host), pytest.raises(Stop):
            buildkit.BuildKitBackend().build(tmp_path, {}, dockerfile, tag="t:1", labels={})
    assert environments[0]["DOCKER_HOST"] == HOSTS[1] and "DOCKER_HOST" not in environments[1]
