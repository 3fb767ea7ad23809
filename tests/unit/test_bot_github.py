"""The GitHub client against the API double: headers, queries, and errors that say what GitHub said."""

from __future__ import annotations

import pytest

from bot_fixtures import FakeGitHub
from dockerfix.bot.git import RepoName
from dockerfix.bot.github import GitHub, GitHubError, token_from_environment
from dockerfix.errors import ExitCode

TOKEN = "tok-9f8e7d6c5b4a"


@pytest.fixture
def fake():
    with FakeGitHub(TOKEN, "acme", "dealer") as server:
        yield server


def test_token_order(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "from-actions")
    monkeypatch.delenv("DOCKERFIX_GITHUB_TOKEN", raising=False)
    assert token_from_environment() == "from-actions"
    monkeypatch.setenv("DOCKERFIX_GITHUB_TOKEN", "dockerfix-own")
    assert token_from_environment() == "dockerfix-own"


def test_requests_carry_the_api_headers(fake):
    github = GitHub(RepoName("acme", "dealer"), TOKEN, fake.url + "/")  # a trailing slash is fine
    pull = github.create_pull(title="t", body="b", head="dockerfix/repair", base="main")
    assert github.find_open_pull("dockerfix/repair") == pull and github.find_open_pull("other") is None
    request = fake.requests[0]
    assert request.headers["authorization"] == f"Bearer {TOKEN}" and request.headers["user-agent"].startswith("dockerfix/")
    issue = github.create_issue(title="i", body="x <!-- m -->", labels=("bot",))
    assert github.find_open_issue("<!-- m -->", ("bot",)) == issue and github.find_open_issue("<!-- m -->", ("x",)) is None


def test_refusals_are_errors_with_githubs_reason_and_no_token(fake, monkeypatch):
    monkeypatch.setenv("DOCKERFIX_GITHUB_TOKEN", "tok-0000000000")
    with pytest.raises(GitHubError, match="401 Bad credentials") as raised:
        GitHub(RepoName("acme", "dealer"), "tok-0000000000", fake.url).find_open_pull("b")
    assert raised.value.exit_code == ExitCode.BAD_INPUT and "tok-0000000000" not in str(raised.value)
    github = GitHub(RepoName("acme", "dealer"), TOKEN, fake.url)
    github.create_pull(title="t", body="b", head="dockerfix/repair", base="main")
    with pytest.raises(GitHubError, match="422 Validation Failed \\(A pull request already exists"):
        github.create_pull(title="t", body="b", head="dockerfix/repair", base="main")
    with pytest.raises(GitHubError, match="404 Not Found"):
        GitHub(RepoName("acme", "other"), TOKEN, fake.url).find_open_pull("b")


def test_no_answer_is_an_error_naming_the_api(fake):
    url = fake.url
    fake.__exit__(None, None, None)
    with pytest.raises(GitHubError, match="no answer from http://127.0.0.1"):
        GitHub(RepoName("acme", "dealer"), TOKEN, url).find_open_pull("b")


def test_the_bots_issue_is_found_past_the_first_page_through_a_rate_limit(fake):
    """250 open issues, the bot's own the oldest (the third page of 100); GitHub limits the rate once (429, then a
    403 with Retry-After): the client waits and goes on, and the bot finds its issue instead of opening another."""
    github = GitHub(RepoName("acme", "dealer"), TOKEN, fake.url)
    own = github.create_issue(title="dockerfix: the build fails", body="diagnosis <!-- dockerfix:issue -->", labels=())
    for number in range(249):  # the fake's own state: the client waits a second between writes, as GitHub asks
        fake._create("issues", {"title": f"someone else's issue {number}", "body": ""})
    fake.limits += [429, 403]
    assert github.find_open_issue("<!-- dockerfix:issue -->") == own
    pages = [r.query.get("page", "1") for r in fake.requests if r.method == "GET"]
    assert pages == ["1", "1", "1", "2", "3"]  # the first page asked three times: two rate-limit answers, then served
