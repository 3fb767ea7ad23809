"""DF078 (a build ARG used but never given), DF080 (OS packages that conflict), DF008 on Pipenv, and the log forms
of DF027/DF033 on both builders and old pips. Logs in tests/fixtures/logs are what this engine printed (classic
builder: `-sdk`, Docker 20.10 BuildKit: `-buildkit`); the others are excerpts of public logs, source named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dockerfix.analyse import analyse
from dockerfix.model import Location, LockFile
from dockerfix.catalog import BY_ID
from dockerfix.catalog.rule import Context, Finding, Fix
from dockerfix.cli import main
from dockerfix.diagnose import diagnose, static_findings
from dockerfix.plan.installers import PIPENV_TOOLS
from dockerfix.transform.lock import lock_tool

LOGS = Path(__file__).resolve().parents[1] / "fixtures" / "logs"
CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def context_of(tmp_path: Path, files: dict[str, str]) -> Context:
    for relpath, text in files.items():
        path = tmp_path / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return Context(root=tmp_path, files={}, project=analyse(tmp_path))


def first(context: Context, log: str) -> Finding:
    return diagnose(context, log).findings[0]


def static(context: Context, rule: str) -> list[Finding]:
    return [f for f in static_findings(context) if f.rule == rule]


# ---- DF078: a build ARG used but never given ------------------------------------------------------------------

def test_df078_names_the_arg_line_and_the_use_line_from_the_engine_log():
    context = Context(root=CORPUS / "build-arg-unset" / "project", files={},
                      project=analyse(CORPUS / "build-arg-unset" / "project"))
    finding = first(context, (LOGS / "build-arg-unset-sdk.log").read_text())
    assert (finding.rule, finding.location, finding.capture("arg")) == ("DF078", Location("Dockerfile", 3), "CLICK_VERSION")
    assert finding.suggestion == ("ARG CLICK_VERSION (Dockerfile:2) is used at line 3 but never given: add --build-arg "
                                  "CLICK_VERSION=... or a default `ARG CLICK_VERSION=...`")


@pytest.mark.parametrize(("dockerfile", "log", "line", "before_a_build"), [
    # pip >= 24.1 words an empty pin as an invalid requirement
    ("FROM python:3.12-slim\nARG VERSION\nRUN pip install app==$VERSION\n",
     "Step 3/3 : RUN pip install app==$VERSION\nERROR: Invalid requirement: 'app==': Expected end or semicolon\n"
     "The command '/bin/sh -c pip install app==$VERSION' returned a non-zero code: 1\n", "Dockerfile:3", True),
    # a FROM tag built from a global ARG with no default (this engine's words: classic, then BuildKit)
    ("ARG PY\nFROM python:${PY}-slim\nRUN true\n",
     "Step 1/4 : ARG PY\nStep 2/4 : FROM python:${PY}-slim\ninvalid reference format\n", "Dockerfile:2", True),
    ("ARG PY\nFROM python:${PY}-slim\nRUN true\n", "failed to solve with frontend dockerfile.v0: failed to create LLB "
     'definition: failed to parse stage name "python:-slim": invalid reference format\n', "Dockerfile:2", True),
    ("ARG BASE\nFROM ${BASE}\nRUN true\n", "failed to solve with frontend dockerfile.v0: failed to create LLB "
     "definition: base name (${BASE}) should not be blank\n", "Dockerfile:2", True),
    # the classic builder refuses an empty WORKDIR (BuildKit takes it: no finding before a build)
    ("FROM python:3.12-slim\nARG APP_DIR\nWORKDIR $APP_DIR\n",
     "Step 3/4 : WORKDIR $APP_DIR\ncannot normalize nothing\n", "Dockerfile:3", False),
])
def test_df078_reads_what_an_empty_value_makes_the_tools_say(tmp_path, dockerfile, log, line, before_a_build):
    context = context_of(tmp_path, {"Dockerfile": dockerfile})
    finding = first(context, log)
    assert (finding.rule, str(finding.location)) == ("DF078", line)
    assert [str(f.location) for f in static(context, "DF078")] == ([line] if before_a_build else [])


@pytest.mark.parametrize("dockerfile", [
    "FROM python:3.12-slim\nARG VERSION=1.0\nRUN pip install app==$VERSION\n",  # a default
    "ARG VERSION=1.0\nFROM python:3.12-slim\nARG VERSION\nRUN pip install app==$VERSION\n",  # the global default
    "FROM python:3.12-slim\nARG VERSION\nENV VERSION=2.0\nRUN pip install app==$VERSION\n",  # set by ENV
    "FROM python:3.12-slim\nARG VERSION\nRUN pip install app==${VERSION:-1.0}\n",  # a shell default
    "FROM python:3.12-slim\nARG DEV\nRUN if [ -n \"$DEV\" ]; then pip install pytest; fi\n",  # empty is meant
    "FROM python:3.12-slim\nARG TARGETARCH\nRUN pip install app==$TARGETARCH\n",  # the builder sets it
    "FROM python:3.12-slim\nARG APP_DIR\nCOPY ${APP_DIR} .\n",  # builds (copies the context root): no failure
])
def test_df078_leaves_alone_args_that_have_a_value_or_may_be_empty(tmp_path, dockerfile):
    assert static(context_of(tmp_path, {"Dockerfile": dockerfile}), "DF078") == []


# ---- DF080: OS packages that conflict -------------------------------------------------------------------------

def test_df080_names_both_apt_packages_and_the_run():
    project = CORPUS / "apt-packages-conflict" / "project"
    finding = first(Context(root=project, files={}, project=analyse(project)),
                    (LOGS / "apt-packages-conflict-sdk.log").read_text())
    assert (finding.rule, finding.location) == ("DF080", Location("Dockerfile", 2))
    assert finding.suggestion == ("in the RUN at Dockerfile:2, install only one of libcurl4-gnutls-dev and "
                                  "libcurl4-openssl-dev (drop the other, or the package that pulls it in)")


def test_df080_names_the_file_two_debian_packages_ship(tmp_path):
    dockerfile = "FROM debian:trixie-slim\nRUN true\nRUN dpkg -i /tmp/tool-a_1.0_all.deb && dpkg -i /tmp/tool-b_1.0_all.deb\n"
    finding = first(context_of(tmp_path, {"Dockerfile": dockerfile}), (LOGS / "dpkg-file-overwrite-sdk.log").read_text())
    assert (finding.rule, finding.location) == ("DF080", Location("Dockerfile", 3))
    assert finding.suggestion.startswith("in the RUN at Dockerfile:3, tool-b and tool-a both ship /usr/bin/tool")


# rpm's and yum's words in Dockerfile builds, as users posted them
@pytest.mark.parametrize(("line", "packages"), [
    # docker-library/official-images#1278 (`RUN yum install -y docker` on centos:centos7)
    ("  file /usr/lib64/libudev.so.1 from install of systemd-libs-219-19.el7.x86_64 conflicts with file from package "
     "systemd-container-libs-208.20-6.el7.centos.x86_64",
     "systemd-libs-219-19.el7.x86_64 systemd-container-libs-208.20-6.el7.centos.x86_64"),
    # The-OpenROAD-Project/yosys#9 (`RUN yum install -y ... git ...`)
    ("Error: git224-core conflicts with git-1.8.3.1-23.el7_8.x86_64", "git224-core git-1.8.3.1-23.el7_8.x86_64"),
])
def test_df080_reads_rpm_and_yum_conflicts(tmp_path, line, packages):
    context = context_of(tmp_path, {"Dockerfile": "FROM centos:7\nRUN yum install -y docker\n"})
    finding = first(context, f"Step 2/2 : RUN yum install -y docker\nTransaction check error:\n{line}\n")
    assert (finding.rule, finding.capture_list("packages")) == ("DF080", tuple(packages.split()))


# ---- DF008 on Pipenv ------------------------------------------------------------------------------------------

def test_df008_reads_pipenvs_wrapped_out_of_date_message_and_the_pipfile_hash():
    project = CORPUS / "pipenv-lock-stale" / "project"
    context = Context(root=project, files={}, project=analyse(project))
    assert first(context, (LOGS / "pipenv-lock-stale-sdk.log").read_text()).message == "Pipfile.lock does not match Pipfile"
    [found] = static(context, "DF008")
    assert found.message.startswith("Pipfile.lock's _meta.hash.sha256 (045bc109efb9…) is not the hash of the current Pipfile")


def test_df008_finds_a_pipfile_lock_in_step_fresh(tmp_path):
    project = CORPUS / "pipenv-lock-stale" / "project"
    lock = json.loads((project / "Pipfile.lock").read_text())
    pipfile = (project / "Pipfile").read_text().replace('six = "==1.16.0"\n', "")
    context = context_of(tmp_path, {"Pipfile": pipfile, "Pipfile.lock": json.dumps(lock), "Dockerfile": "FROM python:3.11-slim\n"})
    assert static(context, "DF008") == []


def test_pipenv_locks_from_the_pipfile_with_its_venv_in_the_temporary_copy():
    tool = lock_tool(LockFile("pipenv", "Pipfile.lock", (), False))
    assert (tool.manifest, tool.arguments, tool.requirements) == ("Pipfile", ("lock",), PIPENV_TOOLS)
    assert ("PIPENV_VENV_IN_PROJECT", "1") in tool.environment


# ---- DF027 / DF033: the real log forms ------------------------------------------------------------------------

COPY_MISSING = {"Dockerfile": "FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN true\n",
                "requirements/base.txt": "six==1.17.0\n"}


@pytest.mark.parametrize("log", [
    (LOGS / "copy-missing-buildkit.log").read_text(),  # Docker 20.10's BuildKit: `"/x" not found: not found`
    # current BuildKit (flakidock/docker-flakiness-study, FlakiDock_output_S-2/code-mancers@invoker, path renamed)
    'ERROR: failed to solve: failed to compute cache key: failed to calculate checksum of ref c3596534::wf3y9th7: '
    '"/requirements.txt": not found\n',
    # Docker 17.06-19.03's classic builder (modmail-dev/Modmail#3073, HarryR/maltrieve#4)
    "Step 3/5 : COPY requirements.txt .\nCOPY failed: stat /var/lib/docker/tmp/docker-builder021663462/"
    "requirements.txt: no such file or directory\n",
    # Docker 19.03+'s classic builder
    "Step 3/5 : COPY requirements.txt .\nCOPY failed: file not found in build context or excluded by .dockerignore: "
    "stat requirements.txt: file does not exist\n",
    # before 17.06 (prakhar1989/docker-curriculum#74)
    "Step 3/5 : COPY requirements.txt /usr/src/app/\nlstat requirements.txt: no such file or directory\n",
])
def test_df027_reads_every_builders_missing_source(tmp_path, log):
    context = context_of(tmp_path, COPY_MISSING)
    finding = next(f for f in diagnose(context, log).findings if f.rule == "DF027")
    assert (finding.location, finding.capture("path"), finding.capture("candidate")) == (
        Location("Dockerfile", 3), "requirements.txt", "requirements/base.txt")


def test_df033_reads_old_pips_requirement_file_and_line(tmp_path, capsys):
    # flakidock/docker-flakiness-study, FlakiDock_output-2/pythonkr@pyconkr-api/v1_1_build_output.log (excerpt)
    log = ("#10 [5/6] RUN pip install -r requirements.txt\n#10 10.35   ERROR: Could not find a version that satisfies "
           "the requirement codecov==2.0.15 (from -r requirements.txt (line 14)) (from versions: 2.1.13)\n"
           "#10 10.47 ERROR: No matching distribution found for codecov==2.0.15 (from -r requirements.txt (line 14))\n")
    context = context_of(tmp_path, {"Dockerfile": "FROM python:3.8\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"})
    finding = first(context, log)
    assert (finding.rule, finding.location) == ("DF033", Location("requirements.txt", 14))
    assert finding.message == "codecov==2.0.15 is not on the package index (newest: 2.1.13); it is pinned at requirements.txt:14"
    (tmp_path / "build.log").write_text(log)
    assert main(["explain", str(tmp_path / "build.log"), "--project", str(tmp_path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["diagnoses"][0]["rule"] == "DF033"


# ---- npm/node in a Python image: DF028's ----------------------------------------------------------------------

@pytest.mark.parametrize(("command", "package"), [("npm", "npm"), ("node", "nodejs")])
def test_df028_installs_node_tools_a_python_slim_image_lacks(tmp_path, command, package):
    # the form of flakidock/docker-flakiness-study's hsv-dot-beer@hsvdotbeer log (front-end assets built in python:*)
    dockerfile = f"FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN {command} --version && {command} run build\n"
    context = context_of(tmp_path, {"Dockerfile": dockerfile, "requirements.txt": "six==1.17.0\n"})
    log = (f"#12 [4/4] RUN {command} --version && {command} run build\n#12 0.171 /bin/sh: 1: {command}: not found\n"
           f"#12 ERROR: executor failed running [/bin/sh -c {command} --version && {command} run build]: exit code: 127\n")
    finding = first(context, log)
    assert (finding.rule, finding.capture_list("packages"), finding.location) == ("DF028", (package,), Location("Dockerfile", 4))
    fix = BY_ID["DF028"].fix(context, finding)  # type: ignore[misc]
    assert isinstance(fix, Fix)
    assert f"apt-get install -y --no-install-recommends {package}" in fix.files["Dockerfile"]


# ---- DF035: requirements frozen on Windows or macOS ------------------------------------------------------------
WINDOWS_ONLY_LOG = """Step 5/8 : RUN pip install --no-cache-dir -r requirements.txt
Collecting colorama==0.4.6 (from -r requirements.txt (line 1))
ERROR: Could not find a version that satisfies the requirement pywin32==310 (from versions: none)
ERROR: No matching distribution found for pywin32==310
The command '/bin/sh -c pip install --no-cache-dir -r requirements.txt' returned a non-zero code: 1
"""


def test_df035_marks_a_windows_only_requirement_in_the_file_that_declares_it(tmp_path):
    context = context_of(tmp_path, {"requirements.txt": "-r requirements/base.txt\n",
                                    "requirements/base.txt": "colorama==0.4.6\npywin32==310  # frozen on Windows\nsix\n"})
    finding = first(context, WINDOWS_ONLY_LOG)
    assert (finding.rule, str(finding.location), finding.capture("marker")) == (
        "DF035", "requirements/base.txt:2", 'sys_platform == "win32"')
    fix = BY_ID["DF035"].fix(context, finding)  # type: ignore[misc]
    assert isinstance(fix, Fix) and list(fix.files) == ["requirements/base.txt"]
    assert fix.files["requirements/base.txt"] == \
        'colorama==0.4.6\npywin32==310; sys_platform == "win32"  # frozen on Windows\nsix\n'


def test_df035_leaves_packages_that_install_on_linux_and_marked_ones_to_other_rules(tmp_path):
    log = WINDOWS_ONLY_LOG.replace("pywin32", "click")
    assert all(f.rule != "DF035" for f in diagnose(context_of(tmp_path, {"requirements.txt": "click==310\n"}), log).findings)
    marked = context_of(tmp_path / "marked", {"requirements.txt": 'pywin32==310; python_version >= "3"\n'})
    assert all(f.rule != "DF035" for f in diagnose(marked, WINDOWS_ONLY_LOG).findings)


def test_df035_marks_the_declared_requirement_that_pulls_in_a_windows_only_one(tmp_path):
    log = WINDOWS_ONLY_LOG.replace("pywin32==310 (from versions: none)", "pywin32>=223 (from pypiwin32) (from versions: none)")
    context = context_of(tmp_path, {"requirements.txt": "pypiwin32==223\nsix\n"})
    finding = first(context, log)
    assert (finding.rule, finding.capture("distribution"), str(finding.location)) == ("DF035", "pypiwin32", "requirements.txt:1")
    fix = BY_ID["DF035"].fix(context, finding)  # type: ignore[misc]
    assert isinstance(fix, Fix) and fix.files["requirements.txt"] == 'pypiwin32==223; sys_platform == "win32"\nsix\n'



def test_df035_marks_the_parent_when_the_distribution_is_marked_already_and_the_others_of_its_file(tmp_path):
    """A file frozen on Windows declares pywin32 (marked by an earlier fix) and pypiwin32, which pulls pywin32 in
    again: pip names pypiwin32, which gets the marker; pywinpty, also Windows-only, is marked in the same edit
    rather than failing the next build."""
    log = WINDOWS_ONLY_LOG.replace("pywin32==310 (from versions: none)", "pywin32>=223 (from pypiwin32) (from versions: none)")
    context = context_of(tmp_path, {"requirements.txt": 'pypiwin32==223\npywin32==310; sys_platform == "win32"\n'
                                                        "pywinpty==2.0.14\nsix\n"})
    finding = first(context, log)
    assert (finding.rule, finding.capture("distribution"), finding.capture_list("others")) == (
        "DF035", "pypiwin32", ('pywinpty; sys_platform == "win32"',))
    fix = BY_ID["DF035"].fix(context, finding)  # type: ignore[misc]
    assert isinstance(fix, Fix) and fix.files["requirements.txt"] == (
        'pypiwin32==223; sys_platform == "win32"\npywin32==310; sys_platform == "win32"\n'
        'pywinpty==2.0.14; sys_platform == "win32"\nsix\n')



# ---- DF037: pipenv --deploy on another Python than the lock's -------------------------------------------------------
PIPENV_MISMATCH = """Step 5/9 : RUN pipenv install --deploy --system
Warning: Your Pipfile requires "python_version" 3.12, but you are using 3.13.0
from /usr/local/bin/python3.
[DeployException]:   File "/usr/local/lib/python3.13/site-packages/pipenv/utils/project.py", line 174, in
ensure_project
ERROR:: Aborting deploy
The command '/bin/sh -c pipenv install --deploy --system' returned a non-zero code: 1
"""


@pytest.mark.parametrize(("base", "moved"), [("python:3-slim", "python:3.12-slim"), ("python", "python:3.12"),
                                             ("python:slim-bookworm", "python:3.12-slim-bookworm"),
                                             ("python:3.13-slim", "python:3.12-slim")])
def test_df037_moves_the_image_to_the_pipfiles_python_unversioned_tags_included(tmp_path, base, moved):
    context = context_of(tmp_path, {"Dockerfile": f"FROM {base}\nRUN pipenv install --deploy --system\n",
                                    "Pipfile": '[packages]\nsix = "*"\n\n[requires]\npython_version = "3.12"\n'})
    finding = first(context, PIPENV_MISMATCH)
    assert (finding.rule, finding.capture("required"), finding.capture("running")) == ("DF037", "3.12", "3.13")
    fix = BY_ID["DF037"].fix(context, finding)  # type: ignore[misc]
    assert isinstance(fix, Fix) and fix.files["Dockerfile"].startswith(f"FROM {moved}\n")


def test_df037_leaves_a_warning_without_deploy_to_the_failure_after_it(tmp_path):
    context = context_of(tmp_path, {"Dockerfile": "FROM python:3-slim\nRUN pipenv install --system\n"})
    warned = PIPENV_MISMATCH.replace("ERROR:: Aborting deploy\n", "").replace("[DeployException]:", "")
    assert all(f.rule != "DF037" for f in diagnose(context, warned).findings)

# ---- DF039: a standard library module the image's Python removed -------------------------------------------------
PYDUB_ON_313 = """import pydub
Traceback (most recent call last):
  File "/opt/venv/lib/python3.13/site-packages/pydub/utils.py", line 14, in <module>
    import audioop
ModuleNotFoundError: No module named 'audioop'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/opt/venv/lib/python3.13/site-packages/pydub/utils.py", line 16, in <module>
    import pyaudioop as audioop
ModuleNotFoundError: No module named 'pyaudioop'
"""


def test_df039_moves_back_to_the_last_python_with_the_module_even_behind_a_fallback(tmp_path):
    """pydub tries audioop, then its fallback pyaudioop: the removed standard module is the cause, ranked before an
    undeclared pyaudioop (DF040), and audioop itself is never taken for an undeclared distribution."""
    context = context_of(tmp_path, {"Dockerfile": "FROM python:3.13-slim AS build\nRUN true\nFROM python:3.13-slim\n",
                                    "requirements.txt": "pydub==0.25.1\n"})
    findings = diagnose(context, PYDUB_ON_313).findings
    assert findings[0].rule == "DF039" and findings[0].capture("python") == "3.12"
    assert all(f.capture("module") != "audioop" for f in findings if f.rule == "DF040")
    fix = BY_ID["DF039"].fix(context, findings[0])  # type: ignore[misc]
    assert isinstance(fix, Fix) and fix.files["Dockerfile"].count("FROM python:3.12-slim") == 2


def test_df039_reads_what_an_unversioned_tag_runs_from_the_image(tmp_path):
    """FROM python:3-slim names no version: the repair loop reads it from the base image (Context.base_pythons);
    a saved log alone says it by the interpreter its traceback ran in. The tag becomes the last Python with the
    module."""
    from dataclasses import replace

    context = context_of(tmp_path, {"Dockerfile": "FROM python:3-slim\nRUN true\n", "requirements.txt": "pydub\n"})
    no_paths = PYDUB_ON_313.replace("/opt/venv/lib/python3.13/site-packages/", "/somewhere/")
    assert all(f.rule != "DF039" for f in diagnose(context, no_paths).findings)  # nothing says it runs 3.13
    for told, log in ((context, PYDUB_ON_313), (replace(context, base_pythons={"python:3-slim": "3.13"}), no_paths)):
        finding = first(told, log)
        assert (finding.rule, finding.capture("current")) == ("DF039", "3.13")
        fix = BY_ID["DF039"].fix(told, finding)  # type: ignore[misc]
        assert isinstance(fix, Fix) and fix.files["Dockerfile"].startswith("FROM python:3.12-slim\n")


def test_df039_stays_quiet_on_a_python_that_has_the_module_and_reports_a_constraint_that_excludes_it(tmp_path):
    on_312 = context_of(tmp_path / "a", {"Dockerfile": "FROM python:3.12-slim\n", "requirements.txt": "six\n"})
    assert all(f.rule != "DF039" for f in diagnose(on_312, PYDUB_ON_313).findings)
    pinned = context_of(tmp_path / "b", {"Dockerfile": "FROM python:3.13-slim\n", "pyproject.toml":
                                         '[project]\nname = "a"\nversion = "1"\nrequires-python = ">=3.13"\n'})
    skip = BY_ID["DF039"].fix(pinned, first(pinned, PYDUB_ON_313))  # type: ignore[misc]
    assert not isinstance(skip, Fix) and "exclude Python 3.12" in skip.reason

# ---- DF036: a pinned release whose wheels stop before the image's Python ----------------------------------------
PILLOW_SDIST_LOG = """Step 5/8 : RUN pip install --no-cache-dir -r requirements.txt
Collecting pillow==10.1.0 (from -r requirements.txt (line 1))
  Downloading Pillow-10.1.0.tar.gz (50.8 MB)
  Getting requirements to build wheel: started
  Getting requirements to build wheel: finished with status 'error'
  error: subprocess-exited-with-error
      KeyError: '__version__'
The command '/bin/sh -c pip install --no-cache-dir -r requirements.txt' returned a non-zero code: 1
"""


def test_df036_moves_the_image_to_the_newest_python_with_a_wheel_of_the_pin(tmp_path, monkeypatch):
    import dockerfix.catalog.DF036_sdist_fails_on_newer_python as df036

    asked = []
    monkeypatch.setattr(df036, "python_with_wheel", lambda project, name: asked.append(name) or "3.12")
    context = context_of(tmp_path, {"Dockerfile": "FROM python:3.13-slim AS build\nCOPY requirements.txt .\n"
                                                  "RUN pip install --no-cache-dir -r requirements.txt\n",
                                    "requirements.txt": "pillow==10.1.0\n"})
    finding = first(context, PILLOW_SDIST_LOG)
    assert (finding.rule, finding.capture("distribution"), finding.capture("python")) == ("DF036", "pillow", "3.12")
    assert asked == ["pillow"]
    fix = BY_ID["DF036"].fix(context, finding)  # type: ignore[misc]
    assert isinstance(fix, Fix) and fix.files["Dockerfile"].startswith("FROM python:3.12-slim AS build\n")
    monkeypatch.setattr(df036, "python_with_wheel", lambda project, name: None)  # no Python has a wheel
    assert all(f.rule != "DF036" for f in diagnose(context, PILLOW_SDIST_LOG).findings)


# ---- DF057: the code only comes from a compose bind mount ------------------------------------------------------------
def test_df057_copies_the_context_where_compose_mounts_it_and_only_then(tmp_path):
    from dockerfix.analyse.compose import parse_compose
    from dockerfix.checks import Check, EntryResolution

    compose = "services:\n  web:\n    build: .\n    volumes:\n      - .:/srv:ro\n      - data:/data\n    command: python app.py\n"
    dockerfile = "FROM python:3.12-slim\nWORKDIR /srv\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n"
    context = context_of(tmp_path / "dev", {"Dockerfile": dockerfile, "docker-compose.yml": compose,
                                            "requirements.txt": "six\n", "app.py": "print(1)\n"})
    assert parse_compose(tmp_path / "dev", "docker-compose.yml")[0].binds == ((".", "/srv"),)
    check = Check("entry-resolves", False, "the entry script is missing", "",
                  EntryResolution(missing_script="/srv/app.py"))
    finding = BY_ID["DF057"].from_check(context, check)  # type: ignore[misc]
    assert finding is not None and finding.capture("target") == "/srv"
    fix = BY_ID["DF057"].fix(context, finding)  # type: ignore[misc]
    assert isinstance(fix, Fix) and "RUN pip install -r requirements.txt\nCOPY . /srv\nCMD" in fix.files["Dockerfile"]
    assert fix.files["Dockerfile"].count("CMD") == 1  # the Dockerfile's own CMD stays the command
    commandless = context_of(tmp_path / "bare", {"Dockerfile": dockerfile.replace('CMD ["python", "app.py"]\n', ""),
                                                 "docker-compose.yml": compose, "app.py": "print(1)\n"})
    finding = BY_ID["DF057"].from_check(commandless, check)  # type: ignore[misc]
    fix = BY_ID["DF057"].fix(commandless, finding)  # type: ignore[misc]
    assert isinstance(fix, Fix) and fix.files["Dockerfile"].endswith('COPY . /srv\nCMD ["python", "app.py"]\n')
    copies = context_of(tmp_path / "copies", {"Dockerfile": dockerfile.replace("COPY requirements.txt .", "COPY . ."),
                                              "docker-compose.yml": compose, "app.py": "print(1)\n"})
    assert BY_ID["DF057"].from_check(copies, check) is None  # type: ignore[misc]  # it copies the code: another cause
    unmounted = context_of(tmp_path / "plain", {"Dockerfile": dockerfile, "docker-compose.yml": compose.replace(
        "      - .:/srv:ro\n", ""), "app.py": "print(1)\n"})
    assert BY_ID["DF057"].from_check(unmounted, check) is None  # type: ignore[misc]


def test_a_utf16_requirements_file_is_edited_as_text(tmp_path):
    """`pip freeze > requirements.txt` in PowerShell writes UTF-16 with a BOM: pip reads it, and the edits of a
    fix read and extend its text (written back as UTF-8, which pip reads too), not its raw bytes."""
    from dockerfix.transform.declare import Edit, declare
    from dockerfix.workspace import read_overlaid

    context = context_of(tmp_path, {"Dockerfile": "FROM python:3.12-slim\n"})
    (tmp_path / "requirements.txt").write_bytes("\ufeffasgiref==3.7.2\r\nDjango==4.2.8\r\n".encode("utf-16-le"))
    context = Context(tmp_path, {}, analyse(tmp_path))
    assert read_overlaid(tmp_path, {}, "requirements.txt") == "asgiref==3.7.2\r\nDjango==4.2.8\r\n"
    files, _ = declare(context, [Edit("drf-yasg", "==1.21.18")])
    assert files["requirements.txt"].splitlines()[:2] == ["asgiref==3.7.2", "Django==4.2.8"]
    assert "drf-yasg==1.21.18" in files["requirements.txt"]
