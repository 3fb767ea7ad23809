"""`dockerfix explain` as data: one object per diagnosis of a saved log, as JSON or markdown.

Each diagnosis says which rule, the log lines that show it (numbered as in the log given), the instruction
that failed, the cause, and what to do: the fix `repair` applies by itself (`automatic`), or the suggestion
naming the line and the change when a rule has no automatic fix.
"""

from __future__ import annotations


from dockerfix.catalog import BY_ID
from dockerfix.analyse.failed_step import failed_command
from dockerfix.model import Context, Finding, Fix
from dockerfix.catalog.suggestions import failed_instruction
from dockerfix.diagnose import ANSI, Diagnosis
from dockerfix.report.json import location_fields
from dockerfix.report.redact import redact, redact_json

SCHEMA_VERSION = 1


def _numbered(log: str, evidence: tuple[str, ...]) -> list[dict]:
    """Each evidence line with the 1-based number of the first line of `log` that holds it (after `previous`)."""
    lines = ANSI.sub("", log).splitlines()
    numbered, start = [], 0
    for text in evidence:
        needle = text.strip()
        found = next((n for n in (*range(start, len(lines)), *range(start)) if needle and needle in lines[n]), None)
        numbered.append({"line": found + 1 if found is not None else None, "text": text})
        start = found + 1 if found is not None else start
    return numbered


def _fix(context: Context, finding: Finding) -> tuple[str, bool]:
    """What `repair` would change for this finding, and whether it applies it by itself."""
    rule = BY_ID[finding.rule]
    if rule.fix is None or rule.applicability == "suggestion":
        return "", False
    outcome = rule.fix(context, finding)
    return (outcome.summary, rule.applicability == "safe") if isinstance(outcome, Fix) else ("", False)


def diagnoses(context: Context, diagnosis: Diagnosis, log: str) -> list[dict]:
    """One object per finding, most specific first."""
    instruction = failed_instruction(context, log)
    command = failed_command(log)
    failing = ({"location": f"{context.dockerfile_path}:{instruction.line}", "text": instruction.text} if instruction
               else {"location": None, "text": f"RUN {command}"} if command else None)
    found = []
    for finding in diagnosis.findings:
        rule = BY_ID[finding.rule]
        fix, automatic = _fix(context, finding)
        found.append({"rule": rule.id, "name": rule.name, "kind": rule.kind, "summary": rule.summary,
                      "cause": finding.message, "evidence": _numbered(log, finding.evidence),
                      **location_fields(finding.location), "failing_instruction": failing, "fix": fix or None,
                      "suggestion": finding.suggestion or None, "automatic": automatic,
                      "captures": dict(finding.captures)})
    return found


def to_json(context: Context, diagnosis: Diagnosis, log: str) -> str:
    return redact_json({"schema_version": SCHEMA_VERSION, "known": diagnosis.known,
                        "diagnoses": diagnoses(context, diagnosis, log), "unknown": list(diagnosis.relevant)})


def to_markdown(context: Context, diagnosis: Diagnosis, log: str) -> str:
    if not diagnosis.known:
        return redact("## Unknown failure\n\nNo rule matched. The lines that matter:\n\n```\n"
                      + "\n".join(diagnosis.relevant) + "\n```\n")
    parts = []
    for item in diagnoses(context, diagnosis, log):
        lines = "\n".join(f"{e['line'] or '?':>5} | {e['text']}" for e in item["evidence"])
        failing = item["failing_instruction"]
        command = " ".join(failing["text"].split())[:200] if failing else ""
        todo = (f"**Fix** ({'applied by `dockerfix repair`' if item['automatic'] else 'not applied automatically'}): "
                f"{item['fix']}" if item["fix"] else f"**Suggestion**: {item['suggestion']}" if item["suggestion"]
                else f"**Solution**: see `dockerfix rules {item['rule']}`")
        parts.append(f"## {item['rule']} {item['name']}\n\n**Cause**: {item['cause']}\n\n"
                     + (f"**Failing instruction** ({failing['location'] or 'from the log'}): "
                        f"`{command}`\n\n" if failing else "")
                     + f"**Evidence** (log lines):\n\n```\n{lines}\n```\n\n{todo}\n")
    return redact("\n".join(parts))
