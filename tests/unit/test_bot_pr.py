"""`dockerfix pr` end to end except the build: a real git checkout with a bare remote on disk, the GitHub API double,
and a stand-in for the repair (the engine test runs the real one)."""

from __future__ import annotations

import difflib
from dataclasses import replace
from pathlib import Path

import pytest

from bot_fixtures import FakeGitHub, checkout_with_remote, git
from conftest import CORPUS
from dockerfix.catalog import BY_ID
from dockerfix.model import Finding
from dockerfix.cli import main
from dockerfix.repair import BuildRecord, RepairResult, Step
from dockerfix.verify import Check, Verification

PROJECT = CORPUS / "s000-1-lock-ignored" / "project"
TOKEN = "tok-5e1f9c2d7a3b"  # no recognisable token shape: only the environment-based redaction can catch it
FIXED_IGNORE = ".git\n__pycache__\n*.lock\n!poetry.lock\n.venv\n"


def repaired(root: Path, dockerignore: str = FIXED_IGNORE) -> RepairResult:
    old = (root / ".dockerignore").read_text()
    diff = "".join(difflib.unified_diff(old.splitlines(True), dockerignore.splitlines(True), "a/.dockerignore", "b/.dockerignore"))
    step = Step(1, "static", "DF001", BY_ID["DF001"].summary,
                ("COPY pyproject.toml poetry.lock /app/", ".dockerignore:3: *.lock"),
                "poetry.lock is copied by Dockerfile:4 but .dockerignore:3 (*.lock) keeps it out of the build context",
                BY_ID["DF001"].explanation.strip(), "re-included poetry.lock after *.lock in .dockerignore")
    verification = Verification(True, (Check("imports", True, "dealer and six import"),
                                       Check("pip-check", True, "no broken requirements")),
                                image_size=152_300_000, layers=9, seconds=3.0)
    return RepairResult("repaired", root, "minimal", (step,), (BuildRecord(1, True, 21.0, "sdk"),), verification,
                        (".dockerignore",), diff, False, seconds=30.0, files={".dockerignore": dockerignore})


def failed(root: Path) -> RepairResult:
    build = BuildRecord(1, False, 9.0, "sdk", "The command '/bin/sh -c pip install nosuchpkg' returned a non-zero code: 1",
                        "Dockerfile:5 RUN pip install nosuchpkg")
    return RepairResult("failed", root, "minimal", (), (build,), None, (), "", False, seconds=12.0,
                        message="unknown failure",
                        unknown=("ERROR: No matching distribution found for nosuchpkg",))


class FakeRepair:
    """Stands in for `dockerfix.repair.repair`; records the options each run got."""

    def __init__(self, make) -> None:
        self.make = make
        self.options = []

    def __call__(self, root, options):
        self.options.append(options)
        return self.make(Path(root))


@pytest.fixture
def checkout(tmp_path):
    return checkout_with_remote(tmp_path, PROJECT)


@pytest.fixture
def github(monkeypatch):
    monkeypatch.setenv("DOCKERFIX_GITHUB_TOKEN", TOKEN)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    with FakeGitHub(TOKEN, "acme", "dealer") as fake:
        yield fake


def run_pr(checkout: Path, github: FakeGitHub, *extra: str) -> int:
    return main(["pr", str(checkout), "--repo", "acme/dealer", "--api-url", github.url, "--label", "docker",
                 "--label", "dockerfix", "-q", *extra])


def state(checkout: Path) -> tuple:
    """Everything about the user's checkout a run must leave alone."""
    files = {p.relative_to(checkout): p.read_bytes() for p in sorted(checkout.rglob("*"))
             if p.is_file() and ".git" not in p.relative_to(checkout).parts}
    return (git(checkout, "symbolic-ref", "HEAD"), git(checkout, "rev-parse", "HEAD"),
            git(checkout, "status", "--porcelain"), (checkout / ".git" / "index").read_bytes(), files)


def calls(github: FakeGitHub) -> list[str]:
    return [f"{r.method} {r.path}" for r in github.requests]


def test_opens_a_pull_request_from_a_commit_on_the_bot_branch(checkout, github, monkeypatch, capsys, tmp_path):
    clone, remote = checkout
    fake = FakeRepair(repaired)
    monkeypatch.setattr("dockerfix.bot.pr.repair", fake)
    before = state(clone)
    report = tmp_path / "report.md"

    assert run_pr(clone, github, "--report", str(report)) == 0

    assert not fake.options[0].write and fake.options[0].strategy == "minimal"
    assert state(clone) == before  # same branch, HEAD, index and files
    assert calls(github) == ["GET /repos/acme/dealer/pulls", "GET /repos/acme/dealer/pulls", "POST /repos/acme/dealer/pulls",
                             "POST /repos/acme/dealer/issues/1/labels", "GET /repos/acme/dealer/issues"]
    lookup, declined, create, labels, _ = github.requests
    assert lookup.query == {"head": "acme:dockerfix/repair", "state": "open", "per_page": "100"}
    assert declined.query["state"] == "closed"  # a fix closed unmerged is not proposed again
    assert create.body["head"] == "dockerfix/repair" and create.body["base"] == "main"
    assert create.body["title"] == "Fix the Docker build: A file the Dockerfile copies is excluded by .dockerignore"
    body = create.body["body"]
    for section in ("### What broke", "### Why", "### What changed", "### How it was verified",
                    "<details><summary>Troubleshooting log</summary>", "| 1 | DF001 |",
                    "the engine only sees the files the client sends", "re-included poetry.lock",
                    "Image: 152.3 MB, 9 layers", "✓ imports", "# dockerfix: Repaired"):
        assert section in body, section
    assert labels.body == ["docker", "dockerfix"]  # the names, as PyGithub sends them
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in github.requests)

    tip = git(remote, "rev-parse", "refs/heads/dockerfix/repair")
    assert git(remote, "rev-parse", f"{tip}^") == git(remote, "rev-parse", "main")
    assert git(remote, "diff", "--name-only", "main", tip) == ".dockerignore"
    assert git(remote, "show", f"{tip}:.dockerignore") + "\n" == FIXED_IGNORE
    assert git(clone, "rev-parse", "refs/heads/dockerfix/repair") == tip  # the local branch, for inspection
    message = git(remote, "log", "-1", "--format=%B", tip)
    assert message.startswith("Fix the Docker build: A file") and "DF001: re-included poetry.lock" in message

    output = capsys.readouterr()
    assert "opened pull request #1" in output.err
    written = [output.out, output.err, body, create.body["title"], report.read_text(),
               git(remote, "log", "--all", "-p", "--format=%H %an %ae%n%B")]
    written += [p.read_text(errors="replace") for p in clone.rglob("*") if p.is_file() and ".git" not in p.parts]
    assert not any(TOKEN in text for text in written)


def test_second_run_updates_the_same_branch_and_pull_request(checkout, github, monkeypatch, capsys):
    clone, remote = checkout
    monkeypatch.setattr("dockerfix.bot.pr.repair", FakeRepair(repaired))
    assert run_pr(clone, github) == 0
    first_tip = git(remote, "rev-parse", "refs/heads/dockerfix/repair")

    assert run_pr(clone, github) == 0  # the same fix: nothing pushed, nothing opened
    assert git(remote, "rev-parse", "refs/heads/dockerfix/repair") == first_tip
    assert calls(github)[5:] == ["GET /repos/acme/dealer/pulls", "GET /repos/acme/dealer/issues"]
    assert "is up to date, nothing changed" in capsys.readouterr().err

    better = FIXED_IGNORE.replace(".venv\n", ".venv\n.env\n")
    monkeypatch.setattr("dockerfix.bot.pr.repair", FakeRepair(lambda root: repaired(root, better)))
    assert run_pr(clone, github) == 0  # a different fix: force-pushed, the same pull request updated
    new_tip = git(remote, "rev-parse", "refs/heads/dockerfix/repair")
    assert new_tip != first_tip and git(remote, "rev-parse", f"{new_tip}^") == git(remote, "rev-parse", "main")
    assert calls(github)[7:] == ["GET /repos/acme/dealer/pulls", "PATCH /repos/acme/dealer/pulls/1",
                                 "POST /repos/acme/dealer/issues/1/labels", "GET /repos/acme/dealer/issues"]
    assert len(github.pulls()) == 1
    assert "updated pull request #1" in capsys.readouterr().err


def test_push_is_refused_when_the_branch_moved_since_it_was_read(checkout, github, monkeypatch, capsys, tmp_path):
    clone, remote = checkout
    monkeypatch.setattr("dockerfix.bot.pr.repair", FakeRepair(repaired))
    assert run_pr(clone, github) == 0
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", str(remote), str(other))

    def someone_pushes_meanwhile(root):
        git(other, "fetch", "--quiet", "origin", "dockerfix/repair")
        git(other, "checkout", "--quiet", "-b", "theirs", "FETCH_HEAD")
        git(other, "commit", "--quiet", "--allow-empty", "-m", "a reviewer's commit")
        git(other, "push", "--quiet", "origin", "theirs:dockerfix/repair")
        return repaired(root, FIXED_IGNORE + ".env\n")

    monkeypatch.setattr("dockerfix.bot.pr.repair", FakeRepair(someone_pushes_meanwhile))
    assert run_pr(clone, github) == 2
    theirs = git(other, "rev-parse", "theirs")
    assert git(remote, "rev-parse", "refs/heads/dockerfix/repair") == theirs  # their commit survives
    assert "stale info" in capsys.readouterr().err


def test_dirty_checkout_is_refused_before_anything_runs(checkout, github, monkeypatch, capsys):
    clone, _ = checkout
    fake = FakeRepair(repaired)
    monkeypatch.setattr("dockerfix.bot.pr.repair", fake)
    (clone / "Dockerfile").write_text((clone / "Dockerfile").read_text() + "# edited\n")
    assert run_pr(clone, github) == 2
    (clone / "Dockerfile").write_text(PROJECT.joinpath("Dockerfile").read_text())
    (clone / "notes.txt").write_text("untracked: it would be in the build context but not in the commit\n")
    assert run_pr(clone, github) == 2
    assert "notes.txt" in capsys.readouterr().err
    assert not fake.options and not github.requests


def test_dry_run_shows_commit_branch_and_pull_request_and_touches_nothing(checkout, github, monkeypatch, capsys):
    clone, remote = checkout
    monkeypatch.delenv("DOCKERFIX_GITHUB_TOKEN")  # a dry run needs no token
    monkeypatch.setattr("dockerfix.bot.pr.repair", FakeRepair(repaired))
    before = state(clone)
    assert run_pr(clone, github, "--dry-run") == 0
    output = capsys.readouterr().out
    assert "branch: dockerfix/repair (from HEAD), base: main" in output
    assert "+!poetry.lock" in output and "pull request title: Fix the Docker build" in output
    assert "### How it was verified" in output and "labels: docker, dockerfix" in output
    assert state(clone) == before and not github.requests
    assert not git(clone, "branch", "--list", "dockerfix/repair") and not git(remote, "branch", "--list", "dockerfix/*")


def test_failed_repair_opens_one_issue_with_the_diagnosis(checkout, github, monkeypatch, capsys):
    clone, remote = checkout
    monkeypatch.setattr("dockerfix.bot.pr.repair", FakeRepair(failed))
    assert run_pr(clone, github) == 1
    assert calls(github) == ["GET /repos/acme/dealer/issues", "POST /repos/acme/dealer/issues"]
    issue = github.requests[1].body
    assert issue["labels"] == ["docker", "dockerfix"]
    assert "fails and dockerfix could not repair it" in issue["title"]
    assert "Dockerfile:5 RUN pip install nosuchpkg" in issue["body"] and "No matching distribution" in issue["body"]
    assert run_pr(clone, github) == 1  # the next failing run updates that issue
    assert calls(github)[2:] == ["GET /repos/acme/dealer/issues", "PATCH /repos/acme/dealer/issues/1"]
    assert len(github.issues()) == 1 and not git(remote, "branch", "--list", "dockerfix/*")
    assert "updated issue #1" in capsys.readouterr().err
    assert run_pr(clone, github, "--on-failure", "nothing") == 1
    assert len(github.requests) == 4


def test_an_environment_blocked_repair_opens_no_issue(checkout, github, monkeypatch, capsys):
    clone, _ = checkout
    image = "python:3.14-slim is not on this engine and no registry answers; with a registry it would be pulled"

    def blocked(root: Path) -> RepairResult:
        return replace(failed(root), message=f"environment-blocked: {image}",
                       findings=(Finding("DF064", image, captures={"image": "python:3.14-slim"}),), unknown=(), blocked=True)

    monkeypatch.setattr("dockerfix.bot.pr.repair", FakeRepair(blocked))
    assert run_pr(clone, github) == 1
    assert not github.requests  # the bot's engine lacked the image: nothing to tell the repository
    assert f"not repaired: environment-blocked: {image}" in capsys.readouterr().err


def test_a_fix_closed_unmerged_is_not_proposed_again_but_a_different_one_is(checkout, github, monkeypatch, capsys):
    clone, remote = checkout
    monkeypatch.setattr("dockerfix.bot.pr.repair", FakeRepair(repaired))
    assert run_pr(clone, github) == 0
    github.items[1]["state"] = "closed"  # the reviewer declined it
    tip = git(remote, "rev-parse", "refs/heads/dockerfix/repair")

    assert run_pr(clone, github) == 0
    assert "not proposed again: pull request #1 with this same fix was closed" in capsys.readouterr().err
    assert len(github.pulls()) == 1 and git(remote, "rev-parse", "refs/heads/dockerfix/repair") == tip

    better = FIXED_IGNORE.replace(".venv\n", ".venv\n.env\n")
    monkeypatch.setattr("dockerfix.bot.pr.repair", FakeRepair(lambda root: repaired(root, better)))
    assert run_pr(clone, github) == 0
    assert "opened pull request #2" in capsys.readouterr().err
    assert git(remote, "show", "dockerfix/repair:.dockerignore") + "\n" == better

    github.items[1]["merged_at"] = "2026-11-22T10:00:00Z"  # a merged pull request never blocks a fix
    github.items[2]["state"] = "closed"
    github.items[2]["merged_at"] = "2026-11-22T11:00:00Z"
    assert run_pr(clone, github) == 0
    assert "opened pull request #3" in capsys.readouterr().err


def test_when_nothing_is_left_to_repair_the_bots_pull_request_and_issue_are_closed(checkout, github, monkeypatch, capsys):
    clone, _ = checkout
    monkeypatch.setattr("dockerfix.bot.pr.repair", FakeRepair(failed))
    assert run_pr(clone, github) == 1  # issue #1
    monkeypatch.setattr("dockerfix.bot.pr.repair", FakeRepair(repaired))
    assert run_pr(clone, github) == 0  # pull request #2, which closes the issue
    issue, pull = github.items[1], github.items[2]
    assert issue["state"] == "closed" and issue["comments"] == ["The build is repaired by pull request #2."]
    assert pull["state"] == "open"
    capsys.readouterr()

    passing = RepairResult("ok", clone, "minimal", (), (BuildRecord(1, True, 20.0, "sdk"),),
                           Verification(True, (Check("imports", True, "dealer imports"),), 1, 1, 1.0), (), "", False)
    monkeypatch.setattr("dockerfix.bot.pr.repair", FakeRepair(lambda root: passing))
    assert run_pr(clone, github) == 0
    assert pull["state"] == "closed" and "now builds and verifies without changes" in pull["comments"][0]
    err = capsys.readouterr().err
    assert "nothing to repair" in err and "closed #2, which this run made obsolete" in err
    assert run_pr(clone, github) == 0  # nothing open any more: nothing closed
    assert "closed #" not in capsys.readouterr().err


@pytest.mark.parametrize("change, message", [
    (lambda clone: None, "no GitHub token in the environment; set DOCKERFIX_GITHUB_TOKEN"),
    (lambda clone: git(clone, "commit", "--quiet", "--allow-empty", "-m", "unpushed"), "HEAD has commits that are not on origin/main"),
    (lambda clone: git(clone, "checkout", "--quiet", "--detach"), "HEAD is detached: pass --base"),
    (lambda clone: git(clone, "checkout", "--quiet", "-b", "dockerfix/repair"), "it is the bot's branch"),
])
def test_bad_checkouts_and_missing_token_exit_2_before_the_repair(checkout, github, monkeypatch, capsys, change, message):
    clone, _ = checkout
    if "no GitHub token" in message:
        monkeypatch.delenv("DOCKERFIX_GITHUB_TOKEN")
    change(clone)
    fake = FakeRepair(repaired)
    monkeypatch.setattr("dockerfix.bot.pr.repair", fake)
    assert run_pr(clone, github) == 2
    assert message in capsys.readouterr().err
    assert not fake.options and not github.requests


def test_project_below_the_top_level_commits_its_own_paths(tmp_path, github, monkeypatch):
    clone, remote = checkout_with_remote(tmp_path, PROJECT, subdir="services/dealer")
    monkeypatch.setattr("dockerfix.bot.pr.repair", FakeRepair(repaired))
    assert run_pr(clone / "services" / "dealer", github) == 0
    assert git(remote, "diff", "--name-only", "main", "dockerfix/repair") == "services/dealer/.dockerignore"
    created = next(r for r in github.requests if f"{r.method} {r.path}" == "POST /repos/acme/dealer/pulls")
    assert created.body["title"].startswith("Fix the Docker build of services/dealer:")


def test_remote_url_names_the_repository(checkout, github, monkeypatch, capsys):
    clone, _ = checkout
    git(clone, "remote", "set-url", "origin", "git@github.com:acme/dealer.git")
    monkeypatch.setattr("dockerfix.bot.pr.repair", FakeRepair(repaired))
    assert main(["pr", str(clone), "--dry-run", "-q"]) == 0  # a dry run reads the remote's URL, never the remote
    assert "would open or update a pull request on acme/dealer" in capsys.readouterr().out
