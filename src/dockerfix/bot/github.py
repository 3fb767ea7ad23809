"""The GitHub operations the bot needs, over PyGithub; the base URL is configurable for GitHub Enterprise.

PyGithub pages through every list (the bot's open issue is found past the first page) and retries what GitHub
says may be retried: rate limits (403 with `Retry-After` or a rate-limit message, 429) are waited out, server
errors retried. The token is sent in the Authorization header and nowhere else; errors are redacted before they
are raised.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from github import Auth, Github, GithubException, GithubRetry
from github.Issue import Issue
from github.PullRequest import PullRequest

from dockerfix.version import __version__
from dockerfix.bot.git import RepoName
from dockerfix.errors import DockerfixError, ExitCode
from dockerfix.report.redact import redact

DEFAULT_API_URL = "https://api.github.com"
TOKEN_VARIABLES = ("DOCKERFIX_GITHUB_TOKEN", "GITHUB_TOKEN")  # looked up in this order
API_TIMEOUT_SECONDS = 60
PAGE_SIZE = 100
RETRIES = 5  # per request: rate-limit waits and server errors
MAX_RATE_LIMIT_WAIT_SECONDS = 900.0  # a longer wait for a rate-limit reset fails the run instead
T = TypeVar("T")


class GitHubError(DockerfixError):
    """The API refused a request (bad token, unknown repository, validation) or did not answer."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, request: str, detail: str) -> None:
        super().__init__(redact(f"GitHub API {request}: {detail}"))


class MissingToken(DockerfixError):
    exit_code = ExitCode.BAD_INPUT

    def __init__(self) -> None:
        # no "token:" in the text, which redaction would take for a secret
        super().__init__(f"no GitHub token in the environment; set {' or '.join(TOKEN_VARIABLES)} to one that may "
                         "write contents, pull requests and issues")


def token_from_environment() -> str | None:
    return next((os.environ[name] for name in TOKEN_VARIABLES if os.environ.get(name)), None)


@dataclass(frozen=True)
class Item:
    """A pull request or an issue, as much of it as the bot needs."""

    number: int
    url: str  # html_url, for people
    title: str
    body: str
    merged: bool = False  # a pull request that was merged (closed ones only)


class _Bearer(Auth.Token):
    """The token as `Authorization: Bearer ...`, the scheme GitHub documents (PyGithub sends `token ...`)."""

    @property
    def token_type(self) -> str:
        return "Bearer"


class GitHub:
    """One repository's pull requests and issues, as the bot reads and writes them."""

    def __init__(self, repo: RepoName, token: str, api_url: str = DEFAULT_API_URL) -> None:
        self.repo = repo
        self.api_url = api_url.rstrip("/")
        retry = GithubRetry(total=RETRIES, status_forcelist=[429, *range(500, 600)],  # 403 added by GithubRetry
                            max_rate_limit_wait=MAX_RATE_LIMIT_WAIT_SECONDS)
        self._client = Github(auth=_Bearer(token), base_url=self.api_url, timeout=API_TIMEOUT_SECONDS,
                              user_agent=f"dockerfix/{__version__}", per_page=PAGE_SIZE, retry=retry, lazy=True)
        self._repo = self._client.get_repo(f"{repo.owner}/{repo.name}")  # lazy: no request until one is needed

    def find_pulls(self, branch: str, state: str = "open") -> list[Item]:
        """The pull requests (`open` or `closed`) whose head is `branch` of this repository, newest first."""
        return self._do("GET pulls", lambda: [_item(p) for p in self._repo.get_pulls(
            state=state, head=f"{self.repo.owner}:{branch}")])

    def find_open_pull(self, branch: str) -> Item | None:
        return next(iter(self.find_pulls(branch)), None)

    def create_pull(self, *, title: str, body: str, head: str, base: str) -> Item:
        return self._do("POST pulls", lambda: _item(self._repo.create_pull(
            title=title, body=body, head=head, base=base, maintainer_can_modify=True)))

    def update_pull(self, number: int, *, title: str, body: str) -> Item:
        def update() -> Item:
            pull = self._repo.get_pull(number)
            pull.edit(title=title, body=body)
            return _item(pull)
        return self._do(f"PATCH pulls/{number}", update)

    def add_labels(self, number: int, labels: tuple[str, ...]) -> None:
        if labels:
            self._do(f"POST issues/{number}/labels", lambda: self._repo.get_issue(number).add_to_labels(*labels))

    def find_open_issue(self, marker: str, labels: tuple[str, ...] = ()) -> Item | None:
        """The open issue (not pull request) whose body contains `marker`, paging through every open issue."""
        def find() -> Item | None:
            for issue in self._repo.get_issues(state="open", labels=list(labels)):
                # issues lists pull requests too; their html_url says so (reading `pull_request`, absent on an
                # issue, would fetch each issue again)
                if "/pull/" not in (issue.html_url or "") and marker in (issue.body or ""):
                    return _item(issue)
            return None
        return self._do("GET issues", find)

    def create_issue(self, *, title: str, body: str, labels: tuple[str, ...]) -> Item:
        return self._do("POST issues", lambda: _item(self._repo.create_issue(title=title, body=body, labels=list(labels))))

    def update_issue(self, number: int, *, title: str, body: str) -> Item:
        def update() -> Item:
            issue = self._repo.get_issue(number)
            issue.edit(title=title, body=body)
            return _item(issue)
        return self._do(f"PATCH issues/{number}", update)

    def close(self, number: int, comment: str) -> None:
        """Close a pull request or an issue, saying why in a comment first."""
        def close() -> None:
            issue = self._repo.get_issue(number)
            issue.create_comment(comment)
            issue.edit(state="closed")
        self._do(f"PATCH issues/{number}", close)

    def _do(self, request: str, call: Callable[[], T]) -> T:
        """`call`, with GitHub's refusals and silence as a GitHubError naming the request."""
        path = f"{request.split()[0]} /repos/{self.repo.owner}/{self.repo.name}/{request.split()[1]}"
        try:
            return call()
        except GithubException as exc:
            raise GitHubError(path, f"{exc.status} {_message(exc)}") from None
        except (requests.exceptions.RequestException, OSError) as exc:
            raise GitHubError(path, f"no answer from {self.api_url} ({exc})") from None


def _item(data: Issue | PullRequest) -> Item:
    merged = isinstance(data, PullRequest) and data.merged_at is not None
    return Item(number=data.number, url=data.html_url or "", title=data.title or "", body=data.body or "", merged=merged)


def _message(error: GithubException) -> str:
    """GitHub's own explanation (`message` plus validation `errors`)."""
    data: Any = error.data
    if not isinstance(data, dict):
        return str(data or "")
    details = "; ".join(e.get("message") or e.get("code", "") for e in data.get("errors", []) if isinstance(e, dict))
    return str(data.get("message", "")) + (f" ({details})" if details else "")
