"""The GitHub Action and the pre-commit hook call dockerfix with options the CLI really has."""

from __future__ import annotations

import os
import re
import subprocess

import pytest
import yaml

from conftest import ROOT
from dockerfix.cli import main

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
RECORDER = '#!/bin/sh\nprintf "%s\\n" "$@" > "$RUNNER_TEMP/argv"\necho "# report" > "$RUNNER_TEMP/dockerfix-report.md"\n'


def run_action(tmp_path, **inputs: str) -> tuple[int, list[str], str]:
    """The action's dockerfix step under bash, with `dockerfix` replaced by a recorder of its arguments."""
    (tmp_path / "bin").mkdir(exist_ok=True)
    (tmp_path / "bin" / "dockerfix").write_text(RECORDER)
    (tmp_path / "bin" / "dockerfix").chmod(0o755)
    step = ACTION["runs"]["steps"][-1]
    defaults = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    environment = {key: re.sub(r"\$\{\{ inputs\.([\w-]+) \}\}", lambda m: {**defaults, **inputs}[m.group(1)], value)
                   for key, value in step["env"].items()}
    environment |= {"PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}", "RUNNER_TEMP": str(tmp_path),
                    "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"), "API_URL": "https://api.github.com",
                    "REPOSITORY": "acme/dealer"}
    completed = subprocess.run(["bash", "-c", step["run"]], env=environment, capture_output=True, text=True, check=False)
    argv = (tmp_path / "argv").read_text().splitlines() if (tmp_path / "argv").exists() else []
    summary = (tmp_path / "summary.md").read_text() if (tmp_path / "summary.md").exists() else ""
    return completed.returncode, argv, summary


@pytest.mark.parametrize("inputs", [
    {},
    {"mode": "pr", "labels": "docker, needs review\nbot", "base": "main", "strategy": "rewrite"},
    {"mode": "repair", "path": "services/api"},
    {"mode": "check"},
])
def test_action_runs_commands_the_cli_accepts(tmp_path, inputs):
    code, argv, summary = run_action(tmp_path, **inputs)
    assert code == 0 and argv[0] == inputs.get("mode", "pr")
    assert main([*argv, "--help"]) == 0  # an unknown option would fail to parse even with --help
    if argv[0] != "check":
        assert "# report" in summary
    if "labels" in inputs:
        assert " ".join(argv).count("--label") == 3 and "needs review" in argv and argv[argv.index("--base") + 1] == "main"


def test_action_rejects_an_unknown_mode(tmp_path):
    code, argv, _ = run_action(tmp_path, mode="deploy")
    assert code == 2 and argv == []


def test_action_installs_dockerfix_from_its_own_path_and_passes_the_token_by_environment():
    steps = ACTION["runs"]["steps"]
    assert ACTION["runs"]["using"] == "composite" and steps[0]["uses"].startswith("actions/setup-python@")
    assert "pip install" in steps[1]["run"] and steps[1]["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert steps[-1]["env"]["DOCKERFIX_GITHUB_TOKEN"] == "${{ inputs.token }}"
    assert "${{" not in steps[-1]["run"]  # inputs reach the script as variables, never spliced into it


def test_pre_commit_hook_checks_when_a_build_input_changes():
    (hook,) = HOOKS
    assert (hook["id"], hook["entry"], hook["pass_filenames"], hook["language"]) == (
        "dockerfix-check", "dockerfix check", False, "python")
    files = re.compile(hook["files"])
    for path in ("Dockerfile", "svc/Dockerfile.prod", "api.Dockerfile", "pyproject.toml", "poetry.lock", "uv.lock",
                 "Pipfile.lock", ".dockerignore", "svc/.dockerignore", "requirements-dev.txt"):
        assert files.search(path), path
    for path in ("README.md", "src/app/main.py", "docs/lockfile.md"):
        assert not files.search(path), path
    assert main(hook["entry"].split()[1:] + ["--help"]) == 0
