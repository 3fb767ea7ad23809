"""What the bot's tests share: a git checkout with a bare remote on disk, and a GitHub REST API double.

`FakeGitHub` listens on 127.0.0.1 and keeps every request; it implements the endpoints the bot uses, with
GitHub's status codes.

Implemented: GET/POST /repos/{o}/{r}/pulls (GET filters by head and state; POST answers 422 when an open pull
request already has that head, as GitHub does), PATCH /repos/{o}/{r}/pulls/{n}, GET/POST /repos/{o}/{r}/issues
(GET lists pull requests too, marked with `pull_request`), GET/PATCH /repos/{o}/{r}/issues/{n}, and
POST /repos/{o}/{r}/issues/{n}/labels and /comments. Lists come newest first, `per_page` at a time, with GitHub's
`Link: <...>; rel="next"` header. Anything without `Authorization: Bearer <token>` gets 401. `limits` holds
rate-limit answers (403 or 429, with `Retry-After: 1`) given, one each, to the next requests.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

GIT_IDENTITY = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
                "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com"}


def git(directory: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(directory), *args], capture_output=True, text=True, check=True,
                          env={"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(directory), **GIT_IDENTITY}).stdout.strip()


def checkout_with_remote(tmp_path: Path, project: Path, *, subdir: str = "") -> tuple[Path, Path]:
    """A clone (on `main`) whose only commit holds `project` (at `subdir`), and its bare `origin` on disk."""
    remote, seed, clone = tmp_path / "remote.git", tmp_path / "seed", tmp_path / "checkout"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(remote))
    shutil.copytree(project, seed / subdir if subdir else seed, symlinks=True)
    git(seed, "init", "--quiet", "--initial-branch=main")
    git(seed, "add", "--all")
    git(seed, "commit", "--quiet", "-m", "the project")
    git(seed, "push", "--quiet", str(remote), "main")
    git(tmp_path, "clone", "--quiet", str(remote), str(clone))
    git(clone, "config", "user.name", "Test")
    git(clone, "config", "user.email", "test@example.com")
    return clone, remote


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names in lower case: HTTP's are case-insensitive
    body: dict | None


@dataclass
class FakeGitHub:
    token: str
    owner: str
    name: str
    requests: list[Request] = field(default_factory=list)
    items: dict[int, dict] = field(default_factory=dict)  # number → pull request or issue (they share numbers)
    limits: list[int] = field(default_factory=list)  # rate-limit statuses to answer next, once each

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep pytest's output clean
                pass

            def do_GET(self) -> None:
                fake._handle(self)

            do_POST = do_PATCH = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeGitHub:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def pulls(self) -> list[dict]:
        return [i for i in self.items.values() if "head" in i]

    def issues(self) -> list[dict]:
        return [i for i in self.items.values() if "head" not in i]

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = json.loads(handler.rfile.read(length)) if length else None
        request = Request(handler.command, parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()},
                          {k.lower(): v for k, v in handler.headers.items()}, body)
        headers: dict[str, str] = {}
        with self._lock:
            self.requests.append(request)
            if self.limits:
                status, answer = self.limits.pop(0), {"message": "You have exceeded a secondary rate limit."}
                headers["Retry-After"] = "1"
            else:
                status, answer = self._answer(request)
            if isinstance(answer, list):
                answer, headers = self._page(request, answer)
        data = json.dumps(answer).encode()
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _answer(self, request: Request) -> tuple[int, object]:
        if request.headers.get("authorization") not in (f"Bearer {self.token}", f"token {self.token}"):
            return 401, {"message": "Bad credentials"}
        match = re.fullmatch(rf"/repos/{self.owner}/{self.name}/(pulls|issues)(?:/(\d+))?(/labels|/comments)?", request.path)
        if not match:
            return 404, {"message": "Not Found"}
        kind, number, sub = match.group(1), match.group(2), match.group(3)
        item = self.items.get(int(number)) if number else None
        if number and item is None:
            return 404, {"message": "Not Found"}
        if request.method == "GET" and not number:
            return 200, self._list(kind, request.query)
        if request.method == "GET" and item is not None and not sub:
            return 200, item
        if request.method == "POST" and not number:
            return self._create(kind, request.body or {})
        if request.method == "PATCH" and item is not None and not sub:
            item.update({k: v for k, v in (request.body or {}).items() if k in ("title", "body", "state")})
            return 200, item
        if request.method == "POST" and item is not None and sub == "/comments":
            item["comments"].append((request.body or {}).get("body", ""))
            return 201, {"body": item["comments"][-1]}
        if request.method == "POST" and item is not None and sub == "/labels":
            names = [label["name"] for label in item["labels"]]
            added = request.body if isinstance(request.body, list) else (request.body or {}).get("labels", [])
            item["labels"] = [{"name": n} for n in dict.fromkeys(names + added)]
            return 200, item["labels"]
        return 404, {"message": "Not Found"}

    def _page(self, request: Request, found: list) -> tuple[list, dict[str, str]]:
        size, page = int(request.query.get("per_page", "30")), int(request.query.get("page", "1"))
        if len(found) <= page * size:
            return found[(page - 1) * size:], {}
        following = "&".join(f"{k}={v}" for k, v in {**request.query, "page": str(page + 1)}.items())
        return found[(page - 1) * size: page * size], {"Link": f'<{self.url}{request.path}?{following}>; rel="next"'}

    def _list(self, kind: str, query: dict[str, str]) -> list[dict]:
        found = [i for i in reversed(self.items.values()) if i["state"] == query.get("state", "open")]
        if kind == "pulls":
            found = [i for i in found if "head" in i]
            if "head" in query:
                owner, _, branch = query["head"].partition(":")
                found = [i for i in found if owner == self.owner and i["head"]["ref"] == branch]
        if "labels" in query:
            wanted = set(query["labels"].split(","))
            found = [i for i in found if wanted <= {label["name"] for label in i["labels"]}]
        return found

    def _create(self, kind: str, body: dict) -> tuple[int, dict]:
        number = len(self.items) + 1
        item = {"number": number, "state": "open", "title": body.get("title"), "body": body.get("body"),
                "labels": [{"name": n} for n in body.get("labels", [])], "comments": [], "merged_at": None,
                "html_url": f"https://github.example/{self.owner}/{self.name}/{kind[:-1]}/{number}",
                "url": f"{self.url}/repos/{self.owner}/{self.name}/{kind}/{number}"}
        if kind == "pulls":
            if any(p["head"]["ref"] == body.get("head") and p["state"] == "open" for p in self.pulls()):
                return 422, {"message": "Validation Failed",
                             "errors": [{"message": f"A pull request already exists for {self.owner}:{body.get('head')}."}]}
            item |= {"head": {"ref": body.get("head")}, "base": {"ref": body.get("base")}, "pull_request": {}}
        self.items[number] = item
        return 201, item
