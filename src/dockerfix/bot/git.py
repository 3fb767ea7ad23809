"""Git through its command line, for the bot: a checkout's state, its remote, and commits made with plumbing.

Commits are built on a temporary index (`read-tree`, `hash-object`, `update-index`, `write-tree`,
`commit-tree`), so the user's work tree, index and checked-out branch are never touched, even when the bot is
interrupted half-way: the checkout ends as it started by construction.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from dockerfix.errors import DockerfixError, ExitCode
from dockerfix.report.redact import redact

# Used when git has no identity configured (a CI runner); a configured user.name/user.email wins.
BOT_NAME = "dockerfix"
BOT_EMAIL = "dockerfix@users.noreply.github.com"
GIT_TIMEOUT_SECONDS = 300

_URL = re.compile(r"^(?:https?|ssh|git)://(?:[^@/]+@)?(?P<host>[^/:]+)(?::\d+)?/(?P<path>.+?)(?:\.git)?/*$")
_SCP = re.compile(r"^(?:[^@/]+@)?(?P<host>[^/:]+):(?P<path>[^/].*?)(?:\.git)?/*$")  # git@github.com:owner/repo.git
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


class GitError(DockerfixError):
    """A git command failed, or the checkout is not one the bot can work from."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))


class DirtyCheckout(GitError):
    def __init__(self, paths: list[str]) -> None:
        super().__init__("the project has uncommitted changes or untracked files: " + ", ".join(paths)
                         + " (commit, stash or remove them: the pull request is made from HEAD, so the repair "
                           "must build exactly what is committed)")


@dataclass(frozen=True)
class RepoName:
    owner: str
    name: str

    def __str__(self) -> str:
        return f"{self.owner}/{self.name}"


def parse_repo(text: str) -> RepoName:
    """`owner/name` as given with --repo."""
    owner, _, name = text.partition("/")
    if not (_NAME.match(owner) and _NAME.match(name)):
        raise GitError(f"--repo {text!r}: expected owner/name")
    return RepoName(owner, name)


def repo_from_url(url: str) -> RepoName | None:
    """owner/name from a remote URL (https://host/owner/repo(.git), ssh://, git@host:owner/repo.git); None for a
    local path or file:// URL, which name no hosted repository."""
    match = _URL.match(url) or _SCP.match(url)
    if not match:
        return None
    parts = match.group("path").split("/")
    if len(parts) < 2 or not all(_NAME.match(p) for p in parts[-2:]):
        return None
    return RepoName(parts[-2], parts[-1])


@dataclass(frozen=True)
class Commit:
    sha: str
    tree: str
    parent: str


def run_git(directory: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> str:
    """git's output without its final newline; prompts are off, so a missing credential fails instead of hanging."""
    try:
        completed = subprocess.run(["git", "-C", str(directory), *args], input=stdin, capture_output=True, text=True,
                                   timeout=GIT_TIMEOUT_SECONDS, check=False,
                                   env={**os.environ, "GIT_TERMINAL_PROMPT": "0", **(env or {})})
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git {args[0]}: {exc}") from exc
    if completed.returncode != 0:
        detail = completed.stderr.strip() or completed.stdout.strip() or f"exit status {completed.returncode}"
        raise GitError(f"git {' '.join(args[:2])}: {detail}")
    return completed.stdout.rstrip("\n")  # not strip(): `status --porcelain` lines start with a space


class Git:
    """One repository, addressed from its top level."""

    def __init__(self, directory: Path) -> None:
        try:
            self.toplevel = Path(run_git(directory, "rev-parse", "--show-toplevel"))
        except GitError as exc:
            raise GitError(f"{directory}: not a git checkout (the bot commits to the project's repository)") from exc

    def run(self, *args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> str:
        return run_git(self.toplevel, *args, stdin=stdin, env=env)

    def prefix(self, path: Path) -> str:
        """`path` relative to the top level, with a trailing slash ('' at the top level)."""
        relative = path.resolve().relative_to(self.toplevel.resolve()).as_posix()
        return "" if relative == "." else relative + "/"

    def current_branch(self) -> str | None:
        try:
            return self.run("symbolic-ref", "--quiet", "--short", "HEAD")
        except GitError:
            return None  # detached HEAD

    def head(self) -> str:
        return self.run("rev-parse", "--verify", "HEAD^{commit}")

    def dirty(self, path: Path) -> list[str]:
        """Modified, staged or untracked files under `path`: each would make the verified build differ from HEAD."""
        output = self.run("status", "--porcelain", "--untracked-files=normal", "--", self.prefix(path) or ".")
        return [line[3:] for line in output.splitlines() if line.strip()]

    def remote_url(self, remote: str) -> str:
        return self.run("remote", "get-url", remote)

    def remote_branches(self, remote: str, *branches: str) -> dict[str, str]:
        """branch → commit on the remote, for those of `branches` that exist there."""
        output = self.run("ls-remote", "--heads", remote, *(f"refs/heads/{b}" for b in branches))
        heads = {}
        for line in output.splitlines():
            sha, _, ref = line.partition("\t")
            heads[ref] = sha
        return {b: heads[f"refs/heads/{b}"] for b in branches if f"refs/heads/{b}" in heads}

    def fetch(self, remote: str, *branches: str) -> None:
        """Update the remote-tracking refs of `branches` (the objects are needed to compare trees)."""
        self.run("fetch", "--quiet", "--no-tags", remote,
                 *(f"+refs/heads/{b}:refs/remotes/{remote}/{b}" for b in branches))

    def is_ancestor(self, commit: str, of: str) -> bool:
        try:
            self.run("merge-base", "--is-ancestor", commit, of)
        except GitError:
            return False
        return True

    def commit(self, sha: str) -> Commit:
        tree, _, parents = self.run("show", "-s", "--format=%T %P", sha).partition(" ")
        return Commit(sha, tree, parents.split(" ")[0] if parents else "")

    def commit_files(self, parent: str, files: dict[str, str], message: str) -> Commit:
        """A commit on `parent` with `files` (top-level-relative path → text) replaced or added; no ref moves."""
        with tempfile.TemporaryDirectory(prefix="dockerfix-index-") as scratch:
            index = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            self.run("read-tree", parent, env=index)
            for path, text in sorted(files.items()):
                blob = self.run("hash-object", "-w", "--stdin", f"--path={path}", stdin=text)
                existing = self.run("ls-tree", parent, "--", path)  # "100755 blob <sha>\t<path>": keep the mode
                mode = existing.split(" ", 1)[0] if existing else "100644"
                self.run("update-index", "--add", "--cacheinfo", f"{mode},{blob},{path}", env=index)
            tree = self.run("write-tree", env=index)
        sha = self.run("commit-tree", tree, "-p", parent, "-F", "-", stdin=message, env=self._identity())
        return Commit(sha, tree, parent)

    def set_branch(self, branch: str, sha: str) -> None:
        """Point the local `branch` at `sha`; git refuses when the branch is checked out in any work tree."""
        self.run("branch", "--force", "--no-track", branch, sha)

    def push(self, remote: str, sha: str, branch: str, *, expected: str | None) -> None:
        """Push `sha` to `branch`, only if the remote branch is still at `expected` (None: it must not exist)."""
        self.run("push", "--quiet", f"--force-with-lease=refs/heads/{branch}:{expected or ''}", remote,
                 f"{sha}:refs/heads/{branch}")

    def _identity(self) -> dict[str, str]:
        """The bot's name and email where neither git's configuration nor the environment sets who commits."""
        try:
            self.run("config", "--get", "user.name")
            self.run("config", "--get", "user.email")
            return {}
        except GitError:
            fallback = {"GIT_AUTHOR_NAME": BOT_NAME, "GIT_AUTHOR_EMAIL": BOT_EMAIL,
                        "GIT_COMMITTER_NAME": BOT_NAME, "GIT_COMMITTER_EMAIL": BOT_EMAIL}
            return {key: value for key, value in fallback.items() if not os.environ.get(key)}
