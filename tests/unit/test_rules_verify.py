"""The run-time, report and compose rules (DF040–DF056): recognition on realistic verification output and
logs, and each fix's edit."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockerfix.analyse import analyse
from dockerfix.catalog import BY_ID
from dockerfix.catalog import DF040_undeclared_import as df040
from dockerfix.model import Context, Fix, Location, Skip
from dockerfix.checks import (
    CacheRebuild,
    Check,
    EntryResolution,
    EntryRun,
    Home,
    ImportTimes,
    ProbeRun,
    RerunInstall,
    SlowImport,
    UserId,
    Verification,
)
from dockerfix.diagnose import diagnose, diagnose_verification, static_findings

DOCKERFILE = """FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["python", "-m", "app"]
"""


def project(tmp_path: Path, files: dict[str, str | None] | None = None) -> Context:
    """A project in tmp_path: a small requirements project, with `files` added or replaced (None: left out)."""
    base = {"requirements.txt": "six==1.17.0\n", "Dockerfile": DOCKERFILE, "app/__init__.py": "", "app/__main__.py": "",
            ".dockerignore": ".git\n"}
    for relpath, text in {**base, **(files or {})}.items():
        if text is None:
            continue
        path = tmp_path / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return Context(root=tmp_path, files={}, project=analyse(tmp_path), strategy="minimal")


def run_findings(context: Context, output: str):
    return diagnose(context, output, kinds=("run", "report")).findings


def check_findings(context: Context, check: Check):
    """What the run rules find in one failed check (they read its id and facts)."""
    return diagnose_verification(context, Verification(passed=False, checks=(check,))).findings


def only(findings, rule: str):
    found = [f for f in findings if f.rule == rule]
    assert found, [f.rule for f in findings]
    return found[0]


def fixed(context: Context, finding) -> dict[str, str]:
    outcome = BY_ID[finding.rule].fix(context, finding)
    assert isinstance(outcome, Fix), outcome
    return dict(outcome.files)


EMAIL = """[imports-project] 1 project package(s) fail to import
import accounts
Traceback (most recent call last):
  File "/usr/local/lib/python3.11/site-packages/pydantic/networks.py", line 404, in import_email_validator
    import email_validator
ModuleNotFoundError: No module named 'email_validator'

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/app/accounts/__init__.py", line 6, in <module>
    class LoginRequest(BaseModel):
  File "/usr/local/lib/python3.11/site-packages/pydantic/networks.py", line 406, in import_email_validator
    raise ImportError('email-validator is not installed, run `pip install pydantic[email]`') from e
ImportError: email-validator is not installed, run `pip install pydantic[email]`
"""


def test_df040_declares_the_missing_distribution_pinned(tmp_path, monkeypatch):
    context = project(tmp_path, {"requirements.txt": "pydantic==2.9.2\n"})
    finding = only(run_findings(context, EMAIL), "DF040")
    assert finding.capture("distribution") == "email-validator" and "pydantic[email]" in finding.message
    assert not any(f.rule == "DF047" for f in run_findings(context, EMAIL))  # an environment error, not the code's
    monkeypatch.setattr(df040, "newest_release", lambda name, python: "2.2.0")
    assert fixed(context, finding) == {"requirements.txt": "pydantic==2.9.2\nemail-validator==2.2.0\n"}


def test_df040_pins_to_the_newest_release_in_pyproject(tmp_path, monkeypatch):
    pyproject = '[project]\nname = "x"\nversion = "1"\ndependencies = [\n    "pydantic==2.9.2",  # models\n]\n'
    context = project(tmp_path, {"pyproject.toml": pyproject, "requirements.txt": None})
    monkeypatch.setattr(df040, "newest_release", lambda name, python: "2.2.0")
    files = fixed(context, only(run_findings(context, EMAIL), "DF040"))
    assert files["pyproject.toml"].endswith('    "pydantic==2.9.2",  # models\n    "email-validator==2.2.0",\n]\n')


@pytest.mark.parametrize("output", [
    "ModuleNotFoundError: No module named 'app.local'",  # the project's own module
    "ModuleNotFoundError: No module named 'six.moves.nothing'",  # a declared distribution: not undeclared
    "ModuleNotFoundError: No module named '_sqlite3'",  # the standard library
    "- couldn't import psycopg 'c' implementation: No module named 'psycopg_c'",  # a fallback psycopg tried
])
def test_df040_leaves_other_missing_modules_alone(tmp_path, output):
    assert not any(f.rule == "DF040" for f in run_findings(project(tmp_path), output))


def test_df041_replaces_a_removed_extra_before_building(tmp_path):
    context = project(tmp_path, {"requirements.txt": "# checkpointer\nlanggraph[postgres]>=0.2\n"})
    finding = only(static_findings(context), "DF041")
    assert finding.location == Location("requirements.txt", 2)
    assert fixed(context, finding) == {"requirements.txt": "# checkpointer\nlanggraph>=0.2\nlanggraph-checkpoint-postgres\n"}
    output = "import agent\nTraceback (most recent call last):\n  File \"/app/agent/__init__.py\", line 3, in <module>\n" \
             "ModuleNotFoundError: No module named 'langgraph.checkpoint.postgres'\n"
    assert only(run_findings(context, output), "DF041").capture("extra") == "postgres"
    assert not any(f.rule == "DF040" for f in run_findings(context, output))


@pytest.mark.parametrize("log", [
    "Step 4/6 : RUN pip install -r requirements.txt\nWARNING: langgraph 0.6.7 does not provide the extra 'postgres'\n",
    "#8 [3/5] RUN pip install -r requirements.txt\n#8 12.37 WARNING: langgraph 0.6.7 does not provide the extra 'postgres'\n",
])
def test_df041_recognises_pips_warning_in_both_builders(tmp_path, log):
    context = project(tmp_path, {"requirements.txt": "langgraph[postgres]>=0.2\n"})
    assert only(diagnose(context, log).findings, "DF041").capture("distribution") == "langgraph"


BCRYPT = """[imports-project] 1 project package(s) fail to import
import auth
(trapped) error reading bcrypt version
Traceback (most recent call last):
  File "/usr/local/lib/python3.11/site-packages/passlib/handlers/bcrypt.py", line 620, in _load_backend_mixin
    version = _bcrypt.__about__.__version__
              ^^^^^^^^^^^^^^^^^
AttributeError: module 'bcrypt' has no attribute '__about__'
Traceback (most recent call last):
  File "/app/auth/__init__.py", line 6, in <module>
    ADMIN_PASSWORD_HASH = pwd_context.hash("AdminPassword123!")
  File "/usr/local/lib/python3.11/site-packages/passlib/handlers/bcrypt.py", line 655, in _calc_checksum
    hash = _bcrypt.hashpw(secret, config)
ValueError: password cannot be longer than 72 bytes, truncate manually if necessary (e.g. my_password[:72])
"""


def test_df042_pins_bcrypt_for_passlib(tmp_path):
    context = project(tmp_path, {"requirements.txt": "passlib[bcrypt]==1.7.4\n"})
    finding = only(run_findings(context, BCRYPT), "DF042")
    assert "passlib" in finding.message
    assert fixed(context, finding) == {"requirements.txt": "passlib[bcrypt]==1.7.4\nbcrypt<4.1\n"}


def test_df043_installs_the_library_in_the_final_stage(tmp_path):
    context = project(tmp_path, {"Dockerfile": "FROM python:3.11-slim AS build\nRUN pip wheel -w /w six\n"
                                               "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nUSER nobody\nCMD [\"python\", \"-m\", \"app\"]\n"})
    output = "import magic (from python-magic)\nImportError: failed to find libmagic.  Check your installation\n"
    finding = only(run_findings(context, output), "DF043")
    assert finding.capture_list("packages") == ("libmagic1t64",)  # python:3.11-slim is trixie: the t64 rename
    text = fixed(context, finding)["Dockerfile"]
    assert text.splitlines()[3] == ("RUN apt-get update && apt-get install -y --no-install-recommends libmagic1t64 "
                                    "&& rm -rf /var/lib/apt/lists/*")
    assert text.splitlines()[2] == "FROM python:3.11-slim"
    bookworm = project(tmp_path, {"Dockerfile": "FROM python:3.11-slim-bookworm\nCMD [\"python\", \"-m\", \"app\"]\n"})
    assert only(run_findings(bookworm, output), "DF043").capture_list("packages") == ("libmagic1",)


def test_df043_a_bookworm_name_installed_on_trixie_counts(tmp_path):
    context = project(tmp_path, {"Dockerfile": "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y libmagic1"
                                               " && rm -rf /var/lib/apt/lists/*\nCMD [\"python\", \"-m\", \"app\"]\n"})
    output = "import magic (from python-magic)\nImportError: failed to find libmagic.  Check your installation\n"
    finding = only(run_findings(context, output), "DF043")
    assert "installed already" in BY_ID["DF043"].fix(context, finding).reason  # type: ignore[union-attr]


def test_df043_adds_to_the_final_stages_apt_install_and_names_the_other_dockerfile(tmp_path):
    apt_run = "RUN apt-get update \\\n && apt-get install -y --no-install-recommends curl \\\n && rm -rf /var/lib/apt/lists/*\n"
    context = project(tmp_path, {
        "Dockerfile": "FROM python:3.11-slim\nRUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*\nCMD [\"python\"]\n",
        "Dockerfile.local": "FROM python:3.11-slim\n" + apt_run + "COPY . .\nCMD [\"python\", \"-m\", \"app\"]\n",
        "docker-compose.local.yml": "services:\n  backend:\n    build:\n      context: .\n      dockerfile: Dockerfile.local\n"})
    assert context.dockerfile_path == "Dockerfile.local"
    output = ("ImportError: no pq wrapper available.\nAttempts made:\n- couldn't import psycopg 'c' implementation: No module"
              " named 'psycopg_c'\n- couldn't import psycopg 'python' implementation: libpq library not found\n")
    finding = only(run_findings(context, output), "DF043")
    assert "Dockerfile installs it, but the build uses Dockerfile.local" in finding.message
    files = fixed(context, finding)
    assert list(files) == ["Dockerfile.local"]
    assert "--no-install-recommends curl libpq5 \\\n" in files["Dockerfile.local"]


UVICORN = Check("entry-resolves", False, "the entry command does not resolve",
                facts=EntryResolution(missing_executable="uvicorn", installed_at=("/home/app/.local/bin/uvicorn",),
                                      path="/usr/local/bin:/usr/bin:/bin"))


@pytest.mark.parametrize("output", [UVICORN, 'exec: "uvicorn": executable file not found in $PATH: unknown',
                                    "/bin/sh: 1: uvicorn: not found"])
def test_df044_puts_the_scripts_directory_on_path(tmp_path, output):
    context = project(tmp_path, {"Dockerfile": "FROM python:3.11-slim\nRUN useradd -m app\nUSER app\nWORKDIR /home/app\n"
                                               "COPY . .\nRUN pip install --user -r requirements.txt\nEXPOSE 8000\n"
                                               'CMD ["uvicorn", "web:app"]\n'})
    found = check_findings(context, output) if isinstance(output, Check) else run_findings(context, output)
    finding = only(found, "DF044")
    assert finding.capture("folder") == "/home/app/.local/bin"
    lines = fixed(context, finding)["Dockerfile"].splitlines()
    assert lines[6:] == ['ENV PATH="/home/app/.local/bin:$PATH"', "EXPOSE 8000", 'CMD ["uvicorn", "web:app"]']


def test_df045_adds_a_user_at_the_end_of_the_final_stage(tmp_path):
    context = project(tmp_path)
    finding = only(check_findings(context, Check("non-root", False, "runs as root", facts=UserId(0))), "DF045")
    lines = fixed(context, finding)["Dockerfile"].splitlines()
    assert lines[-3:] == ["RUN useradd --system --create-home --home-dir /home/app --shell /usr/sbin/nologin app",
                          "USER app", 'CMD ["python", "-m", "app"]']
    root_pip = DOCKERFILE.replace("pip install", "pip install --user")
    context = project(tmp_path, {"Dockerfile": root_pip})
    assert isinstance(BY_ID["DF045"].fix(context, finding), Skip)


@pytest.mark.parametrize(("dockerfile", "found_before_building"), [
    (DOCKERFILE, True),  # no USER over python:3.11-slim: root
    (DOCKERFILE.replace("CMD", "USER app\nUSER 0\nCMD"), True),
    (DOCKERFILE.replace("CMD", "USER app\nCMD"), False),
    ("FROM python:3.11-slim AS base\nUSER app\nFROM base\nCMD [\"python\"]\n", False),  # inherited
    (DOCKERFILE.replace("python:3.11-slim", "registry.example/team/python:3.11"), False),  # its user is unknown
])
def test_df045_root_for_certain_is_found_before_building(tmp_path, dockerfile, found_before_building):
    context = project(tmp_path, {"Dockerfile": dockerfile})
    assert any(f.rule == "DF045" for f in static_findings(context)) == found_before_building


@pytest.mark.parametrize("home, command", [
    ("/home/app", "RUN mkdir -p /home/app && chown app: /home/app"),
    ("/nonexistent", "RUN mkdir -p /home/app && chown app: /home/app && usermod --home /home/app app"),
])
def test_df046_gives_the_user_a_home(tmp_path, home, command):
    context = project(tmp_path, {"Dockerfile": DOCKERFILE.replace("CMD", "RUN useradd --system app\nUSER app\nCMD")})
    check = Check("home-writable", False, "", facts=Home(home, f"[Errno 2] No such file or directory: '{home}'"))
    lines = fixed(context, only(check_findings(context, check), "DF046"))["Dockerfile"].splitlines()
    assert lines[lines.index("USER app") - 1] == command


@pytest.mark.parametrize(("denied", "user_line", "expected"), [
    # a relative path is the command's: under the final WORKDIR /app, before the USER (no COPY after it)
    (("static_root",), "USER app\nCMD", ["RUN mkdir -p /app && chown app: /app && if [ -e /app/static_root ]; then"
                                      " chown -R app: /app/static_root; fi", "USER app"]),
    # files copied after USER arrive later: owned at the stage's end, as root, and back to the user
    (("/app/data/db.sqlite3",), None, ["USER root", "RUN mkdir -p /app/data && chown app: /app/data && if [ -e"
                                    " /app/data/db.sqlite3 ]; then chown -R app: /app/data/db.sqlite3; fi",
                                    "USER app"]),
])
def test_df058_gives_the_user_the_folder_it_writes(tmp_path, denied, user_line, expected):
    dockerfile = (DOCKERFILE.replace("CMD", user_line) if user_line else
                  DOCKERFILE.replace("COPY . .", "USER app\nCOPY . ."))
    context = project(tmp_path, {"Dockerfile": dockerfile})
    check = Check("entry-runs", False, "exited with status 1", facts=EntryRun(5, exit_code=1, denied=denied))
    lines = fixed(context, only(check_findings(context, check), "DF058"))["Dockerfile"].splitlines()
    start = lines.index(expected[0]) if expected[0] != "USER root" else len(lines) - 3 - 1
    assert lines[start:start + len(expected)] == expected


def test_df058_gives_a_service_its_state_folder_and_the_app_its_own_in_one_step(tmp_path):
    context = project(tmp_path, {"Dockerfile": DOCKERFILE.replace("CMD", "USER app\nCMD")})
    denied = ("/app/static_root", "/var/log/supervisor/supervisord.log", "/etc/passwd")
    check = Check("entry-runs", False, "exited with status 1", facts=EntryRun(5, exit_code=1, denied=denied))
    lines = fixed(context, only(check_findings(context, check), "DF058"))["Dockerfile"].splitlines()
    assert lines[lines.index("USER app") - 1] == (
        "RUN mkdir -p /app /var/log/supervisor && chown app: /app /var/log/supervisor"
        " && if [ -e /app/static_root ]; then chown -R app: /app/static_root; fi"
        " && if [ -e /var/log/supervisor/supervisord.log ]; then chown -R app: /var/log/supervisor/supervisord.log; fi")


@pytest.mark.parametrize("denied", [("/etc/hosts",), ("/var/log/app.log",), ("/",)])
def test_df058_leaves_paths_outside_the_application_alone(tmp_path, denied):
    context = project(tmp_path, {"Dockerfile": DOCKERFILE.replace("CMD", "USER app\nCMD")})
    check = Check("entry-runs", False, "exited with status 1", facts=EntryRun(5, exit_code=1, denied=denied))
    assert not [f for f in check_findings(context, check) if f.rule == "DF058"]


def test_df058_needs_a_user_name(tmp_path):
    context = project(tmp_path, {"Dockerfile": DOCKERFILE.replace("CMD", "USER 1000\nCMD")})
    check = Check("entry-runs", False, "exited with status 1", facts=EntryRun(5, exit_code=1, denied=("/app/x",)))
    assert isinstance(BY_ID["DF058"].fix(context, only(check_findings(context, check), "DF058")), Skip)


ENV_ERROR = """[imports-project] 1 project package(s) fail to import
import billing
Traceback (most recent call last):
  File "<string>", line 47, in try_import
  File "/usr/local/lib/python3.11/importlib/__init__.py", line 126, in import_module
  File "/app/billing/__init__.py", line 3, in <module>
    from billing.config import SETTINGS
  File "/app/billing/config.py", line 14, in <module>
    SETTINGS = load_settings()
  File "/app/billing/config.py", line 6, in load_settings
    with open(path, encoding="utf-8") as handle:
FileNotFoundError: [Errno 2] No such file or directory: '.env'
"""


def test_df047_reports_the_innermost_frame_of_the_projects_code(tmp_path):
    context = project(tmp_path, {"billing/__init__.py": "", "billing/config.py": "", "Dockerfile": DOCKERFILE.replace("app", "billing")})
    finding = only(run_findings(context, ENV_ERROR), "DF047")
    assert finding.location == Location("billing/config.py", 6) and "FileNotFoundError" in finding.message
    assert BY_ID["DF047"].fix is None and BY_ID["DF047"].kind == "report"


def test_df047_ignores_tracebacks_outside_the_project(tmp_path):
    output = ("Traceback (most recent call last):\n  File \"/usr/local/lib/python3.11/site-packages/app/x.py\", line 1, in f\n"
              "RuntimeError: not ours\n")
    assert not any(f.rule == "DF047" for f in run_findings(project(tmp_path, {"other/__init__.py": ""}), output))


@pytest.mark.parametrize(("missing", "reported"), [
    ("app.mock_engine", "the project has no app/mock_engine.py"),  # the project's own module, absent: the code's error
    ("app.engine", None),  # the project has app/engine.py: not copied, or shadowed (other rules' business)
    ("flask", None),  # a distribution: DF040's
])
def test_df047_reports_a_missing_module_of_the_projects_own_package(tmp_path, missing, reported):
    context = project(tmp_path, {"app/engine.py": "from .mock_engine import WEIGHTS\n"})
    output = ("Traceback (most recent call last):\n  File \"/app/app/__main__.py\", line 1, in <module>\n"
              "  File \"/app/app/engine.py\", line 1, in <module>\n"
              f"ModuleNotFoundError: No module named '{missing}'\n")
    found = [f for f in run_findings(context, output) if f.rule == "DF047"]
    assert [f.message.endswith(reported) for f in found] == ([True] if reported else [])


def test_df048_names_file_and_line(tmp_path):
    context = project(tmp_path, {"app/review.py": "x = [\n"})
    output = ('[byte-compile] 1 source file(s) do not compile\n  File "/app/app/review.py", line 10\n    >= threshold]\n'
              "IndentationError: unindent does not match any outer indentation level\n")
    finding = only(run_findings(context, output), "DF048")
    assert finding.location == Location("app/review.py", 10) and "IndentationError" in finding.message


@pytest.mark.parametrize("ignore, dockerfile, reason", [
    (".git\nscripts/\n", DOCKERFILE, ".dockerignore:2 (`scripts/`) keeps it out"),
    (".git\n", DOCKERFILE.replace("COPY . .", "COPY app/ app/"), "no COPY or ADD in Dockerfile's final stage copies it"),
])
def test_df049_says_why_the_script_is_missing(tmp_path, ignore, dockerfile, reason):
    context = project(tmp_path, {".dockerignore": ignore, "Dockerfile": dockerfile, "scripts/seed_people.py": ""})
    output = "python3: can't open file '/app/scripts/seed_people.py': [Errno 2] No such file or directory\n"
    finding = only(run_findings(context, output), "DF049")
    assert reason in finding.message and "scripts/seed_people.py" in finding.message


def test_df049_script_not_in_the_project(tmp_path):
    output = "python3: can't open file '/app/scripts/seed_people.py': [Errno 2] No such file or directory\n"
    assert "volume mount" in only(run_findings(project(tmp_path), output), "DF049").message


def test_df050_lets_the_imported_module_back_in(tmp_path):
    context = project(tmp_path, {".dockerignore": ".git\n**/*settings*.py\n", "app/local_settings.py": "X = 1\n",
                                 "app/__main__.py": "from app.local_settings import X\n"})
    finding = only(static_findings(context), "DF050")
    assert finding.location == Location(".dockerignore", 2)
    assert fixed(context, finding) == {".dockerignore": ".git\n**/*settings*.py\n!app/local_settings.py\n"}


def test_df051_copies_the_manifests_first(tmp_path):
    dockerfile = ("FROM python:3.11-slim\nWORKDIR /app\nCOPY --chown=app . /app\n"
                  "RUN pip install --upgrade pip && pip install -r requirements.txt\nCMD [\"python\", \"-m\", \"app\"]\n")
    context = project(tmp_path, {"Dockerfile": dockerfile})
    finding = only(static_findings(context), "DF051")
    assert fixed(context, finding)["Dockerfile"] == (
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY --chown=app requirements.txt /app/\n"
        "RUN pip install --upgrade pip && pip install -r requirements.txt\nCOPY --chown=app . /app\n"
        "CMD [\"python\", \"-m\", \"app\"]\n")
    check = Check("cache", False, "", facts=CacheRebuild("app/__init__.py", (RerunInstall("Dockerfile", 4, "RUN pip"),)))
    assert only(check_findings(context, check), "DF051").capture("install_line") == "4"


def test_df051_leaves_an_install_of_the_project_itself(tmp_path):
    context = project(tmp_path, {"Dockerfile": "FROM python:3.11-slim\nCOPY . .\nRUN pip install .\n"})
    assert isinstance(BY_ID["DF051"].fix(context, only(static_findings(context), "DF051")), Skip)


COMPOSE = """services:
  redis:
    image: redis:alpine
  postgres:
    image: postgres:16
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
  web:
    build: .
    depends_on:
      redis:
        condition: service_started
      postgres:
        condition: service_started
    environment:
      DATABASE_URL: postgresql://u:secret@localhost:5432/db
      REDIS_HOST: redis
    ports: ["8000:8000"]
    command: bash -c "while ! nc -z postgres 5432; do sleep 1; done; python -m app"
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]
  worker:
    build: .
    network_mode: host
    environment:
      - DATABASE_URL=postgresql://u:secret@localhost:5432/db
    ports: ["8000:8001"]
"""


def test_compose_rules(tmp_path):
    context = project(tmp_path, {"docker-compose.yml": COMPOSE})
    found = static_findings(context)
    messages = {f.rule: [x.message for x in found if x.rule == f.rule] for f in found}
    assert any("web depends on redis, which has no healthcheck" in m for m in messages["DF052"])
    assert any("without `condition: service_healthy`" in m and "postgres" in m for m in messages["DF052"])
    assert messages["DF053"] == ["web's DATABASE_URL points at localhost, which inside its container is the container "
                                 "itself: use the service name `postgres`"]  # not the worker: host networking
    assert sorted(m.split(" runs ")[1].split(",")[0] for m in messages["DF054"]) == ["curl", "nc"]
    assert messages["DF056"] == ["web and worker both publish host port 8000: the second fails with `port is already allocated`"]
    assert all("secret" not in e for f in found for e in f.evidence)


def test_compose_tools_installed_by_the_dockerfile_are_fine(tmp_path):
    dockerfile = DOCKERFILE.replace("WORKDIR", "RUN apt-get update && apt-get install -y netcat-openbsd curl\nWORKDIR")
    context = project(tmp_path, {"docker-compose.yml": COMPOSE, "Dockerfile": dockerfile})
    assert not any(f.rule == "DF054" for f in static_findings(context))


@pytest.mark.parametrize("env, problem", [
    ("REDIS_URL=redis://:pw1@redis:6379/0\nREDIS_PASSWORD=pw1\n", "the password is in REDIS_URL and again in REDIS_PASSWORD"),
    ("REDIS_URL=redis://:pw1@redis:6379/0\nREDIS_PASSWORD=pw2\n", "REDIS_URL and REDIS_PASSWORD disagree on the password"),
    ("REDIS_URL=redis://redis:6380/0\nREDIS_PORT=6379\n", "REDIS_URL and REDIS_PORT disagree on the port"),
])
def test_df055_env_contradictions(tmp_path, env, problem):
    context = project(tmp_path, {".env": env, "docker-compose.yml": "services:\n  web:\n    build: .\n    env_file: .env\n"})
    finding = only(static_findings(context), "DF055")
    assert finding.message.startswith(problem) and finding.location == Location(".env", 1)
    assert not any("pw1" in e or "pw2" in e for e in finding.evidence)


def test_df055_consistent_settings(tmp_path):
    context = project(tmp_path, {".env": "REDIS_URL=redis://redis:6379/0\nREDIS_PORT=6379\nREDIS_HOST=redis\n"})
    assert not any(f.rule == "DF055" for f in static_findings(context))


@pytest.mark.parametrize("log", [
    "Error response from daemon: driver failed programming external connectivity on endpoint redis: "
    "Bind for 0.0.0.0:6379 failed: port is already allocated",
    "redis  | 1:M 12 Jan 10:00:00.000 # Warning: Could not create server TCP listening socket *:6379: bind: Address already in use",
])
def test_df056_recognises_a_taken_port(tmp_path, log):
    assert only(diagnose(project(tmp_path), log).findings, "DF056").rule == "DF056"


@pytest.mark.parametrize("check, how", [
    (Check("import-time", False, "", facts=ImportTimes(10.0, (SlowImport("app", 42.5),))), "app takes 42.5 s to import"),
    (Check("probe", False, "", facts=ProbeRun(124, "app")), "app did not finish importing"),
])
def test_df047_reports_a_slow_import_with_its_time(tmp_path, check, how):
    assert how in only(check_findings(project(tmp_path), check), "DF047").message
