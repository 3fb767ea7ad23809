"""The few GitHub REST endpoints the bot uses, over urllib; the base URL is configurable for GitHub Enterprise.

The token is sent in the Authorization header and nowhere else; errors are redacted before they are raised.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from dockerfix import __version__
from dockerfix.bot.git import RepoName
from dockerfix.errors import DockerfixError, ExitCode
from dockerfix.report.redact import redact

DEFAULT_API_URL = "https://api.github.com"
TOKEN_VARIABLES = ("DOCKERFIX_GITHUB_TOKEN", "GITHUB_TOKEN")  # looked up in this order
API_TIMEOUT_SECONDS = 60
PAGE_SIZE = 100


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


class GitHub:
    def __init__(self, repo: RepoName, token: str, api_url: str = DEFAULT_API_URL) -> None:
        self.repo = repo
        self._token = token
        self.api_url = api_url.rstrip("/")

    def find_pulls(self, branch: str, state: str = "open") -> list[Item]:
        """The pull requests (`open` or `closed`) whose head is `branch` of this repository, newest first."""
        query = {"head": f"{self.repo.owner}:{branch}", "state": state, "per_page": str(PAGE_SIZE)}
        return [_item(pull) for pull in self._call("GET", "pulls", query=query)]

    def find_open_pull(self, branch: str) -> Item | None:
        return next(iter(self.find_pulls(branch)), None)

    def create_pull(self, *, title: str, body: str, head: str, base: str) -> Item:
        return _item(self._call("POST", "pulls", {"title": title, "body": body, "head": head, "base": base,
                                                  "maintainer_can_modify": True}))

    def update_pull(self, number: int, *, title: str, body: str) -> Item:
        return _item(self._call("PATCH", f"pulls/{number}", {"title": title, "body": body}))

    def add_labels(self, number: int, labels: tuple[str, ...]) -> None:
        if labels:
            self._call("POST", f"issues/{number}/labels", {"labels": list(labels)})

    def find_open_issue(self, marker: str, labels: tuple[str, ...] = ()) -> Item | None:
        """The open issue (not pull request) whose body contains `marker`, among the most recent page."""
        query = {"state": "open", "per_page": str(PAGE_SIZE), **({"labels": ",".join(labels)} if labels else {})}
        for issue in self._call("GET", "issues", query=query):
            if "pull_request" not in issue and marker in (issue.get("body") or ""):
                return _item(issue)
        return None

    def create_issue(self, *, title: str, body: str, labels: tuple[str, ...]) -> Item:
        return _item(self._call("POST", "issues", {"title": title, "body": body, "labels": list(labels)}))

    def update_issue(self, number: int, *, title: str, body: str) -> Item:
        return _item(self._call("PATCH", f"issues/{number}", {"title": title, "body": body}))

    def close(self, number: int, comment: str) -> None:
        """Close a pull request or an issue, saying why in a comment first."""
        self._call("POST", f"issues/{number}/comments", {"body": comment})
        self._call("PATCH", f"issues/{number}", {"state": "closed"})

    def _call(self, method: str, endpoint: str, payload: dict | None = None, query: dict[str, str] | None = None) -> Any:
        path = f"/repos/{self.repo.owner}/{self.repo.name}/{endpoint}"
        url = self.api_url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        request = urllib.request.Request(url, method=method, data=json.dumps(payload).encode() if payload else None,
                                         headers={"Accept": "application/vnd.github+json",
                                                  "Authorization": f"Bearer {self._token}",
                                                  "X-GitHub-Api-Version": "2022-11-28",
                                                  "User-Agent": f"dockerfix/{__version__}",
                                                  **({"Content-Type": "application/json"} if payload else {})})
        try:
            with urllib.request.urlopen(request, timeout=API_TIMEOUT_SECONDS) as response:
                text = response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            raise GitHubError(f"{method} {path}", f"{exc.code} {_message(exc)}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise GitHubError(f"{method} {path}", f"no answer from {self.api_url} ({exc})") from None
        return json.loads(text) if text else None


def _item(data: dict) -> Item:
    return Item(number=data["number"], url=data.get("html_url", ""), title=data.get("title", ""), body=data.get("body") or "",
                merged=bool(data.get("merged_at")))


def _message(error: urllib.error.HTTPError) -> str:
    """GitHub's own explanation (`message` plus validation `errors`), else the HTTP reason."""
    try:
        data = json.loads(error.read().decode("utf-8"))
    except (ValueError, OSError):
        return str(error.reason)
    details = "; ".join(e.get("message") or e.get("code", "") for e in data.get("errors", []) if isinstance(e, dict))
    return data.get("message", str(error.reason)) + (f" ({details})" if details else "")
