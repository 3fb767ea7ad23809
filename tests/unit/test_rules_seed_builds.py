"""The build rules of seeds 000 and 001 (DF002-DF013): recognition on real log excerpts (classic builder and
Docker 20.10 BuildKit) and on the project's files, and what each fix writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import CORPUS
from dockerfix.analyse import analyse
from dockerfix.analyse.dockerfile import parse_dockerfile
from dockerfix.catalog import BY_ID
from dockerfix.analyse.failed_step import failed_command, failed_run
from dockerfix.model import Context, Finding, Fix
from dockerfix.diagnose import diagnose, static_findings
from dockerfix.transform import lock as lock_module
from dockerfix.analyse.shell import split_commands
from dockerfix.transform.shell import apply_command_edits

POETRY_PROJECT = CORPUS / "s000-1-lock-ignored" / "project"


def make(tmp_path: Path, dockerfile: str, *, poetry: bool = True, files: dict[str, str] | None = None) -> Context:
    root = tmp_path / "project"
    if poetry:
        shutil.copytree(POETRY_PROJECT, root)
        (root / ".dockerignore").write_text(".git\n")
    else:
        (root / "app").mkdir(parents=True)
        (root / "app" / "__init__.py").write_text("")
        (root / "requirements.txt").write_text("six==1.17.0\n")
    for relpath, text in (files or {}).items():
        (root / relpath).write_text(text)
    (root / "Dockerfile").write_text(dockerfile)
    return Context(root=root, files={}, project=analyse(root), strategy="minimal")


def classic(step: str, output: str, code: int = 1) -> str:
    return f"Step 5/9 : {step}\n ---> Running in 0123456789ab\n{output}\nThe command '/bin/sh -c {step[4:]}' " \
           f"returned a non-zero code: {code}"


def buildkit(step: str, output: str, code: int = 1) -> str:
    lines = "\n".join(f"#10 0.324 {line}" for line in output.splitlines())
    return (f"#10 [stage-0 5/7] {step}\n#10 sha256:b308e43736a4\n{lines}\n"
            f"#10 ERROR: executor failed running [/bin/sh -c {step[4:]}]: exit code: {code}\n------\n"
            f" > [stage-0 5/7] {step}:\n------\nexecutor failed running [/bin/sh -c {step[4:]}]: exit code: {code}")


def findings(context: Context, log: str, rule: str) -> list[Finding]:
    return [f for f in diagnose(context, log).findings if f.rule == rule]


def fixed(context: Context, finding: Finding, path: str = "Dockerfile") -> str:
    outcome = BY_ID[finding.rule].fix(context, finding)
    assert isinstance(outcome, Fix), outcome
    text = outcome.files[path]
    if path == "Dockerfile":
        parse_dockerfile(path, text)
    return text


def static(context: Context, rule: str) -> list[Finding]:
    return [f for f in static_findings(context) if f.rule == rule]


BOTH = pytest.mark.parametrize("shape", [classic, buildkit], ids=["classic", "buildkit"])


# ---- shared helpers --------------------------------------------------------------------------------------------


def test_failed_step_reads_every_builder_format():
    step = "RUN uv pip install --prod -r poetry.lock"
    assert failed_command(classic(step, "error")) == "uv pip install --prod -r poetry.lock"
    assert failed_command(buildkit(step, "error")) == "uv pip install --prod -r poetry.lock"
    newer = 'ERROR: process "/bin/sh -c echo \\"a b\\" && false" did not complete successfully: exit code: 1'
    assert failed_command(newer) == 'echo "a b" && false'
    dockerfile = parse_dockerfile("Dockerfile", "FROM python:3.11-slim\nRUN uv pip install \\\n  --prod -r poetry.lock\n")
    assert failed_run(dockerfile, classic("RUN uv pip install   --prod -r poetry.lock", "x")).line == 2


def test_shell_commands_split_outside_quotes_and_edit_in_place():
    commands = split_commands('poetry config virtualenvs.create false && echo "a && b" || true; ls | wc -l')
    assert [c.text for c in commands] == ["poetry config virtualenvs.create false", 'echo "a && b"', "true", "ls", "wc -l"]
    assert [c.separator for c in commands] == ["", "&&", "||", ";", "|"]
    text = "FROM x\nRUN poetry config virtualenvs.create false \\\n # keep me\n && poetry lock --no-update \\\n && poetry install\n"
    run = parse_dockerfile("Dockerfile", text).instructions[1]
    dropped = apply_command_edits(text, {run: {"poetry lock --no-update": None}})
    assert dropped == "FROM x\nRUN poetry config virtualenvs.create false \\\n && poetry install\n"
    renamed = apply_command_edits(text, {run: {"poetry install": "poetry install --no-root"}})
    assert "# keep me" in renamed and "&& poetry install --no-root" in renamed


def test_buildkit_empty_output_lines_normalise_to_empty_lines():
    """The BuildKit backend strips each line, so an empty output line is "#8 5.503": it must not stay in the way
    of patterns that span lines (DF026's "Installing the current project" ... "does not contain any element")."""
    from dockerfix.diagnose import normalise_log

    assert normalise_log("#8 5.483 Installing\n#8 5.503\n#8 5.512 /app/x does not contain any element") == \
        "Installing\n\n/app/x does not contain any element"


# ---- DF002 installer-option-unknown (S000-2) ---------------------------------------------------------------------

UV_PROD = """error: unexpected argument '--prod' found

  tip: a similar argument exists: '--project'

Usage: uv pip install --project <PROJECT> <PACKAGE|--requirements <REQUIREMENTS>|--editable <EDITABLE>|--group <GROUP>>

For more information, try '--help'."""
UV_DOCKERFILE = """FROM python:3.11-slim
COPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/uv
WORKDIR /app
COPY pyproject.toml poetry.lock /app/
RUN uv pip install --prod --require-hashes -r poetry.lock
COPY . /app
"""


@BOTH
def test_df002_uv_prod_with_a_lock_becomes_the_projects_install(tmp_path, shape):
    context = make(tmp_path, UV_DOCKERFILE)
    [finding] = findings(context, shape("RUN uv pip install --prod --require-hashes -r poetry.lock", UV_PROD, 2), "DF002")
    assert finding.captures == {"tool": "uv pip install", "option": "--prod"}
    text = fixed(context, finding)
    assert "--prod" not in text and "poetry.lock" in text  # the COPY stays
    assert "/opt/tools/bin/pip install --no-cache-dir poetry==1.8.5" in text
    assert "poetry export --only main" in text and "pip install --no-deps --require-hashes -r /tmp/requirements.txt" in text
    assert "rm -rf /opt/tools /tmp/requirements.txt" in text


def test_df002_is_found_before_building_and_a_requirements_file_only_loses_the_flag(tmp_path):
    context = make(tmp_path, "FROM python:3.11-slim\nCOPY requirements.txt .\nRUN pip install --prod -r requirements.txt\n",
                   poetry=False)
    [finding] = static(context, "DF002")
    assert fixed(context, finding).splitlines()[-1] == "RUN pip install -r requirements.txt"


def test_df002_no_dev_with_an_unpinned_poetry_is_fixed_before_building(tmp_path):
    step = "RUN poetry install --no-dev --no-root"
    context = make(tmp_path, f"FROM python:3.11-slim\nRUN pip install poetry\n{step}\n")
    [finding] = static(context, "DF002")  # pip picks today's newest Poetry: 2.x, which removed --no-dev
    assert "`poetry install --no-dev` fails with the poetry that `poetry` at line 2 installs (2.0 or later" in finding.message
    assert fixed(context, finding).splitlines()[-1] == "RUN poetry install --only main --no-root"


@pytest.mark.parametrize("requirement", ["poetry==1.8.5", "'poetry<2'", "poetry~=1.8"])
def test_df002_no_dev_with_a_poetry_1_is_left_to_the_log(tmp_path, requirement):
    step = "RUN poetry install --no-dev --no-root"
    context = make(tmp_path, f"FROM python:3.11-slim\nRUN pip install {requirement}\n{step}\n")
    assert static(context, "DF002") == []  # Poetry 1.x accepts --no-dev: only the log can tell
    [finding] = findings(context, classic(step, '\nThe option "--no-dev" does not exist'), "DF002")
    assert fixed(context, finding).splitlines()[-1] == "RUN poetry install --only main --no-root"


def test_df002_pip_no_such_option(tmp_path):
    step = "RUN pip install --production six"
    context = make(tmp_path, f"FROM python:3.11-slim\n{step}\n", poetry=False)
    log = buildkit(step, "\nUsage:   \n  pip install [options] <requirement specifier> [package-index-options] ...\n\nno such option: --production", 2)
    [finding] = findings(context, log, "DF002")
    assert fixed(context, finding).splitlines()[-1] == "RUN pip install six"


# ---- DF003 lock-file-read-as-requirements (S000-3, S000-4) -------------------------------------------------------------


@BOTH
@pytest.mark.parametrize("step", ["RUN uv pip install --require-hashes -r poetry.lock", "RUN uv pip sync poetry.lock"])
def test_df003_uv_parses_the_lock(tmp_path, shape, step):
    context = make(tmp_path, f"FROM python:3.11-slim\nCOPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/uv\n"
                             f"COPY pyproject.toml poetry.lock ./\n{step}\n")
    log = shape(step, "error: Unexpected '[', expected '-c', '-e', '-r' or the start of a requirement: poetry.lock:3:1")
    [finding] = findings(context, log, "DF003")
    assert finding.capture("lock") == "poetry.lock"
    text = fixed(context, finding)
    assert "uv pip" not in text and "/opt/tools/bin/poetry export --only main" in text
    assert static(context, "DF003")  # and before any build


def test_df003_pip_invalid_requirement(tmp_path):
    step = "RUN pip install -r poetry.lock"
    context = make(tmp_path, f"FROM python:3.11-slim\nCOPY pyproject.toml poetry.lock ./\n{step}\n")
    log = classic(step, "ERROR: Invalid requirement: '[[package]]' (from line 3 of poetry.lock)")
    [finding] = findings(context, log, "DF003")
    assert "pip install --no-deps --require-hashes -r /tmp/requirements.txt" in fixed(context, finding)


# ---- DF004 uv-pip-without-virtualenv (S000-5) --------------------------------------------------------------------------

NO_VENV = ("error: No virtual environment found; run `uv venv` to create an environment, or pass `--system` to "
           "install into a non-virtual environment")


@BOTH
def test_df004_creates_and_activates_a_venv(tmp_path, shape):
    step = "RUN uv pip sync requirements.txt"
    context = make(tmp_path, f"FROM python:3.11-slim\nCOPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/uv\n"
                             f"COPY requirements.txt .\n{step}\nCMD [\"python\", \"-m\", \"app\"]\n", poetry=False)
    [finding] = findings(context, shape(step, NO_VENV, 2), "DF004")
    lines = fixed(context, finding).splitlines()
    assert lines[3:6] == ['ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"',
                          'RUN uv venv /opt/venv --python "$(command -v python3)"', step]
    assert static(context, "DF004")


def test_df004_passes_system_when_a_later_stage_copies_the_system_prefix(tmp_path):
    context = make(tmp_path, "FROM python:3.11-slim AS build\nCOPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/uv\n"
                             "COPY requirements.txt .\nRUN uv pip install -r requirements.txt\n"
                             "FROM python:3.11-slim\nCOPY --from=build /usr/local /usr/local\n", poetry=False)
    [finding] = static(context, "DF004")
    assert "RUN uv pip install --system -r requirements.txt" in fixed(context, finding)


def test_df004_leaves_an_active_venv_alone(tmp_path):
    context = make(tmp_path, "FROM python:3.11-slim\nENV VIRTUAL_ENV=/opt/venv\nRUN uv pip install six\n", poetry=False)
    assert static(context, "DF004") == []


# ---- DF005 poetry-export-missing (S000-6) -------------------------------------------------------------------------------

EXPORT_MISSING = "The requested command export does not exist.\n\nDocumentation: https://python-poetry.org/docs/cli/"


@BOTH
def test_df005_pins_the_locks_poetry(tmp_path, shape):
    step = "RUN poetry export -f requirements.txt --output requirements.txt"
    context = make(tmp_path, f"FROM python:3.11-slim\nRUN pip install --no-cache-dir poetry\n"
                             f"COPY pyproject.toml poetry.lock ./\n{step}\n")
    [finding] = findings(context, shape(step, EXPORT_MISSING), "DF005")
    assert "RUN pip install --no-cache-dir poetry==1.8.5\n" in fixed(context, finding)
    assert static(context, "DF005")


def test_df005_adds_the_plugin_for_a_poetry_2_lock(tmp_path):
    context = make(tmp_path, "FROM python:3.11-slim\nRUN pip install 'poetry>=2'\nCOPY . .\nRUN poetry export -o r.txt\n")
    lock = (context.root / "poetry.lock").read_text().replace("Poetry 1.8.5", "Poetry 2.1.3")
    (context.root / "poetry.lock").write_text(lock)
    context = Context(context.root, {}, analyse(context.root), "minimal")
    [finding] = static(context, "DF005")
    assert "RUN pip install poetry==2.1.3 poetry-plugin-export\n" in fixed(context, finding)


def test_df005_a_poetry_1_pin_has_export(tmp_path):
    context = make(tmp_path, "FROM python:3.11-slim\nRUN pip install poetry==1.8.5\nRUN poetry export -o r.txt\n")
    assert static(context, "DF005") == []


# ---- DF006 llvmlite-built-from-source (S000-7..9) -------------------------------------------------------------------------

LLVMLITE_PROJECT = CORPUS / "s000-7-llvmlite-no-wheel" / "project"
LLVMLITE_LOGS = [
    "      RuntimeError: Could not find a `llvm-config` binary. There are a number of reasons this could occur",
    "      RuntimeError: Building llvmlite requires LLVM 14, got '20.1.3'. Be sure to set LLVM_CONFIG",
    "  ERROR: Failed building wheel for llvmlite\nFailed to build llvmlite",
    "ERROR: ERROR: Failed to build installable wheels for some pyproject.toml based projects (llvmlite)",
]


@BOTH
@pytest.mark.parametrize("output", LLVMLITE_LOGS)
def test_df006_moves_to_a_python_with_wheels(tmp_path, shape, output):
    root = tmp_path / "project"
    shutil.copytree(LLVMLITE_PROJECT, root)
    context = Context(root, {}, analyse(root), "minimal")
    [finding] = findings(context, shape("RUN pip install --no-cache-dir -r requirements.txt", output), "DF006")
    assert finding.capture("current") == "3.13"
    assert fixed(context, finding).splitlines()[0] == "FROM python:3.12-slim"


def test_df006_installs_llvm_when_no_allowed_python_has_wheels(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(LLVMLITE_PROJECT, root)
    pyproject = (root / "pyproject.toml").read_text().replace('python = "^3.10"', 'python = ">=3.13,<3.14"')
    (root / "pyproject.toml").write_text(pyproject)
    context = Context(root, {"pyproject.toml": pyproject}, analyse(root, files={"pyproject.toml": pyproject}), "minimal")
    step = "RUN pip install --no-cache-dir -r requirements.txt"
    [finding] = findings(context, classic(step, LLVMLITE_LOGS[1]), "DF006")
    text = fixed(context, finding)
    assert "apt-get install -y --no-install-recommends gcc g++ libc6-dev llvm-14-dev" in text
    assert "RUN export LLVM_CONFIG=/usr/bin/llvm-config-14 && pip install --no-cache-dir -r requirements.txt" in text
    assert text.splitlines()[0] == "FROM python:3.13-slim"


# ---- DF007 wheel-paths-mismatch (S001-1) -----------------------------------------------------------------------------

WHEELS = """FROM python:3.11-slim AS builder
WORKDIR /app
COPY requirements.txt .
RUN pip wheel --wheel-dir /wheels -r requirements.txt
FROM python:3.11-slim
COPY --from=builder /wheels /opt/wheels
COPY --from=builder /app/requirements.txt /requirements.txt
RUN pip install --no-index --find-links=/wheels -r /requirements.txt
RUN rm -rf /opt/wheels
"""
NO_DISTRIBUTION = """Looking in links: /wheels
WARNING: Location '/wheels' is ignored: it is either a non-existing path or lacks a specific scheme.
ERROR: Could not find a version that satisfies the requirement six==1.17.0 (from versions: none)
ERROR: No matching distribution found for six==1.17.0"""


@BOTH
def test_df007_copies_to_the_path_pip_reads(tmp_path, shape):
    context = make(tmp_path, WHEELS, poetry=False)
    [finding] = findings(context, shape("RUN pip install --no-index --find-links=/wheels -r /requirements.txt",
                                        NO_DISTRIBUTION), "DF007")
    lines = fixed(context, finding).splitlines()
    assert lines[5] == "COPY --from=builder /wheels /wheels" and lines[8] == "RUN rm -rf /wheels"
    assert static(context, "DF007")


def test_df007_agrees_paths_are_not_a_finding(tmp_path):
    context = make(tmp_path, WHEELS.replace("/opt/wheels", "/wheels"), poetry=False)
    assert static(context, "DF007") == []
    assert findings(context, classic("RUN pip install --no-index --find-links=/wheels -r /requirements.txt",
                                     NO_DISTRIBUTION), "DF007") == []


# ---- DF008 lock-file-stale (S001-2) ----------------------------------------------------------------------------------

STALE_INSTALL = ("Installing dependencies from lock file\n\npyproject.toml changed significantly since poetry.lock was last "
                 "generated. Run `poetry lock [--no-update]` to fix the lock file.")


@BOTH
def test_df008_refreshes_the_lock_on_the_host(tmp_path, shape, monkeypatch):
    step = "RUN poetry install --no-root"
    context = make(tmp_path, f"FROM python:3.11-slim\nCOPY pyproject.toml poetry.lock ./\n{step}\n")
    pyproject = (context.root / "pyproject.toml").read_text().replace('six = "^1.16"', 'six = "^1.16"\nclick = "^8.1"')
    context = Context(context.root, {"pyproject.toml": pyproject},
                      analyse(context.root, files={"pyproject.toml": pyproject}), "minimal")
    [finding] = static(context, "DF008")
    assert findings(context, shape(step, STALE_INSTALL), "DF008")
    seen = {}

    def refresh(root, files, lock):
        seen.update(files)
        return "# refreshed\n"
    monkeypatch.setattr("dockerfix.catalog.DF008_lock_file_stale.refresh_lock", refresh)
    assert fixed(context, finding, "poetry.lock") == "# refreshed\n"
    assert 'click = "^8.1"' in seen["pyproject.toml"]  # the workspace's pyproject, not the tree's


def test_df008_a_fresh_lock_is_not_a_finding(tmp_path):
    assert static(make(tmp_path, "FROM python:3.11-slim\n"), "DF008") == []


def test_lock_tool_keeps_versions_the_way_each_poetry_does():
    from dockerfix.model import LockFile

    def poetry(version: str) -> tuple[str, ...]:
        return lock_module.lock_tool(LockFile("poetry", "poetry.lock", (), True, tool_version=version)).arguments
    assert poetry("1.8.5") == ("lock", "--no-update", "--no-interaction")
    assert poetry("2.1.3") == ("lock", "--no-interaction")
    assert lock_module.lock_tool(LockFile("uv", "uv.lock", (), True)).arguments == ("lock",)


def test_tools_are_cached_under_dockerfix_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKERFIX_CACHE_DIR", str(tmp_path))
    assert lock_module.tools_dir() == tmp_path / "tools"


# ---- DF009 lock-in-image (S001-3..5) --------------------------------------------------------------------------------


@BOTH
def test_df009_removes_locking_from_the_build(tmp_path, shape):
    step = "RUN poetry config virtualenvs.create false && poetry lock --no-update"
    context = make(tmp_path, f"FROM python:3.11-slim\nRUN pip install poetry==2.1.3\n{step}\nRUN poetry lock\n"
                             "RUN poetry install --no-root\n")
    [finding] = findings(context, shape(step, '\nThe option "--no-update" does not exist'), "DF009")
    lines = fixed(context, finding).splitlines()
    assert lines[2:] == ["RUN poetry config virtualenvs.create false", "RUN poetry install --no-root"]
    assert len(static(context, "DF009")) == 2


# ---- DF010 user-install-without-home (S001-6, S001-7) ---------------------------------------------------------------------

USER_INSTALL = """FROM python:3.11-slim
RUN {create}
COPY requirements.txt /opt/requirements.txt
USER appuser
RUN pip install --user --no-cache-dir -r /opt/requirements.txt
COPY . /app
"""


@BOTH
@pytest.mark.parametrize("create, path, home", [
    ("adduser --system --group appuser", "/nonexistent", "adduser --home /home/appuser --system --group appuser"),
    ("useradd -r appuser", "/home/appuser", "useradd --create-home -r appuser"),
])
def test_df010_installs_as_root_into_a_venv_and_gives_a_home(tmp_path, shape, create, path, home):
    context = make(tmp_path, USER_INSTALL.format(create=create), poetry=False)
    log = shape("RUN pip install --user --no-cache-dir -r /opt/requirements.txt",
                f"ERROR: Could not install packages due to an OSError: [Errno 13] Permission denied: '{path}'\n"
                "Check the permissions.")
    [finding] = findings(context, log, "DF010")
    assert fixed(context, finding).splitlines() == [
        "FROM python:3.11-slim", f"RUN {home}", "COPY requirements.txt /opt/requirements.txt",
        'ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"', "RUN python -m venv /opt/venv",
        "RUN pip install --no-cache-dir -r /opt/requirements.txt", "USER appuser", "COPY . /app"]
    assert static(context, "DF010")


def test_df010_wraps_the_install_when_the_user_runs_other_steps_first(tmp_path):
    context = make(tmp_path, "FROM python:3.11-slim\nRUN useradd --create-home appuser\nUSER appuser\n"
                             "RUN mkdir -p /home/appuser/data\nRUN pip install --user six\n", poetry=False)
    assert static(context, "DF010") == []  # the home exists: a user install works
    log = classic("RUN pip install --user six", "ERROR: Could not install packages due to an OSError: [Errno 13] "
                                                "Permission denied: '/home/appuser/.local'")
    [finding] = findings(context, log, "DF010")
    assert fixed(context, finding).splitlines()[4:] == [
        "USER root", 'ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"', "RUN python -m venv /opt/venv",
        "RUN pip install six", "USER appuser"]


# ---- DF011 adduser-unknown-option (S001-8) ----------------------------------------------------------------------------

ADDUSER_USAGE = """Unknown option: create-home
adduser [--uid id] [--firstuid id] [--lastuid id]
        [--gid id] [--firstgid id] [--lastgid id] [--ingroup group]"""


@BOTH
@pytest.mark.parametrize("command, expected", [
    ("adduser --system --create-home --group appuser", "adduser --system --group --home /home/appuser appuser"),
    ("adduser -r -m -d /srv/app -s /bin/false -u 10001 appuser",
     "adduser --system --home /srv/app --shell /bin/false --uid 10001 appuser"),
])
def test_df011_uses_debian_adduser_options(tmp_path, shape, command, expected):
    context = make(tmp_path, f"FROM python:3.11-slim\nRUN {command}\n", poetry=False)
    option = command.split()[2] if "--create-home" in command else "r"
    log = shape(f"RUN {command}", ADDUSER_USAGE.replace("create-home", option.lstrip("-")))
    [finding] = findings(context, log, "DF011")
    assert fixed(context, finding).splitlines()[1] == f"RUN {expected}"
    assert static(context, "DF011")


def test_df011_leaves_alpine_alone(tmp_path):
    context = make(tmp_path, "FROM python:3.11-alpine\nRUN adduser -D -h /home/app app\n", poetry=False)
    assert static(context, "DF011") == []


# ---- DF012 cleanup-as-user / DF013 cleanup-before-use (S001-9, S001-10) ------------------------------------------------

CLEANUP = """FROM python:3.11-slim
RUN useradd --create-home appuser
COPY requirements.txt /opt/requirements.txt
{first}
{second}
USER appuser
{third}
COPY . /app
"""
INSTALL = "RUN pip install --no-cache-dir -r /opt/requirements.txt"
REMOVE = "RUN rm -rf /opt/requirements.txt"
RIGHT = CLEANUP.format(first=INSTALL, second=REMOVE, third="").replace("\n\n", "\n")


@BOTH
def test_df012_cleanup_as_user_moves_after_the_install(tmp_path, shape):
    context = make(tmp_path, CLEANUP.format(first=INSTALL, second="", third=REMOVE).replace("\n\n", "\n"), poetry=False)
    log = shape(REMOVE, "rm: cannot remove '/opt/requirements.txt': Permission denied")
    [finding] = findings(context, log, "DF012")
    assert fixed(context, finding) == RIGHT
    assert static(context, "DF012")


@BOTH
def test_df013_cleanup_before_use_moves_after_the_install(tmp_path, shape):
    context = make(tmp_path, CLEANUP.format(first=REMOVE, second=INSTALL, third="").replace("\n\n", "\n"), poetry=False)
    log = shape(INSTALL, "ERROR: Could not open requirements file: [Errno 2] No such file or directory: "
                         "'/opt/requirements.txt'")
    [finding] = findings(context, log, "DF013")
    assert fixed(context, finding) == RIGHT
    assert static(context, "DF013")


def test_cleanup_rules_agree_so_the_loop_cannot_oscillate(tmp_path):
    """S001-9 then S001-10 in the seed: whichever is fixed, neither rule finds anything afterwards."""
    context = make(tmp_path, RIGHT, poetry=False)
    assert static(context, "DF012") == [] and static(context, "DF013") == []


def test_cleanup_after_an_install_as_the_user_runs_under_root(tmp_path):
    context = make(tmp_path, CLEANUP.format(first=REMOVE, second="", third=INSTALL.replace("install", "install --user"))
                   .replace("\n\n", "\n"), poetry=False)
    finding = static(context, "DF013")[0]
    assert fixed(context, finding).splitlines()[-5:] == [
        "RUN pip install --user --no-cache-dir -r /opt/requirements.txt", "USER root", REMOVE, "USER appuser", "COPY . /app"]
