"""Every corpus case on the real engine: the original fails the way its seed shows, the repair passes.

What a case holds is described in `tests/corpus_cases.py`.
"""

from __future__ import annotations

import json
import re

import pytest

from conftest import keep_for_cleanup
from corpus_cases import Case, load_cases
from dockerfix.analyse import analyse
from dockerfix.analyse.dockerfile import parse_dockerfile
from dockerfix.catalog import BY_ID
from dockerfix.build import get_backend
from dockerfix.model import Context, Fix
from dockerfix.cli import main
from dockerfix.diagnose import static_findings
from dockerfix.repair import SOLVED_BY_REWRITE, repair
from dockerfix.verify import CacheProbe, verify

CASES = [case for case in load_cases() if case.saved_log is None]  # saved logs: tests/unit/test_saved_logs.py


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_fails_as_seeded_then_repairs(case: Case, engine, project_copy, capsys):
    project_dir = project_copy(case.directory / "project")
    original = case.original
    if not case.buildable:
        _check_unbuildable(case, project_dir, capsys)
        return

    project = analyse(project_dir)
    backend = get_backend(original.get("backend", "sdk"))  # the classic builder unless the case names BuildKit
    built = case.build_original(project_dir, backend)
    keep_for_cleanup(built)
    try:
        assert built.ok == original["builds"], built.log[-3000:]
        evidence = saved_text = f"{built.log}\n{built.error}"
        if built.ok:
            cache = CacheProbe(project_dir, {}, backend) if original.get("cache_check") else None
            checked = verify(project, built.image, cache=cache)
            assert checked.passed == original.get("verifies", False), checked.output()[-3000:]
            evidence, saved_text = checked.output(), json.dumps(checked.to_json())  # explain reads the checks' facts
            if checked.passed:
                findings = static_findings(Context(root=project_dir, files={}, project=project))
                evidence = "\n".join(f"{f.rule} {f.location}: {f.message}" for f in findings)
        if "signature" in original:
            assert re.search(original["signature"], evidence, re.MULTILINE), evidence[-3000:]
        if case.catalog_rules:  # a working project has no rule to name, a rewrite case's layout step is no rule
            # `dockerfix explain` on the saved log names the case's rule (it is the same diagnosis the loop makes)
            saved = project_dir.parent / f"{case.name}.log"
            saved.write_text(saved_text)
            code = main(["explain", str(saved), "--project", str(project_dir)])
            named = {rule for rule in case.catalog_rules if re.search(rf"^{rule} ", capsys.readouterr().out, re.MULTILINE)}
            static = {f.rule for f in static_findings(Context(project_dir, {}, project))}
            assert code == 0 and named or case.catalog_rules & static, "explain names no rule of the case (nor does check)"
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
    if "message" in settings:
        assert re.search(settings["message"], result.message), result.message
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
    if "rewrite" in applied:
        assert result.accounting, "a rewrite accounts for every instruction of the original"
    dockerfile = (project_dir / project.dockerfile_path).read_text()
    for kept in settings.get("keeps", ()):
        assert re.search(kept, dockerfile, re.MULTILINE), (kept, dockerfile)
    if result.status == "repaired":
        assert result.verification is not None and result.verification.passed
        assert result.written
        # what the user runs next is the default: a case repaired by going back from a failed rewrite must not
        # be rewritten again
        again = repair(project_dir, case.repair_options(keep_cache=True, strategy="auto"))
        keep_for_cleanup(again)
        assert again.status == "ok" and not again.changed_files and len(again.builds) == 1, again.steps


def _check_unbuildable(case: Case, project_dir, capsys) -> None:
    """A case this engine cannot build (a heredoc on Docker 20.10): read, checked, rewritten and fixed statically."""
    assert main(["analyse", str(project_dir)]) == 0
    capsys.readouterr()
    assert main(["check", str(project_dir)]) == 1
    assert re.search(case.original["signature"], capsys.readouterr().out, re.MULTILINE)
    assert main(["rewrite", "--dry-run", str(project_dir)]) == 0
    project = analyse(project_dir)
    context = Context(root=project_dir, files={}, project=project, strategy=case.repair.get("strategy", "rewrite"))
    fixes = [BY_ID[f.rule].fix(context, f) for f in static_findings(context) if f.rule in case.rules]  # type: ignore[misc]
    edited = {path: text for fix in fixes if isinstance(fix, Fix) for path, text in fix.files.items()}
    assert sorted(edited) == sorted(case.repair.get("changed_files", edited)), fixes
    for path, text in edited.items():
        if path == project.dockerfile_path:
            parse_dockerfile(path, text)  # still a Dockerfile, heredoc and all
