"""What the bot writes: titles, bodies within GitHub's size limit, secrets masked."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from dockerfix.bot.body import MAX_BODY_CHARS, commit_message, fix_marker, issue_body, pull_body, pull_title
from dockerfix.repair import BuildRecord, RepairResult, Step

ROOT = Path("/src/dealer")


def step(number: int, rule: str, symptom: tuple[str, ...] = (), build: int | None = 1) -> Step:
    return Step(number, "build", rule, f"Problem {rule}", symptom, f"diagnosis {rule}",
                f"Summary.\n\nWhat it catches: x.\nWhy it breaks: because of {rule}.\nThe fix: y.", f"fixed {rule}", build)


def result(*steps: Step, diff: str = "") -> RepairResult:
    builds = (BuildRecord(1, False, 5.0, "buildkit", "exit code: 1", "Dockerfile:3 RUN poetry install"),
              BuildRecord(2, True, 9.0, "buildkit"))
    return RepairResult("repaired", ROOT, "minimal", steps, builds, None, ("Dockerfile",), diff, False,
                        files={"Dockerfile": "FROM python:3.11-slim\n"})


def test_title_names_one_problem_or_counts_several():
    assert pull_title(result(step(1, "DF004")), "") == "Fix the Docker build: Problem DF004"
    assert pull_title(result(step(1, "DF004"), step(2, "DF007"), step(3, "DF004")), "svc/") == (
        "Fix the Docker build of svc: 3 problems (DF004, DF007)")


def test_pull_body_explains_from_the_first_failed_build_and_the_rules_why():
    body = pull_body(result(step(1, "DF004")), "svc/", "dockerfix/repair")
    assert body.startswith("The Docker build of `svc` was broken and dockerfix repaired it (build 1 failed at "
                           "`Dockerfile:3 RUN poetry install`).")
    assert "1. **Diagnosis DF004.** Because of DF004." in body and "1. Fixed DF004" in body
    assert "Files: `svc/Dockerfile`" in body and "- Build 2 (buildkit, 9 s): passed" in body
    assert body.rstrip().endswith(fix_marker("svc/", {"Dockerfile": "FROM python:3.11-slim\n"}))  # how a later run recognises this fix
    assert fix_marker("svc/", {"Dockerfile": "FROM a"}) != fix_marker("svc/", {"Dockerfile": "FROM b"}) != fix_marker("", {"Dockerfile": "FROM b"})


def test_long_logs_are_cut_to_fit_githubs_limit():
    huge = result(step(1, "DF004"), diff="+" + "x" * 200_000 + "\n")
    for body in (pull_body(huge, "", "b"), issue_body(replace(huge, status="failed", message="stopped"), "")):
        assert len(body) <= MAX_BODY_CHARS and "the log is cut here" in body and body.rstrip().endswith(("</sub>", "-->"))


def test_secrets_in_evidence_are_masked_everywhere(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "tok-0a1b2c3d4e")
    leaky = result(step(1, "DF004", ("ENV API_KEY=sk-live-123456", "pushing with tok-0a1b2c3d4e")))
    for text in (pull_body(leaky, "", "b"), commit_message(leaky, ""), issue_body(replace(leaky, status="failed"), "")):
        assert "sk-live-123456" not in text and "tok-0a1b2c3d4e" not in text
