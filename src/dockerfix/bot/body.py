"""What the bot writes: commit message, pull-request and issue titles and bodies, all from one `RepairResult`.

A pull request reads in a reviewer's order: what broke, why, what changed, how it was verified (builds,
checks, image size), then the whole troubleshooting log (the markdown report) folded in <details>. An issue,
when the repair fails, carries the diagnosis instead. Every text goes through `redact`.
"""

from __future__ import annotations

import hashlib
import json
import re

from dockerfix.version import __version__
from dockerfix.model import RepairResult, Step
from dockerfix.report import redact, to_markdown

MAX_BODY_CHARS = 60_000  # GitHub refuses bodies over 65,536 characters; the folded log is cut to fit
ISSUE_MARKER = "<!-- dockerfix:repair-failed {where} -->"  # how a later run finds the issue it opened
FIX_MARKER = "<!-- dockerfix:fix {where} {digest} -->"  # how a later run knows a closed pull request had the same fix
_WHY = re.compile(r"Why it breaks:\s*(?P<why>.*?)(?=\n\s*The fix:|\Z)", re.DOTALL)


def _of(prefix: str, code: bool = True) -> str:
    """' of `services/api`' for a project below the repository's top level; '' at the top level."""
    place = prefix.rstrip("/")
    return "" if not place else f" of `{place}`" if code else f" of {place}"


def issue_marker(prefix: str) -> str:
    return ISSUE_MARKER.format(where=prefix.rstrip("/") or ".")


def fix_marker(prefix: str, files: dict[str, str]) -> str:
    """Names the fix by the content of the files it writes, so the same fix found again is recognised."""
    digest = hashlib.sha256(json.dumps(sorted(files.items())).encode()).hexdigest()[:20]
    return FIX_MARKER.format(where=prefix.rstrip("/") or ".", digest=digest)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _why(step: Step) -> str:
    """The rule's "Why it breaks" paragraph (the whole cause when it has no such part), on one line."""
    match = _WHY.search(step.cause)
    return " ".join((match.group("why") if match else step.cause).split())


def _found(step: Step) -> str:
    if step.build is None:
        return "before building"
    return f"verification of build {step.build}" if step.phase == "verify" else f"build {step.build}"


def _size(size: int | None) -> str:
    return f"{size / 1_000_000:.1f} MB" if size else "unknown size"


def pull_title(result: RepairResult, prefix: str) -> str:
    fixes = [s for s in result.steps if s.rule != "rewrite"] or list(result.steps)
    if len(fixes) == 1:
        return redact(f"Fix the Docker build{_of(prefix, code=False)}: {fixes[0].problem}")
    rules = ", ".join(dict.fromkeys(s.rule for s in fixes))
    return redact(f"Fix the Docker build{_of(prefix, code=False)}: {len(fixes)} problems ({rules})")


def commit_message(result: RepairResult, prefix: str) -> str:
    lines = [pull_title(result, prefix), ""]
    lines += [f"- {s.rule}: {s.solution}" for s in result.steps]
    lines += ["", f"Built and verified by dockerfix {__version__} ({_verified(result)})."]
    return redact("\n".join(lines) + "\n")


def _verified(result: RepairResult) -> str:
    builds = f"{len(result.builds)} build(s)"
    verification = result.verification
    if verification is None:
        return builds
    passed = sum(c.passed for c in verification.checks)
    return f"{builds}, {passed}/{len(verification.checks)} checks passed, image {_size(verification.image_size)}"


def _verification_lines(result: RepairResult) -> list[str]:
    lines = []
    for build in result.builds:
        state = "passed" if build.ok else f"failed at `{build.failed_instruction or 'an unknown step'}`: {build.error}"
        cached = f", {len(build.cached_steps)} steps from cache" if build.cached_steps else ""
        lines.append(f"- Build {build.number} ({build.backend}, {build.seconds:.0f} s{cached}): {state}")
    verification = result.verification
    if verification:
        lines.append(f"- The image {'passed' if verification.passed else 'failed'} verification inside a container "
                     f"without network ({verification.seconds:.0f} s):")
        lines += [f"  - {'✓' if c.passed else '✗'} {c.name}: {c.detail}" for c in verification.checks]
        lines.append(f"- Image: {_size(verification.image_size)}, {verification.layers} layers")
    return lines


def _log(result: RepairResult, room: int) -> list[str]:
    """The full troubleshooting log, folded; cut (and said so) when the body would be too long for GitHub."""
    report = to_markdown(result)
    if len(report) > room:
        report = report[:max(0, room - 200)] + "\n\n*[the log is cut here: run `dockerfix repair --report` for all of it]*\n"
    return ["<details><summary>Troubleshooting log</summary>", "", report.rstrip(), "", "</details>"]


def _assemble(head: list[str], result: RepairResult, footer: list[str]) -> str:
    fixed = "\n".join(head + footer)
    body = head + _log(result, MAX_BODY_CHARS - len(fixed)) + footer
    return redact("\n".join(body) + "\n")


def _how_found(result: RepairResult) -> str:
    failed_build = next((b for b in result.builds if not b.ok), None)
    if failed_build and failed_build.failed_instruction:
        return f" (build {failed_build.number} failed at `{failed_build.failed_instruction}`)"
    if all(s.build is None for s in result.steps):
        return " (the problems were found in the project's files, before building)"
    return ""


def pull_body(result: RepairResult, prefix: str, branch: str) -> str:
    opening = (f"The Docker build{_of(prefix)} was broken and dockerfix repaired it{_how_found(result)}. The fix was "
               "built and verified on a Docker engine before this pull request was opened.")
    head = [opening, "", "### What broke", "", "| | Rule | Problem | Found |", "|---|---|---|---|"]
    head += [f"| {s.number} | {s.rule} | {s.problem} | {_found(s)} |" for s in result.steps]
    head += ["", "### Why", ""]
    for step in result.steps:
        head += [f"{step.number}. **{_capital(step.diagnosis.rstrip('.'))}.** {_capital(_why(step))}"]
        if step.symptom:
            head += ["   ```", *(f"   {line}" for line in step.symptom), "   ```"]
    head += ["", "### What changed", ""]
    head += [f"{s.number}. {_capital(s.solution)}" for s in result.steps]
    head += ["", "Files: " + ", ".join(f"`{prefix}{f}`" for f in result.changed_files), "",
             "### How it was verified", "", *_verification_lines(result), ""]
    footer = ["", "---", (f"<sub>Opened by dockerfix {__version__} from branch `{branch}`. Running dockerfix again "
                          "updates this branch and pull request instead of opening another; closing it unmerged stops this fix from "
                          "being proposed again.</sub>"), fix_marker(prefix, result.files)]
    return _assemble(head, result, footer)


def issue_title(result: RepairResult, prefix: str) -> str:
    return redact(f"The Docker build{_of(prefix, code=False)} fails and dockerfix could not repair it")


def issue_body(result: RepairResult, prefix: str) -> str:
    last = result.builds[-1] if result.builds else None
    head = [f"dockerfix tried to repair the Docker build{_of(prefix)} and stopped: {result.message or 'no fix applies'}.", "",
            "### What fails", ""]
    if last and not last.ok:
        head.append(f"Build {last.number} fails at `{last.failed_instruction or 'an unknown step'}`: {last.error}")
    elif result.verification and not result.verification.passed:
        head.append("The image builds but fails verification:")
        head += [f"- ✗ {c.name}: {c.detail}" for c in result.verification.failed()]
    head += ["", "### Diagnosis", ""]
    for finding in result.findings:
        where = f" ({finding.location})" if finding.location else ""
        head.append(f"- **{finding.rule}**{where}: {finding.message}")
    if result.unknown:
        head += ["No catalog rule knows this failure; the log lines that matter:", "```", *result.unknown, "```"]
    if not result.findings and not result.unknown:
        head.append("No finding: see the troubleshooting log below.")
    if result.steps:
        head += ["", "### What was tried", ""]
        head += [f"{s.number}. {s.rule}: {s.solution}" for s in result.steps]
    command = f"dockerfix repair {prefix.rstrip('/') or '.'} --strategy {result.requested} --dry-run --report report.md"
    head += ["", "### Reproduce", "", "```", command, "```", ""]
    footer = ["", "---", (f"<sub>Opened by dockerfix {__version__}; a later failing run updates this issue, one that repairs "
                                 "or passes closes it.</sub>"),
              issue_marker(prefix)]
    return _assemble(head, result, footer)
