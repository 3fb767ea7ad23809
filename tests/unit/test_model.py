"""The shared values as callers see them: typed locations and captures, the formats that print them (JSON, SARIF,
`check --format json`), and a diagnosis made with the caller's own rules."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

import dockerfix
from dockerfix.analyse import analyse
from dockerfix.catalog import BY_ID
from dockerfix.catalog.rule import Rule, regex
from dockerfix.checks import Check, ImportFailure, Imports, Verification
from dockerfix.cli import main
from dockerfix.diagnose import diagnose, diagnose_verification
from dockerfix.model import Captures, Context, Finding, Location, RepairResult
from dockerfix.report.json import to_dict
from dockerfix.report.sarif import to_sarif


def test_a_location_prints_as_file_and_line():
    assert (str(Location("Dockerfile", 12)), str(Location("pdm.lock"))) == ("Dockerfile:12", "pdm.lock")
    assert Location.parse("requirements.txt:3") == Location("requirements.txt", 3)
    assert Location.parse("pyproject.toml") == Location("pyproject.toml")
    assert Location.parse("C:notes") == Location("C:notes")  # no line number after the colon: all of it is the path


def test_captures_hold_strings_and_tuples_frozen_hashable_and_comparable():
    finding = Finding("DF020", "m", captures={"packages": ["netcat", "libssl1.1"], "line": "3"})
    assert isinstance(finding.captures, Captures)
    assert finding.capture_list("packages") == ("netcat", "libssl1.1")  # a list given is stored as a tuple
    assert (finding.capture("line"), finding.capture("absent"), finding.capture_list("absent")) == ("3", "", ())
    with pytest.raises(TypeError):
        finding.capture("packages")
    with pytest.raises(TypeError):
        finding.capture_list("line")
    # the same captures, in another order or another mapping: equal, one hash (the repair loop's tried-key)
    again = Finding("DF020", "m", captures=Captures({"line": "3", "packages": ("netcat", "libssl1.1")}))
    assert again == finding and hash(again) == hash(finding) and len({finding.captures, again.captures}) == 1
    assert finding.captures != Captures({"line": "4", "packages": ("netcat", "libssl1.1")})
    assert replace(finding, message="other").captures == finding.captures


def _failed(findings: tuple[Finding, ...]) -> RepairResult:
    return RepairResult("failed", Path("/p"), "minimal", (), (), None, (), "", False, findings=findings)


def test_json_keeps_location_as_text_and_adds_path_and_line():
    findings = (Finding("DF077", "apt has no libfoo1", location=Location("Dockerfile", 4),
                        captures={"packages": ("libfoo1", "libbar2")}),
                Finding("DF047", "application error"))
    first, second = to_dict(_failed(findings))["findings"]
    assert (first["location"], first["path"], first["line"]) == ("Dockerfile:4", "Dockerfile", 4)
    assert json.loads(json.dumps(first["captures"])) == {"packages": ["libfoo1", "libbar2"]}
    assert (second["location"], second["path"], second["line"], second["captures"]) == (None, None, None, {})


def test_sarif_takes_the_path_and_line_as_they_are():
    findings = (Finding("DF001", "ignored", location=Location(".dockerignore", 3)),
                Finding("DF008", "stale", location=Location("poetry.lock")), Finding("DF034", "conflict"))
    results = json.loads(to_sarif(findings))["runs"][0]["results"]
    assert [r["locations"] for r in results] == [
        [{"physicalLocation": {"artifactLocation": {"uri": ".dockerignore"}, "region": {"startLine": 3}}}],
        [{"physicalLocation": {"artifactLocation": {"uri": "poetry.lock"}}}],
        []]


def test_check_json_names_the_path_and_line(tmp_path, capsys):
    (tmp_path / "requirements.txt").write_text("six==1.17.0\n")
    (tmp_path / ".dockerignore").write_text("*.txt\n")
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n")
    assert main(["check", str(tmp_path), "--format", "json"]) == 1
    [found] = [f for f in json.loads(capsys.readouterr().out) if f["rule"] == "DF001"]
    assert (found["location"], found["path"], found["line"]) == (".dockerignore:1", ".dockerignore", 1)


def test_the_result_types_live_in_the_model_and_where_they_were():
    import importlib
    repair_module = importlib.import_module("dockerfix.repair")
    assert dockerfix.RepairResult is RepairResult is repair_module.RepairResult
    assert dockerfix.Step is repair_module.Step and dockerfix.BuildRecord is repair_module.BuildRecord
    assert dockerfix.Location is Location


OWN = Rule(id="XX001", name="motd-missing", kind="build", summary="the image's message of the day is missing",
           explanation="What it catches: a test's own failure class.", log=regex(r"^motd: (?P<file>\S+) not found$"),
           checks=("imports-project",), conclusive=True)


def _context(tmp_path: Path) -> Context:
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\nRUN cat /etc/motd\n")
    project = analyse(tmp_path)
    return Context(root=project.root, files={}, project=project)


def test_diagnose_takes_the_callers_own_rules(tmp_path):
    context = _context(tmp_path)
    log = "Step 2/2 : RUN cat /etc/motd\nmotd: /etc/motd not found\nERROR: No matching distribution found for six\n"
    diagnosis = diagnose(context, log, rules=(OWN,))
    assert [(f.rule, f.capture("file")) for f in diagnosis.findings] == [("XX001", "/etc/motd")]
    assert diagnosis.conclusive and "XX001" not in BY_ID  # conclusive as the rule given says, not the catalog
    assert not diagnose(context, "motd: /etc/motd is here\n", rules=(OWN,)).known
    assert "XX001" not in {f.rule for f in diagnose(context, log).findings}  # the default: the catalog


def test_diagnose_verification_takes_the_callers_own_rules(tmp_path):
    context = _context(tmp_path)
    imports = Imports(count=1, failures=(ImportFailure("app", "motd: /etc/motd not found"),))
    failed = Verification(False, (Check("imports-project", False, "the import failed", facts=imports),))
    diagnosis = diagnose_verification(context, failed, rules=(OWN,))
    assert [f.rule for f in diagnosis.findings] == ["XX001"] and diagnosis.conclusive
    assert not diagnose_verification(context, failed, rules=(replace(OWN, checks=("user",)),)).known
