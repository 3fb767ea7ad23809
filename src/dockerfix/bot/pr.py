"""`dockerfix pr`: repair a project in a git checkout and propose the fix as a pull request; when the repair fails,
report the diagnosis as an issue instead.

The order of work leaves nothing half-done on bad input: the checkout (clean, on a branch, with a remote that
names a repository, HEAD already pushed) and the token are checked before anything is built. The repair runs
with write=False, so the user's files are never written; the commit is made with plumbing on HEAD (see
`bot.git`), the local branch is pointed at it and pushed with a lease, and the pull request is found or opened.

Idempotent: a run that produces the same tree on the same base pushes nothing and opens nothing; one that
produces a different tree force-pushes the branch (with a lease on what it saw there) and updates the pull
request it finds open for that branch. It never opens a second one.

It also tidies up after itself, as a reviewer would want: a fix whose pull request was closed unmerged is not
proposed again (a different fix is); when the build passes without any change, the bot's open pull request is
closed; and once the build is repaired or passes, the issue a failing run opened is closed, each with a comment
saying why.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from dockerfix.bot.body import (
    commit_message,
    fix_marker,
    issue_body,
    issue_marker,
    issue_title,
    pull_body,
    pull_title,
)
from dockerfix.bot.git import DirtyCheckout, Git, GitError, RepoName, parse_repo, repo_from_url
from dockerfix.bot.github import DEFAULT_API_URL, GitHub, Item, MissingToken
from dockerfix.errors import InputError
from dockerfix.model import RepairResult
from dockerfix.repair import Options, repair

DEFAULT_BRANCH = "dockerfix/repair"

Action = Literal[
    "opened", "updated", "unchanged",  # the pull request
    "issue-opened", "issue-updated", "not-repaired",  # the repair failed (not-repaired: --on-failure nothing)
    "nothing-to-repair",  # the build passes and the image verifies
    "declined",  # a pull request with this same fix was closed unmerged: not proposed again
    "would-open-pull-request", "would-open-issue",  # --dry-run
]


@dataclass(frozen=True)
class PrSettings:
    branch: str = DEFAULT_BRANCH
    base: str | None = None  # the branch the pull request targets; default: the checked-out branch
    remote: str = "origin"
    repo: str | None = None  # owner/name, when the remote URL does not say (a local path)
    api_url: str = DEFAULT_API_URL
    labels: tuple[str, ...] = ()
    on_failure: Literal["issue", "nothing"] = "issue"
    dry_run: bool = False  # build and show the commit, branch and pull request; touch nothing


@dataclass(frozen=True)
class PrOutcome:
    action: Action
    result: RepairResult
    repo: RepoName
    branch: str
    base: str
    title: str = ""  # of the pull request or the issue
    body: str = ""
    commit_message: str = ""
    commit: str | None = None  # the branch's commit on the remote
    number: int | None = None  # of the pull request or the issue
    url: str | None = None
    closed: tuple[Item, ...] = ()  # pull requests and issues this run closed


@dataclass(frozen=True)
class _Checkout:
    git: Git
    root: Path
    prefix: str  # the project's directory relative to the repository's top level ('' or 'dir/')
    head: str
    base: str
    repo: RepoName
    remote_heads: dict[str, str]  # base / bot branch → commit on the remote (empty on a dry run)


def open_pull_request(path: str | Path, settings: PrSettings = PrSettings(),
                      options: Options = Options(strategy="minimal"), token: str | None = None) -> PrOutcome:
    checkout = _check_checkout(Path(path), settings, token)
    github = GitHub(checkout.repo, token, settings.api_url) if token and not settings.dry_run else None
    result = repair(checkout.root, replace(options, write=False))
    if checkout.git.head() != checkout.head or checkout.git.dirty(checkout.root):
        raise GitError("the checkout changed while the repair ran: run dockerfix pr again")
    outcome = PrOutcome("nothing-to-repair", result, checkout.repo, settings.branch, checkout.base)
    if result.status == "failed":
        return _report_failure(checkout, settings, outcome, github)
    if result.status == "ok" or not result.files:
        return _close_obsolete(checkout, settings, outcome, github)
    outcome = replace(outcome, title=pull_title(result, checkout.prefix),
                      body=pull_body(result, checkout.prefix, settings.branch),
                      commit_message=commit_message(result, checkout.prefix))
    if github is None:
        return replace(outcome, action="would-open-pull-request")
    existing = github.find_open_pull(settings.branch)
    if existing is None:
        marker = fix_marker(checkout.prefix, result.files)
        declined = next((p for p in github.find_pulls(settings.branch, "closed") if not p.merged and marker in p.body), None)
        if declined is not None:
            return replace(outcome, action="declined", number=declined.number, url=declined.url)
    commit, pushed = _commit_and_push(checkout, settings, outcome)
    if existing is None:
        pull = github.create_pull(title=outcome.title, body=outcome.body, head=settings.branch, base=checkout.base)
        github.add_labels(pull.number, settings.labels)
        action: Action = "opened"
    elif pushed:
        pull = github.update_pull(existing.number, title=outcome.title, body=outcome.body)
        github.add_labels(pull.number, settings.labels)
        action = "updated"
    else:
        pull, action = existing, "unchanged"
    closed = _close_failure_issue(checkout, settings, github, f"The build is repaired by pull request #{pull.number}.")
    return replace(outcome, action=action, commit=commit, number=pull.number, url=pull.url, closed=closed)


def _close_obsolete(checkout: _Checkout, settings: PrSettings, outcome: PrOutcome, github: GitHub | None) -> PrOutcome:
    """Nothing to repair: the bot's open pull request and failure issue no longer have a reason to be open."""
    if github is None:
        return outcome
    why = (f"The Docker build on `{checkout.base}` ({checkout.head[:12]}) now builds and verifies without changes, "
           "so dockerfix closes this.")
    pull = github.find_open_pull(settings.branch)
    if pull is not None:
        github.close(pull.number, why)
    closed = ((pull,) if pull else ()) + _close_failure_issue(checkout, settings, github, why)
    return replace(outcome, closed=closed)


def _close_failure_issue(checkout: _Checkout, settings: PrSettings, github: GitHub, why: str) -> tuple[Item, ...]:
    issue = github.find_open_issue(issue_marker(checkout.prefix), settings.labels)
    if issue is None:
        return ()
    github.close(issue.number, why)
    return (issue,)


def _check_checkout(path: Path, settings: PrSettings, token: str | None) -> _Checkout:
    root = path.resolve()
    if not root.is_dir():
        raise InputError(path, None, "is not a directory")
    git = Git(root)
    dirty = git.dirty(root)
    if dirty:
        raise DirtyCheckout(dirty)
    current = git.current_branch()
    base = settings.base or current
    if base is None:
        raise GitError("HEAD is detached: pass --base with the branch the pull request targets")
    if current == settings.branch:
        raise GitError(f"{settings.branch} is checked out, and it is the bot's branch: check out the branch "
                       "the pull request targets")
    if settings.repo:
        repo = parse_repo(settings.repo)
    else:
        url = git.remote_url(settings.remote)
        found = repo_from_url(url)
        if found is None:
            raise GitError(f"remote {settings.remote} ({url}) names no hosted repository: pass --repo owner/name")
        repo = found
    if not settings.dry_run and not token:
        raise MissingToken()
    head = git.head()
    remote_heads: dict[str, str] = {}
    if not settings.dry_run:
        remote_heads = git.remote_branches(settings.remote, base, settings.branch)
        if base not in remote_heads:
            raise GitError(f"branch {base} is not on {settings.remote}: push it first (the pull request targets it)")
        git.fetch(settings.remote, *remote_heads)
        if not git.is_ancestor(head, f"refs/remotes/{settings.remote}/{base}"):
            raise GitError(f"HEAD has commits that are not on {settings.remote}/{base}: push them first, or they "
                           "would become part of the pull request")
    return _Checkout(git, root, git.prefix(root), head, base, repo, remote_heads)


def _commit_and_push(checkout: _Checkout, settings: PrSettings, outcome: PrOutcome) -> tuple[str, bool]:
    """The branch's commit on the remote, and whether it was pushed now (False: the remote already had this fix)."""
    git = checkout.git
    files = {checkout.prefix + path: text for path, text in outcome.result.files.items()}
    commit = git.commit_files(checkout.head, files, outcome.commit_message)
    remote_tip = checkout.remote_heads.get(settings.branch)
    if remote_tip:
        existing = git.commit(remote_tip)
        if (existing.tree, existing.parent) == (commit.tree, commit.parent):
            git.set_branch(settings.branch, remote_tip)
            return remote_tip, False
    git.set_branch(settings.branch, commit.sha)
    git.push(settings.remote, commit.sha, settings.branch, expected=remote_tip)
    return commit.sha, True


def _report_failure(checkout: _Checkout, settings: PrSettings, outcome: PrOutcome, github: GitHub | None) -> PrOutcome:
    """An issue with the diagnosis, updated by later failing runs (found by the marker in its body). None for an
    environment-blocked repair: the bot's engine lacked an image or a host, which says nothing about the build."""
    if settings.on_failure == "nothing" or outcome.result.blocked:
        return replace(outcome, action="not-repaired")
    outcome = replace(outcome, title=issue_title(outcome.result, checkout.prefix),
                      body=issue_body(outcome.result, checkout.prefix))
    if github is None:
        return replace(outcome, action="would-open-issue")
    existing = github.find_open_issue(issue_marker(checkout.prefix), settings.labels)
    if existing is None:
        issue = github.create_issue(title=outcome.title, body=outcome.body, labels=settings.labels)
        action: Action = "issue-opened"
    else:
        issue = github.update_issue(existing.number, title=outcome.title, body=outcome.body)
        action = "issue-updated"
    return replace(outcome, action=action, number=issue.number, url=issue.url)
