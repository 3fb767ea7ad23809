"""The verification's parts that need no engine: the probe (run here, on the host's Python), the install-step
recognition of the cache check, the import scanner, the server port, the compose parsing, the declaration edits."""

from __future__ import annotations

import json
from dataclasses import replace
import subprocess
import sys
from pathlib import Path

import pytest

from dockerfix.analyse import analyse
from dockerfix.analyse.compose import parse_compose, parse_env_file
from dockerfix.analyse.dockerfile import parse_dockerfile
from dockerfix.analyse.dockerignore import parse_dockerignore
from dockerfix.analyse.imports import ignored_imports
from dockerfix.catalog import BY_ID
from dockerfix.analyse.install_steps import (
    first_dependency_installs,
    installs_dependencies,
    installs_project_too,
    manifests_read,
    reads_only_manifests,
    same_step,
)
from dockerfix.transform.declare import Edit, edit_pyproject_text, edit_requirements_text
from dockerfix.model import Context
from dockerfix.checks import EntryResolution, Imports, SecretFiles, Verification, check_from_json
from dockerfix.diagnose import diagnose_verification
from dockerfix.verify import PROBE, installed_dependencies, marker_environment, server_port


def write(root: Path, files: dict[str, str]) -> Path:
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def run_probe(cwd: Path, source: str | None = None, **spec) -> dict[str, dict]:
    full = {"packages": [], "distributions": [], "executable": None, "module": None, "script": None,
            "ignored_imports": [], **spec}
    # as in the image: `python -c`, so that the working directory is on sys.path
    done = subprocess.run([sys.executable, "-c", source or PROBE.read_text(), json.dumps(full)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)
    return {r["name"]: r for r in json.loads(done.stdout.strip().splitlines()[-1])}


def verification_of(results: dict[str, dict]) -> Verification:
    checks = tuple(check_from_json(r) for r in results.values())
    return Verification(passed=all(c.passed for c in checks), checks=checks)


PROBED_TREE = {
    "Dockerfile": 'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nUSER nobody\nCMD ["uvicorn", "app:api"]\n',
    "requirements.txt": "six==1.17.0\n",
    "app/__init__.py": "import missing_dist_xyz\n",
    "app/broken.py": "def f():\n    return [1,\n >= threshold]\n",
    "chatty/__init__.py": "import logging\nlogging.getLogger('x').warning('(trapped) error reading bcrypt version')\n"
                          "raise AttributeError(\"module 'bcrypt' has no attribute '__about__'\")\n",
}


@pytest.fixture(scope="module")
def probed_tree(tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp("image"), PROBED_TREE)


@pytest.fixture(scope="module")
def probed(probed_tree) -> dict[str, dict]:
    """One probe run over a tree with every failure the rules read: its facts are what they match."""
    return run_probe(probed_tree, packages=["app", "chatty"], executable="uvicorn-not-installed-anywhere",
                     script="scripts/seed_people.py", app_dirs=[str(probed_tree)],
                     ignored_imports=[{"module": "app.local_settings", "path": "app/local_settings.py",
                                       "importer": "app/main.py:3", "pattern": "**/*settings*.py", "line": 4}])


def test_probe_reports_each_failure_under_its_check(probed):
    assert not probed["imports-project"]["passed"]
    assert not probed["entry-resolves"]["passed"]
    assert not probed["dockerignore-imports"]["passed"]
    assert not probed["byte-compile"]["passed"]
    assert "(trapped) error reading bcrypt version" in probed["imports-project"]["output"]  # what the import logged


@pytest.mark.parametrize("rule, expected", [
    ("DF040", "missing_dist_xyz"),  # ModuleNotFoundError at the end of the import's traceback
    ("DF044", "uvicorn-not-installed-anywhere"),  # executable not on PATH
    ("DF048", "app/broken.py:3"),  # the file that does not compile
    ("DF049", "scripts/seed_people.py"),  # the script the command runs
    ("DF050", "app.local_settings"),  # dropped by .dockerignore
])
def test_rules_read_the_probes_facts(probed, probed_tree, rule, expected):
    context = Context(root=probed_tree, files={}, project=analyse(probed_tree))
    findings = diagnose_verification(context, verification_of(probed)).findings
    assert expected in next(f.message for f in findings if f.rule == rule), [f.rule for f in findings]


def test_rules_do_not_read_the_words_of_checks(probed, probed_tree):
    """Rewording every check's detail and output changes no finding: rules read ids and facts."""
    context = Context(root=probed_tree, files={}, project=analyse(probed_tree))
    reworded = {name: {**r, "detail": "reworded", "output": "reworded"} for name, r in probed.items()}
    def found(results: dict[str, dict]) -> list[str]:
        return [f.message for f in diagnose_verification(context, verification_of(results)).findings]
    assert found(reworded) == found(probed)


def test_verification_json_round_trips_its_typed_facts(probed):
    verification = verification_of(probed)
    again = Verification.from_json(json.loads(json.dumps(verification.to_json())))
    assert again == verification
    assert isinstance(again.checks[0].facts, Imports) and again.checks[0].facts.failures[0].module == "app"


def test_probe_times_each_project_import(tmp_path):
    root = write(tmp_path, {"sluggish/__init__.py": "import time\ntime.sleep(0.2)\n", "requirements.txt": ""})
    source = PROBE.read_text().replace("SLOW_IMPORT_SECONDS = 10.0", "SLOW_IMPORT_SECONDS = 0.1")
    spec = {"packages": ["sluggish"], "distributions": [], "executable": None, "module": None, "script": None,
            "ignored_imports": []}
    done = subprocess.run([sys.executable, "-c", source, json.dumps(spec)], cwd=root, capture_output=True, text=True)
    results = {r["name"]: check_from_json(r) for r in json.loads(done.stdout.strip().splitlines()[-1])}
    assert not results["import-time"].passed
    assert BY_ID["DF047"].from_check(Context(root, {}, analyse(root)), results["import-time"]) is not None
    assert "dockerfix-probe: importing sluggish" in done.stderr  # what names the import when the probe times out


def test_public_certificates_are_not_secrets_and_only_application_files_count(tmp_path):
    certificate = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    root = write(tmp_path, {"app/main.py": "", "app/ca.pem": certificate, "app/.venv/lib/cacert.pem": "PRIVATE KEY",
                            "app/server.pem": "-----BEGIN PRIVATE KEY-----\n", "app/.env": "X=1\n",
                            "elsewhere/.env": "X=1\n"})
    facts = check_from_json(run_probe(tmp_path, app_dirs=[str(root / "app")])["no-secrets"]).facts
    assert isinstance(facts, SecretFiles)
    assert sorted(facts.paths) == [str(root / "app/.env"), str(root / "app/server.pem")]


def test_a_dependency_module_the_application_does_not_import_is_a_note(tmp_path, monkeypatch):
    """A distribution with a working module and a broken legacy one: a failure only when the application imports
    the broken one, or when nothing of the distribution imports."""
    site = write(tmp_path / "site", {
        "olddist-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: olddist\nVersion: 1.0\n",
        "olddist-1.0.dist-info/top_level.txt": "olddist\nolddist_legacy\n",
        "olddist-1.0.dist-info/RECORD": "", "olddist/__init__.py": "", "olddist_legacy/__init__.py": "import imp_removed_xyz\n",
        "deaddist-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: deaddist\nVersion: 1.0\n",
        "deaddist-1.0.dist-info/top_level.txt": "deaddist\n", "deaddist-1.0.dist-info/RECORD": "",
        "deaddist/__init__.py": "import libpq_missing_xyz\n",
    })
    monkeypatch.setenv("PYTHONPATH", str(site))
    results = run_probe(tmp_path, distributions=["olddist", "deaddist"], imported=["olddist"])
    facts = check_from_json(results["imports-dependencies"]).facts
    assert isinstance(facts, Imports)
    assert [f.module for f in facts.failures] == ["deaddist"] and [f.module for f in facts.unused] == ["olddist_legacy"]
    assert "olddist_legacy (from olddist) fails to import, but the application does not import it" in \
        results["imports-dependencies"]["detail"]
    results = run_probe(tmp_path, distributions=["olddist"], imported=["olddist_legacy"])
    assert not results["imports-dependencies"]["passed"]


def test_dependencies_are_expected_only_where_their_marker_holds(tmp_path):
    """`backports.zoneinfo; python_version < "3.9"` is not installed on 3.12, so its absence is no failure; the
    environment is the image's (the official images' PYTHON_VERSION), and an image that does not say which Python
    it has expects no marked dependency."""
    write(tmp_path, {"requirements.txt": 'django==4.1.2\nbackports.zoneinfo; python_version < "3.9"\n'
                                         'uvloop; sys_platform != "win32"\npywin32; sys_platform == "win32"\n'
                                         'rich; extra == "cli"\n'})
    project = analyse(tmp_path)
    attrs = {"Config": {"Env": ["PATH=/usr/local/bin", "PYTHON_VERSION=3.12.1"]}, "Architecture": "amd64"}
    environment = marker_environment(attrs)
    assert environment is not None and environment["python_version"] == "3.12"
    assert environment["platform_machine"] == "x86_64"
    assert installed_dependencies(project, environment) == ["django", "uvloop"]
    on_38 = marker_environment({**attrs, "Config": {"Env": ["PYTHON_VERSION=3.8.18"]}})
    assert installed_dependencies(project, on_38) == ["backports-zoneinfo", "django", "uvloop"]
    assert marker_environment({"Config": {"Env": ["PATH=/usr/bin"]}}) is None
    assert installed_dependencies(project, None) == ["django"]


def test_python_m_of_a_package_without_main(tmp_path):
    root = write(tmp_path, {"tool/__init__.py": ""})
    results = run_probe(root, packages=["tool"], executable="python", module="tool", run_module=True)
    facts = check_from_json(results["entry-resolves"]).facts
    assert isinstance(facts, EntryResolution) and facts.package_without_main == "tool"
    assert run_probe(root, executable="python", module="tool", run_module=False)["entry-resolves"]["passed"]  # imported only


def test_probe_passes_a_sound_tree(tmp_path):
    root = write(tmp_path, {"good/__init__.py": "VALUE = 1\n", "good/__main__.py": "print(1)\n"})
    results = run_probe(root, packages=["good"], executable=sys.executable, module="good", run_module=True)
    for name in ("imports-project", "entry-resolves", "dockerignore-imports", "byte-compile", "home-writable"):
        assert results[name]["passed"], results[name]


# ---- install steps (cache check, DF051) ---------------------------------------------------------------------

@pytest.mark.parametrize("command, expected", [
    ("pip install --no-cache-dir -r requirements.txt", True),
    ("python -m pip install -r requirements/prod.txt", True),
    ("pip install flask==3.0 gunicorn", True),
    ("pip install .", True),  # the project and its dependencies
    ("pip install --no-deps .", False),  # only the project: expected to re-run on a source change
    ("pip install --upgrade pip setuptools wheel", False),  # tooling
    ("pip install poetry==1.8.5 && poetry install --no-root", True),
    ("poetry install --only-root", False),
    ("uv sync --frozen --no-install-project", True),
    ("apt-get update && apt-get install -y gcc", False),
    ("/opt/tools/bin/poetry export -o /tmp/r.txt && pip install --no-deps --require-hashes -r /tmp/r.txt", True),
])
def test_installs_dependencies(command, expected):
    assert installs_dependencies(command) is expected


def test_manifests_and_project_installs():
    assert manifests_read("pip install -r requirements.txt -c constraints.txt") == ["requirements.txt", "constraints.txt"]
    assert manifests_read("poetry install --no-root") == ["pyproject.toml", "poetry.lock"]
    assert installs_project_too("pip install -e .") and installs_project_too("poetry install")
    assert not installs_project_too("poetry install --no-root") and not installs_project_too("uv sync --no-install-project")
    assert reads_only_manifests("pip install --upgrade pip && pip install -r requirements.txt")
    assert not reads_only_manifests("pip install -r requirements.txt && python manage.py collectstatic")


def test_first_dependency_install_per_stage_and_step_matching():
    dockerfile = parse_dockerfile("Dockerfile", "FROM python:3.11-slim AS build\nRUN pip install poetry==1.8.5\n"
                                                "COPY . .\nRUN pip install \\\n    -r requirements.txt\nRUN pip install --no-deps .\n"
                                                "FROM python:3.11-slim\nRUN pip install -r other.txt\n")
    first = first_dependency_installs(dockerfile)
    assert [i.line for i in first] == [4, 8]
    assert same_step("RUN pip install     -r requirements.txt", first[0])  # the classic builder joins the lines


# ---- imports dropped by .dockerignore -----------------------------------------------------------------------

def test_ignored_imports_only_for_code_that_reaches_the_image(tmp_path):
    root = write(tmp_path, {
        "app/__init__.py": "", "app/main.py": "from app import local_settings\nfrom . import helpers\nimport os\n",
        "app/local_settings.py": "", "app/helpers.py": "",
        "tests/test_x.py": "import app.secret_fixture\n", "app/secret_fixture.py": "",
    })
    ignore = parse_dockerignore(".dockerignore", "tests/\n**/*settings*.py\n**/secret_fixture.py\n")
    found = ignored_imports(root, ignore)
    assert [(i.module, i.path, i.importer, i.line) for i in found] == [("app.local_settings", "app/local_settings.py", "app/main.py:1", 2)]


# ---- server port --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cmd, expected", [
    ('["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "9000"]', 9000),
    ('["gunicorn", "--bind", "0.0.0.0:8080", "app:app"]', 8080),
    ("python manage.py runserver 0.0.0.0:8001", 8001),
    ('["uvicorn", "app.main:app"]', 5000),  # EXPOSE
])
def test_server_port(tmp_path, cmd, expected):
    write(tmp_path, {"requirements.txt": "six==1.17.0\n", "Dockerfile": f"FROM python:3.11-slim\nEXPOSE 5000\nCMD {cmd}\n"})
    assert server_port(analyse(tmp_path)) == expected


# ---- compose and .env ---------------------------------------------------------------------------------------

def test_compose_services_carry_ports_env_files_and_commands(tmp_path):
    write(tmp_path, {"deploy/compose.yaml": (
        "services:\n  web:\n    build: ..\n    env_file: [../.env]\n    ports: ['127.0.0.1:8000:8000', '9000']\n"
        "    command: [sh, -c, 'until nc -z db 5432; do sleep 1; done']\n"
        "    healthcheck:\n      test: [CMD, curl, -f, http://localhost:8000/]\n"
        "  db:\n    image: postgres:16\n    ports: [{target: 5432, published: 5433}]\n    network_mode: host\n")})
    web, db = parse_compose(tmp_path, "deploy/compose.yaml")
    assert web.ports == (("8000", "8000"), ("", "9000")) and db.ports == (("5433", "5432"),)
    assert web.env_files == (".env",) and web.context == "."
    assert web.command == "sh -c until nc -z db 5432; do sleep 1; done"
    assert web.healthcheck_command == "curl -f http://localhost:8000/" and db.network_mode == "host"


def test_env_file_parsing():
    text = "# c\nexport A=1\nB='two words'\nC=x # comment\n\nBROKEN\n"
    assert parse_env_file(text) == (("A", "1", 2), ("B", "two words", 3), ("C", "x", 4))


# ---- declaration edits --------------------------------------------------------------------------------------

def test_requirements_edits_keep_comments_and_other_lines():
    text = "# pinned\npydantic==2.5.3  # models\n-r base.txt\nlanggraph[postgres]>=0.2\n"
    edited = edit_requirements_text(text, [Edit("email-validator", "==2.2.0"), Edit("langgraph", drop_extra="postgres"),
                                           Edit("pydantic", "<3", add=False)])
    assert edited == "# pinned\npydantic<3  # models\n-r base.txt\nlanggraph>=0.2\nemail-validator==2.2.0\n"


def test_pep621_edit_keeps_layout_and_comments():
    text = '[project]\nname = "x"\ndependencies = [\n    "passlib[bcrypt]==1.7.4",  # auth\n]\n'
    edited = edit_pyproject_text(text, [Edit("bcrypt", "<4.1")])
    assert edited == '[project]\nname = "x"\ndependencies = [\n    "passlib[bcrypt]==1.7.4",  # auth\n    "bcrypt<4.1",\n]\n'


def test_poetry_edit_inline_tables_and_removal():
    text = ('[tool.poetry.dependencies]\npython = "^3.11"  # runtime\nlanggraph = {version = ">=0.2", extras = ["postgres"]}\n'
            'sklearn = "*"\n')
    edited = edit_pyproject_text(text, [Edit("langgraph", drop_extra="postgres", add=False),
                                        Edit("langgraph-checkpoint-postgres"), Edit("sklearn", remove=True)])
    assert edited == ('[tool.poetry.dependencies]\npython = "^3.11"  # runtime\nlanggraph = ">=0.2"\n'
                      'langgraph-checkpoint-postgres = "*"\n')


def test_a_wait_that_reaches_its_time_limit_inside_the_pool_is_a_running_container_not_a_lost_engine():
    import requests
    import urllib3

    from dockerfix.errors import EngineUnavailable
    from dockerfix.verify import _wait

    class Container:
        def __init__(self, error: Exception) -> None:
            self.error = error

        def wait(self, timeout: float) -> dict:
            raise self.error

    pooled = requests.exceptions.ConnectionError(urllib3.exceptions.ReadTimeoutError(None, "/wait", "Read timed out."))
    assert _wait(Container(pooled), 5) is None
    assert _wait(Container(requests.exceptions.ReadTimeout()), 5) is None
    with pytest.raises(EngineUnavailable):
        _wait(Container(requests.exceptions.ConnectionError("Connection refused")), 5)


def test_an_import_that_stops_for_want_of_configuration_passes_naming_the_variable(tmp_path):
    """The innermost project frame reads an environment variable the image does not set: configuration a deployment
    gives, not a defect of the image. A traceback that ends elsewhere, or a variable the image sets, still fails."""
    from dockerfix.analyse import analyse
    from dockerfix.checks import Check, ImportFailure, Imports
    from dockerfix.verify import _configured, unset_configuration

    write(tmp_path, {"requirements.txt": "six\n", "bot/__init__.py": "import os\nenv = os.environ\n"
                     "TOKEN = env['BOT_TOKEN']\n", "bot/util.py": "def f():\n    return 1 / 0\n"})
    project = analyse(tmp_path)
    traceback = ('Traceback (most recent call last):\n  File "/usr/local/lib/python3.12/importlib/__init__.py", line 90, '
                 'in import_module\n  File "/home/app/bot/__init__.py", line 3, in <module>\nKeyError: \'BOT_TOKEN\'\n')
    assert unset_configuration(project, traceback, set()) == ("BOT_TOKEN",)
    assert unset_configuration(project, traceback, {"BOT_TOKEN"}) == ()
    failed = Check("imports-project", False, "1 project package(s) fail to import", traceback,
                   Imports(count=1, failures=(ImportFailure("bot", traceback),)))
    passed = _configured(project, failed, set())
    assert passed.passed and "BOT_TOKEN" in passed.detail and passed.facts.unconfigured == ("BOT_TOKEN",)  # type: ignore[union-attr]
    elsewhere = traceback.replace("bot/__init__.py\", line 3", "bot/util.py\", line 2")
    assert not _configured(project, replace(failed, facts=Imports(failures=(ImportFailure("bot", elsewhere),))), set()).passed


def test_a_setting_that_holds_an_environment_variable_counts_where_it_is_used(tmp_path):
    """`settings.BOT_TOKEN` (settings.py: `BOT_TOKEN = os.environ.get("BOT_TOKEN")`) passed to a library that
    refuses None: the innermost project frame uses the setting. A variable read with a default is optional."""
    from dockerfix.analyse import analyse
    from dockerfix.verify import unset_configuration
    from dockerfix.analyse.imports import environment_settings

    write(tmp_path, {"requirements.txt": "six\n", "bot/__init__.py": "",
                     "bot/settings.py": "import os\nBOT_TOKEN = os.environ.get('BOT_TOKEN')\n"
                                        "LEVEL = os.environ.get('LEVEL', 'INFO')\n",
                     "bot/__main__.py": "from bot import settings\nimport lib\n\nlib.Bot(settings.BOT_TOKEN)\n"
                                        "lib.log(settings.LEVEL)\n"})
    project = analyse(tmp_path)
    settings = environment_settings(tmp_path, None)
    assert settings == {"BOT_TOKEN": ("BOT_TOKEN",)}
    traceback = ('  File "/app/bot/__main__.py", line 4, in <module>\n  File "/usr/local/lib/python3.12/site-packages/'
                 'lib/__init__.py", line 9, in __init__\nlib.InvalidToken: you must pass the token\n')
    assert unset_configuration(project, traceback, set(), settings) == ("BOT_TOKEN",)
    assert unset_configuration(project, traceback.replace("line 4", "line 5"), set(), settings) == ()


@pytest.mark.parametrize(("source", "reads"), [
    ("import environ\nenv = environ.Env()\nSECRET_KEY = env('SECRET_KEY')\n", ("SECRET_KEY",)),  # django-environ
    ("from environs import Env\nenv = Env()\nDEBUG = env.bool('DEBUG')\n", ("DEBUG",)),  # environs, typed
    ("from decouple import config\nKEY = config('KEY', cast=str)\n", ("KEY",)),  # python-decouple
    ("from decouple import config\nKEY = config('KEY', default='x')\n", ()),  # with a default: optional
    ("import environ\nenv = environ.Env()\nDB = env.db('DATABASE_URL', 'sqlite://')\n", ()),
])
def test_configuration_libraries_read_environment_variables(tmp_path, source, reads):
    """django-environ, environs and python-decouple read a variable per call: a traceback ending on such a line
    (django-environ's `ImproperlyConfigured: Set the SECRET_KEY environment variable`) is missing configuration."""
    from dockerfix.analyse.imports import environment_reads

    path = write(tmp_path, {"settings.py": source}) / "settings.py"
    assert environment_reads(path, 3 if source.count("\n") == 3 else 2) == reads


def test_an_entry_that_checks_its_own_configuration_and_exits_naming_it_passes(tmp_path):
    from dockerfix.analyse import analyse
    from dockerfix.checks import Check, EntryRun
    from dockerfix.verify import _configured

    write(tmp_path, {"requirements.txt": "six\n", "main.py": "import os, sys\n\ndef start():\n"
                     "    url = os.getenv('SERVICE_URL')\n    if not url:\n        sys.exit('Missing SERVICE_URL')\n"})
    project = analyse(tmp_path)
    said = "2026-12-02 ERROR - Missing required environment variable: SERVICE_URL\n"
    failed = Check("entry-runs", False, "the entry command exited with status 1", said, EntryRun(10, exit_code=1, output=said))
    assert _configured(project, failed, set()).passed
    assert not _configured(project, failed, {"SERVICE_URL"}).passed  # the image sets it: something else failed
    other = "ERROR - cannot open data.csv\n"
    assert not _configured(project, replace(failed, facts=EntryRun(10, exit_code=1, output=other)), set()).passed


def test_a_missing_file_the_repository_withholds_is_configuration(tmp_path):
    """`FileNotFoundError` for a file .gitignore names (at any depth, or in a nested .gitignore) or that ships only
    as a template is configuration a deployment gives; a missing file the repository neither ignores nor templates,
    or one it has, is not."""
    from dockerfix.analyse import analyse
    from dockerfix.analyse.withheld import withheld_file
    from dockerfix.checks import Check, EntryRun
    from dockerfix.verify import _configured

    write(tmp_path, {"requirements.txt": "six\n", ".gitignore": "config.yaml\n/local.json\n",
                     "app/__init__.py": "", "app/.gitignore": "secrets/\n", "app/settings.ini.example": "[x]\n",
                     "data.csv": "a\n"})
    assert withheld_file(tmp_path, tmp_path, "/srv/config.yaml") == "config.yaml"
    assert withheld_file(tmp_path, tmp_path, "/home/app/app/config.yaml") == "app/config.yaml"
    assert withheld_file(tmp_path, tmp_path, "/app/app/secrets/key.pem") == "app/secrets/key.pem"
    assert withheld_file(tmp_path, tmp_path, "app/settings.ini") == "app/settings.ini"
    assert withheld_file(tmp_path, tmp_path, "/app/local.json") == "local.json"
    assert withheld_file(tmp_path, tmp_path, "/app/app/conf/local.json") == "local.json"  # matched by its tail
    assert withheld_file(tmp_path / "app", tmp_path / "app", "/srv/local.json") is None  # anchored to the root above
    assert withheld_file(tmp_path, tmp_path, "/app/other.yaml") is None
    assert withheld_file(tmp_path, tmp_path, "/app/data.csv") is None  # the project has it: something else is wrong
    project = analyse(tmp_path)
    said = ('Traceback (most recent call last):\n  File "/app/app/__init__.py", line 3, in <module>\n'
            "FileNotFoundError: [Errno 2] No such file or directory: '/srv/config.yaml'\n")
    failed = Check("entry-runs", False, "the entry command exited with status 1", said, EntryRun(10, exit_code=1, output=said))
    passed = _configured(project, failed, set())
    assert passed.passed and "config.yaml" in passed.detail and passed.facts.unconfigured == ("config.yaml",)  # type: ignore[union-attr]
    other = said.replace("config.yaml", "other.yaml")
    assert not _configured(project, replace(failed, facts=EntryRun(10, exit_code=1, output=other)), set()).passed


def test_a_dependency_for_other_operating_systems_only_is_a_note_unless_the_application_imports_it(tmp_path, monkeypatch):
    """comtypes, frozen into requirements on Windows, installs on Linux and refuses to import there; its classifiers
    name Windows only. A distribution that names Linux or POSIX too still fails when nothing of it imports."""
    windows = "Classifier: Operating System :: Microsoft :: Windows\n"
    site = write(tmp_path / "site", {
        "comdist-1.0.dist-info/METADATA": f"Metadata-Version: 2.1\nName: comdist\nVersion: 1.0\n{windows}",
        "comdist-1.0.dist-info/top_level.txt": "comdist\n", "comdist-1.0.dist-info/RECORD": "",
        "comdist/__init__.py": "raise ImportError('COM technology not available (maybe it is the wrong platform)')\n",
        "bothdist-1.0.dist-info/METADATA": f"Metadata-Version: 2.1\nName: bothdist\nVersion: 1.0\n{windows}"
                                           "Classifier: Operating System :: POSIX :: Linux\n",
        "bothdist-1.0.dist-info/top_level.txt": "bothdist\n", "bothdist-1.0.dist-info/RECORD": "",
        "bothdist/__init__.py": "import libpq_missing_xyz\n",
    })
    monkeypatch.setenv("PYTHONPATH", str(site))
    results = run_probe(tmp_path, distributions=["comdist", "bothdist"], imported=[])
    facts = check_from_json(results["imports-dependencies"]).facts
    assert isinstance(facts, Imports)
    assert [f.module for f in facts.failures] == ["bothdist"]
    assert [(f.module, f.systems) for f in facts.unused] == [("comdist", "Microsoft :: Windows")]
    assert "comdist (from comdist, for Microsoft :: Windows only) fails to import" in results["imports-dependencies"]["detail"]
    assert not run_probe(tmp_path, distributions=["comdist"], imported=["comdist"])["imports-dependencies"]["passed"]


def test_a_program_whose_module_exists_only_inside_it_is_usable(tmp_path, monkeypatch):
    """uWSGI installs a compiled `uwsgi` program; its `uwsgi` module exists only inside the server, for the code it
    runs. A distribution whose executables are console-script wrappers of its broken module is still unusable."""
    site = write(tmp_path / "site", {
        "progdist-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: progdist\nVersion: 1.0\n",
        "progdist-1.0.dist-info/top_level.txt": "progdist\n",
        "progdist-1.0.dist-info/RECORD": "../../../bin/progdist,sha256=x,10\nprogdist-1.0.dist-info/METADATA,,\n",
        "wrapdist-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: wrapdist\nVersion: 1.0\n",
        "wrapdist-1.0.dist-info/top_level.txt": "wrapdist\n",
        "wrapdist-1.0.dist-info/RECORD": "../../../bin/wrapdist,sha256=x,10\nwrapdist/__init__.py,,\n",
        "wrapdist-1.0.dist-info/entry_points.txt": "[console_scripts]\nwrapdist = wrapdist:main\n",
        "wrapdist/__init__.py": "import libmissing_xyz\n",
    })
    monkeypatch.setenv("PYTHONPATH", str(site))
    results = run_probe(tmp_path, distributions=["progdist", "wrapdist"], imported=[])
    facts = check_from_json(results["imports-dependencies"]).facts
    assert isinstance(facts, Imports)
    assert [f.module for f in facts.failures] == ["wrapdist"] and [f.module for f in facts.unused] == ["progdist"]
    assert not run_probe(tmp_path, distributions=["progdist"], imported=["progdist"])["imports-dependencies"]["passed"]


def test_a_verification_container_removed_by_another_process_ends_as_a_lost_engine():
    """Another process sweeping the engine's labelled containers removed it mid-check: not a failed check (which
    would send the repair looking for a rule), not a crash, but the engine error; the container is removed anyway."""
    from docker.errors import NotFound

    from dockerfix.errors import EngineUnavailable
    from dockerfix.verify import Launch, _entry_run_check

    class Container:
        short_id, removed = "f8f0d8581f17", False

        def start(self):
            pass

        def wait(self, timeout):
            raise NotFound("No such container: f8f0d8581f17")

        def remove(self, force):
            Container.removed = True

    class Client:
        class containers:  # noqa: N801 - the SDK's attribute name
            @staticmethod
            def create(*args, **kwargs):
                return Container()

    with pytest.raises(EngineUnavailable, match="removed by another process"):
        _entry_run_check(Client(), "dockerfix/x:1", Launch())
    assert Container.removed


def test_the_django_settings_module_is_the_one_the_project_names_for_itself(tmp_path):
    from dockerfix.analyse.imports import django_settings_module

    write(tmp_path / "a", {"manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n",
                           "shop/__init__.py": ""})
    write(tmp_path / "b", {"web/wsgi.py": "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"web.prod\")\n"})
    write(tmp_path / "c", {"app.py": "import os\nos.environ.setdefault('OTHER', 'x')\n"})
    assert django_settings_module(tmp_path / "a", None) == "shop.settings"
    assert django_settings_module(tmp_path / "b", None) == "web.prod"
    assert django_settings_module(tmp_path / "c", None) is None


def test_installed_packages_in_the_application_folder_are_not_the_applications_source(tmp_path):
    """PDM's __pypackages__ (PEP 582) and a venv inside the workdir hold dependencies, some with Python 2 syntax
    in modules nothing imports: byte-compiling the application skips them."""
    root = write(tmp_path, {"main.py": "print('up')\n", "__pypackages__/3.10/lib/old/compat.py": "except A, B:\n",
                            ".venv/lib/python3.10/site-packages/old.py": "print 'x'\n"})
    assert run_probe(root, app_dirs=[str(root)])["byte-compile"]["passed"]


def test_pip_check_counts_what_the_applications_dependencies_require_and_notes_the_rest(tmp_path, monkeypatch):
    """A tool installed next to the application (PDM's virtualenv in the system site-packages) whose requirement
    the application's own pin shadows is a note; a broken requirement inside the application's closure fails."""
    site = write(tmp_path / "site", {
        "appdep-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: appdep\nVersion: 1.0\nRequires-Dist: inner>=2\n",
        "appdep-1.0.dist-info/RECORD": "", "appdep/__init__.py": "",
        "inner-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: inner\nVersion: 1.0\nRequires-Dist: leaf>=5\n",
        "inner-1.0.dist-info/RECORD": "", "inner/__init__.py": "",
        "leaf-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: leaf\nVersion: 1.0\n",
        "leaf-1.0.dist-info/RECORD": "", "leaf/__init__.py": "",
        "tooldep-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: tooldep\nVersion: 1.0\nRequires-Dist: leaf>=9\n",
        "tooldep-1.0.dist-info/RECORD": "", "tooldep/__init__.py": "",
    })
    monkeypatch.setenv("PYTHONPATH", str(site))
    monkeypatch.setenv("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    result = run_probe(tmp_path, distributions=["appdep"])["pip-check"]
    problems = result["facts"]["problems"]
    assert not result["passed"] and any(p.startswith("inner 1.0 has requirement leaf>=5") for p in problems)
    assert not any(p.startswith("tooldep") for p in problems) and "tooldep (not a dependency of the application)" in result["detail"]
    only_tool = run_probe(tmp_path, distributions=["leaf"])["pip-check"]
    assert only_tool["passed"], only_tool


def test_the_entry_commands_code_is_what_its_files_import_transitively(tmp_path):
    """From the script or module the entry runs, through the imports that resolve to project files (packages'
    __init__ modules, src/, the script's own folder); unknown when none of its files is in the project."""
    from dockerfix.analyse.imports import entry_reach

    root = write(tmp_path, {"app.py": "import flask\nfrom web import views\n", "web/__init__.py": "",
                            "web/views.py": "from .forms import Form\nimport jinja2\n", "web/forms.py": "",
                            "models.py": "from app import db\nimport flask_sqlalchemy\n",
                            "src/tool/__init__.py": "", "src/tool/cli.py": "import helpers\nimport click\n",
                            "src/tool/helpers.py": ""})
    reach = entry_reach(root, None, [], ["app.py"])
    assert reach is not None and reach.packages == {"app", "web"}
    assert {"flask", "web", "jinja2"} <= reach.imports and "flask_sqlalchemy" not in reach.imports
    reach = entry_reach(root, None, ["tool.cli"], [])
    assert reach is not None and reach.packages == {"tool"} and "click" in reach.imports
    assert entry_reach(root, None, ["absent_module"], ["absent.py"]) is None


def test_a_project_module_or_declared_dependency_the_entry_never_imports_is_a_note(tmp_path):
    """A leftover models.py that fails to import, and a declared distribution the Dockerfile never installed,
    when the entry command's code imports neither: notes. With what runs unknown, both fail."""
    root = write(tmp_path, {"app.py": "print('up')\n", "models.py": "from app import db\n"})
    spec = {"packages": ["app", "models"], "distributions": ["Flask-SQLAlchemy-Absent"], "imported": []}
    results = run_probe(root, **spec, reached=["app"])
    assert results["imports-project"]["passed"] and results["imports-dependencies"]["passed"]
    assert "models fails to import, but the entry command's code does not import it" in \
        results["imports-project"]["detail"]
    assert "Flask-SQLAlchemy-Absent is declared but not installed" in results["imports-dependencies"]["detail"]
    facts = check_from_json(results["imports-project"]).facts
    assert isinstance(facts, Imports) and [f.module for f in facts.unused] == ["models"]
    results = run_probe(root, **spec, reached=None)
    assert not results["imports-project"]["passed"] and not results["imports-dependencies"]["passed"]
    results = run_probe(root, **{**spec, "imported": ["flask_sqlalchemy_absent"]}, reached=["app"])
    assert not results["imports-dependencies"]["passed"]


def test_a_src_folder_the_code_imports_as_a_package_is_not_the_src_layout(tmp_path):
    """`from src.pipelines import ...` with src/__init__.py (setup.py's find_packages() ships `src` itself): the
    project's package is `src`, found from the root; without such an import, src/ is the src layout."""
    from dockerfix.analyse.entry import find_import_packages

    tree = {"src/__init__.py": "", "src/pipelines/__init__.py": "", "src/pipelines/predict.py": ""}
    root = write(tmp_path / "a", {**tree, "app.py": "from src.pipelines.predict import run\n"})
    assert find_import_packages(root, (), lambda: frozenset({"src"})) == (("src",), "flat")
    root = write(tmp_path / "b", {"src/shop/__init__.py": "", "src/shop/core.py": ""})
    assert find_import_packages(root, (), lambda: frozenset({"shop"})) == (("shop",), "src")



@pytest.mark.parametrize(("web_imports", "expected"), [("", ["web"]), ("from worker.tasks import resize\n", ["web", "worker"])])
def test_a_folder_with_another_images_dockerfile_is_that_images_code(tmp_path, web_imports, expected):
    """compose builds worker/ with its own Dockerfile; the root image's `COPY . .` brings it along, but it is
    the worker's code (its imports are the worker's requirements), unless the web code imports it."""
    root = write(tmp_path, {"Dockerfile": "FROM python:3.12-slim\nCOPY . .\nCMD [\"python\", \"-m\", \"web\"]\n",
                            "requirements.txt": "flask\n", "web/__init__.py": "", "web/__main__.py": web_imports,
                            "worker/Dockerfile": "FROM python:3.12-slim\nCOPY . .\nCMD [\"python\", \"tasks.py\"]\n",
                            "worker/__init__.py": "", "worker/tasks.py": "import pika\n",
                            "docker-compose.yml": "services:\n  web:\n    build: .\n  worker:\n    build: ./worker\n"})
    assert list(analyse(root).import_packages) == expected
    assert "worker" in analyse(root, dockerfile="worker/Dockerfile", context="worker").import_packages

@pytest.mark.parametrize(("logs", "paths"), [
    ("Traceback ...\nPermissionError: [Errno 13] Permission denied: 'static_root'\n", ("static_root",)),
    ("mkdir: cannot create directory '/app/logs': Permission denied\n", ("/app/logs",)),
    ("sh: 1: cannot create /app/run.pid: Permission denied\n", ("/app/run.pid",)),
    # the shell goes on after a failed step: every refusal, in order
    ("PermissionError: [Errno 13] Permission denied: '/code/static_root'\nTraceback ...\nPermissionError: [Errno 13]"
     " Permission denied: '/var/log/supervisor/supervisord.log'\n", ("/code/static_root", "/var/log/supervisor/supervisord.log")),
    ("ModuleNotFoundError: No module named 'flask'\n", ()),
])
def test_denied_paths_reads_the_refused_paths(logs, paths):
    from dockerfix.verify import denied_paths
    assert denied_paths(logs) == paths


def test_the_command_a_deployment_gives_an_image_without_cmd_is_the_one_verified(tmp_path):
    """No CMD: compose's `command:` is what runs (the base image's python3 would exit at once); with a CMD, the
    image's own command is."""
    compose = "services:\n  web:\n    build: .\n    command: gunicorn app:application\n"
    root = write(tmp_path, {"Dockerfile": "FROM python:3.12-slim\nCOPY . .\n", "requirements.txt": "gunicorn\n",
                            "app.py": "", "docker-compose.yml": compose})
    entry = analyse(root).entry
    assert entry is not None and entry.deployment and entry.argv == ("/bin/sh", "-c", "gunicorn app:application")
    (root / "Dockerfile").write_text('FROM python:3.12-slim\nCOPY . .\nCMD ["gunicorn", "app:application"]\n')
    entry = analyse(root).entry
    assert entry is not None and not entry.deployment


def test_the_deployment_command_runs_with_the_environment_compose_gives_it(tmp_path):
    """compose's env_file then `environment:` (which wins): the literal values the repository holds; an
    interpolated value, a bare name taken from the shell and a missing env_file are the deployer's."""
    compose = ("services:\n  web:\n    build: .\n    command: python manage.py runserver\n"
               "    env_file: [.env.dev, .env.secret]\n"
               "    environment:\n      - DJANGO_SETTINGS_MODULE=site.settings.local\n      - DEBUG=1\n"
               "      - TOKEN\n      - DB_URL=${DATABASE_URL}\n")
    root = write(tmp_path, {"Dockerfile": "FROM python:3.12-slim\nCOPY . .\n", "requirements.txt": "django\n",
                            "manage.py": "", "docker-compose.yml": compose, ".env.dev": "DEBUG=0\nLOG_LEVEL=debug\n"})
    entry = analyse(root).entry
    assert entry is not None and entry.deployment
    assert dict(entry.environment) == {"DEBUG": "1", "LOG_LEVEL": "debug", "DJANGO_SETTINGS_MODULE": "site.settings.local"}
