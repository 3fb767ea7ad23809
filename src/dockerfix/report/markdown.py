"""The repair as a markdown report shaped like the seed reports: Problem / Symptom / Diagnosis / Cause / Solution."""

from __future__ import annotations

from dockerfix.catalog import BY_ID
from dockerfix.report.redact import redact
from dockerfix.model import RepairResult

HEADLINE = {"repaired": "Repaired", "ok": "Nothing to repair: the build passes and the image verifies",
            "failed": "Not repaired"}


def _size(size: int | None) -> str:
    return f"{size / 1_000_000:.1f} MB" if size else "unknown"


def _cell(text: str) -> str:
    """Text inside a table cell: a `|` would end it."""
    return text.replace("|", "\\|")


def to_markdown(result: RepairResult) -> str:
    headline = "Environment-blocked: this engine cannot give the build what it needs" if result.blocked else HEADLINE[result.status]
    lines = [f"# dockerfix: {headline}", "",
             (f"Project `{result.root.name}`, strategy `{result.strategy}` (asked: `{result.requested}`), "
              f"{len(result.builds)} build(s), {result.seconds:.0f} s."), "",
             f"**Strategy:** {result.strategy_reason}.", ""]
    if result.message:
        lines += [f"**Stopped:** {result.message}", ""]
    for step in result.steps:
        lines += [f"## {step.number}. {step.problem} ({step.rule})", ""]
        if step.symptom:
            found = f" (build {step.build})" if step.build else " (found before building)"
            lines += [f"**Symptom**{found}:", "```", *step.symptom, "```"]
        lines += [f"**Diagnosis:** {step.diagnosis}", "", f"**Cause:** {step.cause}", "",
                  f"**Solution:** {step.solution}", ""]
    if result.accounting:
        lines += ["## What became of each instruction of the original", "",
                  "| Where | Instruction | Outcome | How or why |", "| --- | --- | --- | --- |"]
        lines += [f"| {a.origin} | `` {_cell(a.instruction)} `` | {a.outcome} | {_cell(a.how)} |" for a in result.accounting]
        lines.append("")
    if result.final_stage:
        stage = result.final_stage
        lines += ["## What the final stage holds", ""]
        if stage.sources_copied:
            lines += [f"The venv and the whole sources: {stage.reason}.", ""]
        else:
            copies = ", ".join(f"`{path}`" for path in stage.copies or ()) or "nothing else"
            left_out = ", ".join(f"`{path}`" for path in stage.left_out) or "nothing"
            lines += [f"The installed venv, and besides it: {copies}.", "",
                      f"Left out of the build context (installed in the venv, or not read at run time): {left_out}.", ""]
    if result.findings:
        lines += ["## Findings not repaired", ""]
        for finding in result.findings:
            where = f" ({finding.location})" if finding.location else ""
            level = " (warning)" if BY_ID[finding.rule].severity == "warning" else ""
            lines += [f"- **{finding.rule}**{level}{where}: {finding.message}"]
            if finding.evidence:
                lines += ["  ```", *[f"  {e}" for e in finding.evidence], "  ```"]
        lines.append("")
    if result.unknown:
        lines += ["## Unknown failure: the log lines that matter", "```", *result.unknown, "```", ""]
    lines += ["## Final state", ""]
    for build in result.builds:
        state = "passed" if build.ok else f"failed at {build.failed_instruction or 'an unknown step'}: {build.error}"
        why = f": {build.backend_reason}" if build.backend_reason else ""
        strategy = f"{build.strategy}, " if build.strategy else ""
        lines.append(f"- Build {build.number} ({strategy}{build.backend}{why}, {build.seconds:.0f} s): {state}")
    if result.verification:
        lines.append(f"- Verification: {'passed' if result.verification.passed else 'failed'}, "
                     f"image {_size(result.verification.image_size)}, {result.verification.layers} layers")
        lines += [f"  - {'✓' if c.passed else '✗'} {c.name}: {c.detail}" for c in result.verification.checks]
    if result.changed_files:
        verb = "written" if result.written else "not written (dry run or failed repair)"
        lines += ["", f"Changed files ({verb}): " + ", ".join(f"`{f}`" for f in result.changed_files)]
    if result.diff:
        lines += ["", "<details><summary>Diff</summary>", "", "```diff", result.diff.rstrip(), "```", "", "</details>"]
    return redact("\n".join(lines) + "\n")
