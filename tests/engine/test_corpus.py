"""Every corpus case on the real engine: the original fails the way its seed shows, the repair passes.

What a case holds is described in `tests/corpus_cases.py`.
"""

from __future__ import annotations

import re

import pytest

from conftest import keep_for_cleanup
from corpus_cases import Case, load_cases
from dockerfix.analyse import analyse
from dockerfix.build.sdk import SdkBackend
from dockerfix.catalog.rule import Context
from dockerfix.cli import main
from dockerfix.diagnose import static_findings
from dockerfix.repair import SOLVED_BY_REWRITE, repair
from dockerfix.verify import CacheProbe, verify

CASES = [case for case in load_cases() if case.saved_log is None]  # saved logs: tests/unit/test_saved_logs.py


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_fails_as_seeded_then_repairs(case: Case, engine, project_copy, capsys):
    project_dir = project_copy(case.directory / "project")
    original = case.original

    project = analyse(project_dir)
    backend = SdkBackend()
    built = case.build_original(project_dir, backend)
    keep_for_cleanup(built)
    try:
        assert built.ok == original["builds"], built.log[-3000:]
        evidence = f"{built.log}\n{built.error}"
        if built.ok:
            cache = CacheProbe(project_dir, {}, backend) if original.get("cache_check") else None
            checked = verify(project, built.image, cache=cache)
            assert checked.passed == original.get("verifies", False), checked.output()[-3000:]
            evidence = checked.output()
            if checked.passed:
                findings = static_findings(Context(root=project_dir, files={}, project=project))
                evidence = "\n".join(f"{f.rule} {f.location}: {f.message}" for f in findings)
        if "signature" in original:
            assert re.search(original["signature"], evidence, re.MULTILINE), evidence[-3000:]
        if case.rules:  # a working project has no rule to name
            # `dockerfix explain` on the saved log names the case's rule (it is the same diagnosis the loop makes)
            saved = project_dir.parent / f"{case.name}.log"
            saved.write_text(evidence)
            code = main(["explain", str(saved), "--project", str(project_dir)])
            named = {rule for rule in case.rules if re.search(rf"^{rule} ", capsys.readouterr().out, re.MULTILINE)}
            static = {f.rule for f in static_findings(Context(project_dir, {}, project))}
            assert code == 0 and named or set(case.rules) & static, "explain names no rule of the case (nor does check)"
    finally:
        backend.cleanup(built, keep_cache=True)

    settings = case.repair
    result = repair(project_dir, case.repair_options(keep_cache=True))
    keep_for_cleanup(result)
    applied = {step.rule for step in result.steps}
    found = {finding.rule for finding in result.findings}
    assert set(case.rules) <= applied | found, (applied, found, result.message, result.unknown, result.builds,
                                                 [(s.rule, s.build, s.symptom) for s in result.steps])
    assert result.status == settings.get("status", "repaired"), (result.message, result.unknown, result.steps)
    if result.status == "failed":
        assert not result.written and set(case.rules) <= found, "a report case ends with its finding and no edit"
    assert result.blocked == settings.get("blocked", False), (result.message, result.findings)
    if result.blocked:
        assert not result.steps, "an environment-blocked repair attempts no edit"
    if "changed_files" in settings:
        assert sorted(result.changed_files) == sorted(settings["changed_files"]), result.diff
    if "strategy_won" in settings:
        assert result.strategy == settings["strategy_won"], result.strategy_reason
    if "backend" in settings:
        assert {build.backend for build in result.builds} == {settings["backend"]}, result.builds
    replaced = {step.rule for step in result.steps if step.solution.startswith(SOLVED_BY_REWRITE)}
    assert set(settings.get("replaced", [])) <= replaced, result.steps
    if result.status == "ok":  # a working build is left alone
        assert result.verification is not None and result.verification.passed
        assert not result.changed_files and not result.written and len(result.builds) == 1, result.strategy_reason
    if result.status == "repaired":
        assert result.verification is not None and result.verification.passed
        assert result.written
        # what the user runs next is the default: a case repaired by going back from a failed rewrite must not
        # be rewritten again
        again = repair(project_dir, case.repair_options(keep_cache=True, strategy="auto"))
        keep_for_cleanup(again)
        assert again.status == "ok" and not again.changed_files and len(again.builds) == 1, again.steps
