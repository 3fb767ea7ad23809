"""Static findings as SARIF 2.1.0, for code-scanning upload."""

from __future__ import annotations

import json

from dockerfix.version import __version__
from dockerfix.catalog import BY_ID
from dockerfix.model import Finding

LEVEL = {"build": "error", "run": "error", "report": "warning"}


def _location(finding: Finding) -> list[dict]:
    where = finding.location
    if where is None:
        return []
    region = {"region": {"startLine": where.line}} if where.line is not None else {}
    return [{"physicalLocation": {"artifactLocation": {"uri": where.path}, **region}}]


def to_sarif(findings: tuple[Finding, ...]) -> str:
    used = sorted({f.rule for f in findings})
    rules = [{"id": rid, "name": BY_ID[rid].name, "shortDescription": {"text": BY_ID[rid].summary},
              "fullDescription": {"text": BY_ID[rid].explanation.strip()}} for rid in used]
    results = [{"ruleId": f.rule, "level": LEVEL[BY_ID[f.rule].kind], "message": {"text": f.message},
                "locations": _location(f)} for f in findings]
    document = {"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
                "runs": [{"tool": {"driver": {"name": "dockerfix", "version": __version__, "rules": rules}},
                          "results": results}]}
    return json.dumps(document, indent=2)
