"""Bot mode on the real engine: `pr` against a bare remote on disk and the GitHub API double, and `batch` over
corpus cases two at a time on two addresses of the engine."""

from __future__ import annotations

import shutil
import uuid

from bot_fixtures import FakeGitHub, checkout_with_remote, git
from conftest import CORPUS, keep_for_cleanup
from corpus_cases import load_cases
from dockerfix.bot.batch import run_batch
from dockerfix.bot.body import pull_title
from dockerfix.bot.github import token_from_environment
from dockerfix.bot.pr import PrSettings, open_pull_request
from dockerfix.build import MANAGED_LABEL
from dockerfix.repair import Options
from dockerfix.report import to_json, to_markdown

TOKEN = "tok-3c9d1e7f5a2b"  # no recognisable token shape: only the environment-based redaction can catch it
PR_CASE = "s000-1-lock-ignored"  # the minimal strategy repairs it with a .dockerignore edit (DF001)
BATCH_CASES = ("s000-1-lock-ignored", "s000-2-uv-prod-flag", "s000-5-uv-no-venv")
ENGINE_ADDRESSES = ["unix:///var/run/docker.sock", "unix:///run/docker.sock"]  # one engine, two hosts to spread over


def test_pr_opens_then_keeps_one_pull_request(engine, tmp_path, monkeypatch, capsys):
    clone, remote = checkout_with_remote(tmp_path, CORPUS / PR_CASE / "project")
    monkeypatch.setenv("DOCKERFIX_GITHUB_TOKEN", TOKEN)
    progress: list[str] = []
    options = Options(strategy="minimal", keep_cache=True, on_event=lambda event: progress.append(str(event)))
    head, files = git(clone, "rev-parse", "HEAD"), {p: p.read_bytes() for p in clone.rglob("*") if p.is_file()}

    with FakeGitHub(TOKEN, "acme", "dealer") as github:
        settings = PrSettings(repo="acme/dealer", labels=("docker", "dockerfix"), api_url=github.url)
        first = open_pull_request(clone, settings, options, token=token_from_environment())
        keep_for_cleanup(first.result)
        second = open_pull_request(clone, settings, options, token=token_from_environment())
        keep_for_cleanup(second.result)
        github.items[1]["state"] = "closed"  # the reviewer declines it: the same fix is not proposed again
        third = open_pull_request(clone, settings, options, token=token_from_environment())
        keep_for_cleanup(third.result)

    assert (first.action, first.number) == ("opened", 1), first.result.message
    assert (second.action, second.number) == ("unchanged", 1)  # the same fix again: no push, no second PR
    assert (third.action, third.number) == ("declined", 1)
    pulls, issues = "GET /repos/acme/dealer/pulls", "GET /repos/acme/dealer/issues"
    assert [f"{r.method} {r.path}" for r in github.requests] == [
        pulls, pulls, "POST /repos/acme/dealer/pulls", "POST /repos/acme/dealer/issues/1/labels", issues,
        pulls, issues, pulls, pulls]
    lookup, _, create, labels, *_ = github.requests
    assert lookup.query == {"head": "acme:dockerfix/repair", "state": "open", "per_page": "100"}
    assert (create.body["head"], create.body["base"]) == ("dockerfix/repair", "main")
    assert create.body["title"] == pull_title(first.result, "") and create.body["title"].startswith("Fix the Docker build: ")
    body = create.body["body"]
    for section in ("### What broke", "| 1 | DF001 |", "### Why", "### What changed", "### How it was verified",
                    "- Build 1 (sdk,", "): passed", "✓ ", "- Image: ", " MB, ",
                    "<details><summary>Troubleshooting log</summary>", "# dockerfix: Repaired"):
        assert section in body, section
    assert labels.body == ["docker", "dockerfix"]
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in github.requests)

    tip = git(remote, "rev-parse", "refs/heads/dockerfix/repair")
    assert first.commit == second.commit == tip and git(remote, "rev-parse", f"{tip}^") == head
    # the commit holds exactly the repair's edits (DF001's .dockerignore line, and whatever else the catalog fixed)
    assert git(remote, "diff", "--name-only", "main", tip).splitlines() == sorted(first.result.changed_files)
    assert "!poetry.lock" in git(remote, "show", f"{tip}:.dockerignore")
    assert all(git(remote, "show", f"{tip}:{path}") == text.rstrip("\n") for path, text in first.result.files.items())
    # the user's checkout ends as it started
    assert git(clone, "symbolic-ref", "--short", "HEAD") == "main" and git(clone, "rev-parse", "HEAD") == head
    assert git(clone, "status", "--porcelain") == ""
    assert {p: p.read_bytes() for p in clone.rglob("*") if p.is_file() and ".git" not in p.parts} == {
        p: data for p, data in files.items() if ".git" not in p.parts}

    output = capsys.readouterr()
    everything = [output.out, output.err, *progress, body, create.body["title"], first.commit_message,
                  to_markdown(first.result), to_json(first.result), git(remote, "log", "--all", "-p")]
    everything += [p.read_text(errors="replace") for p in clone.rglob("*") if p.is_file() and ".git" not in p.parts]
    assert not any(TOKEN in text for text in everything)


def test_batch_repairs_corpus_cases_two_at_a_time_and_leaves_nothing_behind(engine, tmp_path):
    run = f"bt{uuid.uuid4().hex[:8]}"  # names the copies, hence their image tags dockerfix/<run>-...:<uuid>
    copies = []
    cases = load_cases(BATCH_CASES)
    for case in cases:
        copies.append(tmp_path / f"{run}-{case.name}")
        shutil.copytree(case.directory / "project", copies[-1], symlinks=True)
    before = {p: p.read_bytes() for copy in copies for p in copy.rglob("*") if p.is_file()}

    items = run_batch([str(c) for c in copies], Options(strategy="minimal", keep_cache=True, max_builds=3),
                      out_dir=tmp_path / "out", jobs=2, hosts=ENGINE_ADDRESSES)
    for item in items:
        keep_for_cleanup(item.result)

    assert [i.host for i in items] == [ENGINE_ADDRESSES[0], ENGINE_ADDRESSES[1], ENGINE_ADDRESSES[0]]
    for case, item in zip(cases, items, strict=True):
        assert item.status == case.repair["status"], (case.name, item.message)
        assert set(case.rules) <= set(item.rules), (case.name, item.rules)
        assert item.result.verification.passed
        assert item.report.read_text().startswith("# dockerfix: Repaired") and f'"status": "{item.status}"' in item.json_report.read_text()
    assert {p: p.read_bytes() for copy in copies for p in copy.rglob("*") if p.is_file()} == before  # write=False
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert all(f"| {run}-{case} |" in summary for case in BATCH_CASES)

    ours = f"dockerfix/{run}-"
    images = [i for i in engine.images.list(filters={"label": MANAGED_LABEL}) if any(t.startswith(ours) for t in i.tags)]
    containers = [c for c in engine.containers.list(all=True, filters={"label": MANAGED_LABEL})
                  if c.attrs["Config"]["Image"].startswith(ours)]
    assert images == [] and containers == []
