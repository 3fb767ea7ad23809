"""The bot's git layer: remote URLs → owner/name, and commits that never touch the user's checkout."""

from __future__ import annotations

import os

import pytest

from bot_fixtures import checkout_with_remote, git
from conftest import CORPUS
from dockerfix.bot.git import BOT_EMAIL, Git, GitError, RepoName, parse_repo, repo_from_url

PROJECT = CORPUS / "s000-1-lock-ignored" / "project"


@pytest.mark.parametrize("url, expected", [
    ("https://github.com/acme/dealer.git", RepoName("acme", "dealer")),
    ("https://github.com/acme/dealer", RepoName("acme", "dealer")),
    ("https://x-access-token:abc@github.com/acme/dealer.git/", RepoName("acme", "dealer")),
    ("https://ghe.example.com:8443/acme/dealer.git", RepoName("acme", "dealer")),
    ("git@github.com:acme/dealer.git", RepoName("acme", "dealer")),
    ("github.com:acme/dealer", RepoName("acme", "dealer")),
    ("ssh://git@github.com/acme/dealer.git", RepoName("acme", "dealer")),
    ("/srv/git/dealer.git", None),
    ("../dealer.git", None),
    ("file:///srv/git/acme/dealer.git", None),
])
def test_repo_from_remote_url(url, expected):
    assert repo_from_url(url) == expected


def test_repo_option_must_be_owner_slash_name():
    assert parse_repo("acme/dealer") == RepoName("acme", "dealer")
    for bad in ("acme", "acme/", "/dealer", "acme/dealer/x", "ac me/dealer"):
        with pytest.raises(GitError):
            parse_repo(bad)


def test_not_a_checkout(tmp_path):
    with pytest.raises(GitError, match="not a git checkout"):
        Git(tmp_path)


def test_commit_files_leaves_work_tree_index_and_branch_alone_and_keeps_modes(tmp_path):
    clone, _ = checkout_with_remote(tmp_path, PROJECT)
    (clone / "run.sh").write_text("#!/bin/sh\n")
    (clone / "run.sh").chmod(0o755)
    git(clone, "add", "run.sh")
    git(clone, "commit", "--quiet", "-m", "a script")
    repo = Git(clone / "dealer")  # any directory inside the checkout
    head = repo.head()
    index = (clone / ".git" / "index").read_bytes()

    commit = repo.commit_files(head, {"run.sh": "#!/bin/sh\nexec python -m dealer\n", "new/file.txt": "new\n"},
                               "the message\n")

    assert (commit.parent, repo.head(), repo.current_branch()) == (head, head, "main")
    assert (clone / ".git" / "index").read_bytes() == index and git(clone, "status", "--porcelain") == ""
    assert (clone / "run.sh").read_text() == "#!/bin/sh\n" and not (clone / "new").exists()
    assert git(clone, "ls-tree", commit.sha, "run.sh").startswith("100755 ")
    assert git(clone, "show", f"{commit.sha}:new/file.txt") == "new"
    assert git(clone, "log", "-1", "--format=%B", commit.sha) == "the message"
    assert repo.commit(commit.sha) == commit


def test_bot_identity_only_when_git_has_none(tmp_path, monkeypatch):
    clone, _ = checkout_with_remote(tmp_path, PROJECT)
    repo = Git(clone)
    head = repo.head()
    assert git(clone, "log", "-1", "--format=%ae", repo.commit_files(head, {"a": "a\n"}, "m\n").sha) == "test@example.com"
    git(clone, "config", "--unset", "user.name")
    git(clone, "config", "--unset", "user.email")
    monkeypatch.setenv("HOME", str(tmp_path))  # no global configuration either
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for variable in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(variable, raising=False)
    assert git(clone, "log", "-1", "--format=%ae", repo.commit_files(head, {"a": "a\n"}, "m\n").sha) == BOT_EMAIL


def test_dirty_lists_changes_and_untracked_files_below_the_project_only(tmp_path):
    clone, _ = checkout_with_remote(tmp_path, PROJECT, subdir="svc")
    (clone / "elsewhere.txt").write_text("outside the project\n")
    repo = Git(clone)
    assert repo.dirty(clone / "svc") == [] and repo.prefix(clone / "svc") == "svc/" and repo.prefix(clone) == ""
    (clone / "svc" / "Dockerfile").write_text("FROM python:3.11-slim\n")
    (clone / "svc" / "scratch.py").write_text("")
    assert sorted(repo.dirty(clone / "svc")) == ["svc/Dockerfile", "svc/scratch.py"]


def test_push_with_lease_refuses_a_branch_that_appeared(tmp_path):
    clone, remote = checkout_with_remote(tmp_path, PROJECT)
    repo = Git(clone)
    commit = repo.commit_files(repo.head(), {"a": "a\n"}, "m\n")
    repo.push("origin", commit.sha, "dockerfix/repair", expected=None)
    assert repo.remote_branches("origin", "main", "dockerfix/repair", "absent") == {
        "main": repo.head(), "dockerfix/repair": commit.sha}
    other = repo.commit_files(repo.head(), {"b": "b\n"}, "m\n")
    with pytest.raises(GitError, match="stale info|rejected"):
        repo.push("origin", other.sha, "dockerfix/repair", expected=None)
    repo.push("origin", other.sha, "dockerfix/repair", expected=commit.sha)
    assert git(remote, "rev-parse", "dockerfix/repair") == other.sha


def test_git_errors_are_redacted(tmp_path, monkeypatch):
    clone, _ = checkout_with_remote(tmp_path, PROJECT)
    secret = "tok-" + os.urandom(6).hex()
    monkeypatch.setenv("GITHUB_TOKEN", secret)
    git(clone, "remote", "set-url", "origin", f"https://x-access-token:{secret}@127.0.0.1:9/acme/dealer.git")
    with pytest.raises(GitError) as raised:
        Git(clone).remote_branches("origin", "main")
    assert secret not in str(raised.value)
