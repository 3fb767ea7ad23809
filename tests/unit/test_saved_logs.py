"""Corpus cases the engine cannot reproduce (EOL releases, images and hosts that are gone, other distros): a real
build's log saved in the case, with its source named. `dockerfix explain` names the case's rules on it, with
the evidence, the failing instruction and a suggestion naming the line; the JSON and markdown formats agree."""

from __future__ import annotations

import json
import re

import pytest
from corpus_cases import load_cases

from dockerfix.cli import main

SAVED = [case for case in load_cases() if case.saved_log is not None]


def test_saved_log_cases_exist_and_name_their_source():
    assert len(SAVED) >= 6
    for case in SAVED:
        assert case.saved_log is not None and case.saved_log.is_file(), case.name
        assert case.original["source"], case.name


@pytest.mark.parametrize("case", SAVED, ids=[c.name for c in SAVED])
def test_explain_names_the_case_rule_with_a_suggestion(case, capsys):
    log = case.saved_log.read_text()
    assert re.search(case.original["signature"], log, re.MULTILINE)
    project = case.directory / "project"
    code = main(["explain", str(case.saved_log), "--project", str(project), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["known"]
    first = report["diagnoses"][0]
    assert first["rule"] in case.rules
    assert first["suggestion"] and "Dockerfile:" in first["suggestion"]  # names the line
    assert not first["automatic"]
    lines = log.splitlines()
    for evidence in first["evidence"]:
        assert evidence["line"] is not None and evidence["text"].strip() in lines[evidence["line"] - 1]
    assert main(["explain", str(case.saved_log), "--project", str(project), "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert f"## {first['rule']} " in markdown and "**Suggestion**" in markdown
    assert main(["explain", str(case.saved_log), "--project", str(project)]) == 0
    assert re.search(rf"^{first['rule']} ", capsys.readouterr().out, re.MULTILINE)


def test_unknown_log_exits_1_in_every_format(tmp_path, capsys):
    (tmp_path / "Dockerfile").write_text("FROM python:3.11-slim\n")
    log = tmp_path / "build.log"
    log.write_text("Step 1/1 : RUN make\nmake: *** [all] Error 2\n")
    for form in ("text", "json", "markdown"):
        assert main(["explain", str(log), "--project", str(tmp_path), "--format", form]) == 1
    out = capsys.readouterr().out
    assert '"known": false' in out and "Unknown failure" in out
