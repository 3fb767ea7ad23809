"""The catalog's own rules: every rule registered, documented, with its corpus case; ids unique."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import dockerfix
import dockerfix.catalog as catalog
from conftest import CORPUS
from dockerfix.catalog import BY_ID, RULES


def test_every_rule_module_is_registered():
    modules = {m.name for m in pkgutil.iter_modules(catalog.__path__) if m.name.startswith("DF")}
    registered = {f"{r.id}_{r.name.replace('-', '_')}" for r in RULES}
    assert modules == registered


def test_ids_are_unique_and_named_after_their_module():
    assert len(BY_ID) == len(RULES)
    for rule in RULES:
        assert rule.id.startswith("DF") and rule.id[2:].isdigit()


def test_every_rule_explains_itself():
    for rule in RULES:
        text = rule.explanation
        assert text and "What it catches" in text and "Why it breaks" in text and "The fix" in text, rule.id


def test_every_rule_has_a_corpus_case_that_names_it():
    for rule in RULES:
        assert rule.case, f"{rule.id} has no corpus case"
        case = CORPUS / rule.case / "case.toml"
        assert case.is_file(), f"{rule.id}: {case} missing"
        assert rule.id in tomllib.loads(case.read_text())["rules"], f"{rule.id} not expected by {case}"


def test_every_rule_recognises_something():
    for rule in RULES:
        assert rule.log or rule.detect or rule.from_check, rule.id


def test_every_module_imports_first_in_a_fresh_interpreter():
    """`import dockerfix.transform.declare` in a script must not meet a half-initialised catalog (an import cycle)."""
    package = Path(dockerfix.__file__).parent
    names = sorted(".".join(("dockerfix", *p.relative_to(package).with_suffix("").parts)).removesuffix(".__init__")
                   for p in package.rglob("*.py") if p.name not in ("__main__.py", "probe.py"))  # probe runs in images
    script = ("import importlib, sys\n"
              f"for name in {names!r}:\n"
              "    for loaded in [m for m in sys.modules if m.startswith('dockerfix')]:\n"
              "        del sys.modules[loaded]\n"
              "    importlib.import_module(name)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(package.parent)})
    assert done.returncode == 0, done.stderr[-2000:]


def test_every_run_rule_names_verification_checks_that_exist():
    """Run rules read verification checks by id (their facts, or what their code printed), never their words."""
    from dockerfix.checks import CHECK_IDS

    for rule in RULES:
        assert set(rule.checks) <= set(CHECK_IDS), (rule.id, rule.checks)
        if rule.kind == "run":
            assert rule.checks, f"{rule.id} names no verification check it reads"
        if rule.from_check is not None:
            assert rule.checks, f"{rule.id} reads checks' facts but names none"
