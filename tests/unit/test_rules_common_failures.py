"""DF020–DF032, the common build failures beyond the seed logs: recognition on real log excerpts (classic
builder and BuildKit), and the edit each fix makes."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockerfix.analyse import analyse
from dockerfix.analyse.dockerfile import parse_dockerfile
from dockerfix.catalog import BY_ID
from dockerfix.model import Context, Finding, Fix, Location, Skip
from dockerfix.catalog.source_build import sdist_being_built
from dockerfix.diagnose import diagnose, relevant_lines, static_findings
from dockerfix.plan.installers import PDM_TOOLS
from dockerfix.transform import apt

APP = {"app/__init__.py": '"""app"""\n', "app/__main__.py": "print('up')\n"}


def project(tmp_path: Path, files: dict[str, str]) -> Context:
    for relpath, text in {**APP, **files}.items():
        path = tmp_path / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return Context(root=tmp_path, files={}, project=analyse(tmp_path), strategy="minimal")


def classic(step: str, output: str, code: int = 1) -> str:
    """A classic-builder log of one failing RUN, with the colour codes the daemon sends for stderr."""
    command = step.removeprefix("RUN ")
    lines = "\n".join(f"\x1b[91m{line}\x1b[0m" for line in output.splitlines())
    return (f"Step 1/3 : FROM python:3.11-slim\n ---> 30ceac53ca99\nStep 2/3 : {step}\n ---> Running in 2f7142e461d9\n"
            f"{lines}\nThe command '/bin/sh -c {command}' returned a non-zero code: {code}\n")


def buildkit(step: str, output: str, code: int = 1) -> str:
    """A Docker 20.10 BuildKit plain-progress log of one failing RUN."""
    command = step.removeprefix("RUN ")
    lines = "\n".join(f"#5 {1.5 + n / 1000:.3f} {line}" for n, line in enumerate(output.splitlines()))
    return (f"#5 [2/3] {step}\n#5 sha256:96ec54bae349873d4a0de5bb0134023fe0d8f62bf1217e0965f447a4aa0eb445\n{lines}\n"
            f"#5 ERROR: executor failed running [/bin/sh -c {command}]: exit code: {code}\n------\n > [2/3] {step}:\n"
            f"------\nexecutor failed running [/bin/sh -c {command}]: exit code: {code}\n")


def buildkit_new(step: str, output: str, code: int = 1) -> str:
    """A current BuildKit log (`process ... did not complete successfully`)."""
    command = step.removeprefix("RUN ")
    lines = "\n".join(f"#7 0.{n:03d} {line}" for n, line in enumerate(output.splitlines()))
    return (f"#7 [2/3] {step}\n{lines}\n#7 ERROR: process \"/bin/sh -c {command}\" did not complete successfully: "
            f"exit code: {code}\n")


LOG_FORMS = pytest.mark.parametrize("form", [classic, buildkit, buildkit_new], ids=["classic", "buildkit", "buildkit-new"])


def found(context: Context, log: str, rule: str) -> Finding | None:
    return next((f for f in diagnose(context, log).findings if f.rule == rule), None)


def fixed(context: Context, finding: Finding | None) -> str:
    assert finding is not None
    outcome = BY_ID[finding.rule].fix(context, finding)  # type: ignore[misc]
    assert isinstance(outcome, Fix), outcome
    text = outcome.files.get(context.dockerfile_path)
    if text is not None:
        parse_dockerfile("Dockerfile", text)  # still a Dockerfile
    return text if text is not None else next(iter(outcome.files.values()))


def dockerfile(*lines: str) -> dict[str, str]:
    return {"Dockerfile": "\n".join(lines) + "\n", "requirements.txt": "six==1.17.0\n"}


# ---- transform/apt.py -----------------------------------------------------------------------------------------

def test_apt_edits_keep_continuations_and_comments():
    text = ("FROM python:3.11-slim\nRUN DEBIAN_FRONTEND=noninteractive apt-get install --no-install-recommends \\\n"
            "    netcat \\\n  # the headers\n    python-dev \\\n    curl && echo done\n")
    info = parse_dockerfile("Dockerfile", text)
    run = info.instructions[1]
    assert apt.installed_packages(run.value) == ["netcat", "python-dev", "curl"]
    renamed = apt.replace_packages(text, run, {"netcat": ("netcat-openbsd",), "python-dev": ()})
    assert "netcat-openbsd \\\n  # the headers\n    curl && echo done" in renamed
    run = parse_dockerfile("Dockerfile", renamed).instructions[1]
    updated = apt.add_update(renamed, run)
    assert "RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install" in updated
    assert updated.rstrip().endswith("echo done && rm -rf /var/lib/apt/lists/*")
    run = parse_dockerfile("Dockerfile", updated).instructions[1]
    assert "apt-get install -y --no-install-recommends" in apt.add_assume_yes(updated, run)


def test_apt_add_packages_goes_before_a_continued_operator():
    text = "FROM d\nRUN apt-get update && apt-get install -y python3 python3-pip \\\n    && rm -rf /var/lib/apt/lists/*\n"
    run = parse_dockerfile("Dockerfile", text).instructions[1]
    assert apt.add_packages(text, run, ["python3-venv"]).splitlines()[1:] == [
        "RUN apt-get update && apt-get install -y python3 python3-pip python3-venv \\", "    && rm -rf /var/lib/apt/lists/*"]


@pytest.mark.parametrize("command, yes", [("apt-get install -y x", True), ("apt-get -qq install x", True),
                                          ("apt-get install --yes x", True), ("apt-get install -qy x", True),
                                          ("apt-get install x", False), ("apt install -q x", False)])
def test_assume_yes_flags(command, yes):
    match = apt.APT_INSTALL.search(command)
    assert apt.assumes_yes(match.group("options"), match.group("arguments")) is yes


def test_apt_install_as_root_after_user_switch():
    text = "FROM python:3.11-slim\nUSER app\nRUN pip install x\n"
    info = parse_dockerfile("Dockerfile", text)
    edited = apt.insert_install_before(text, info, info.instructions[2], ["gcc", "libc6-dev"])
    assert edited.splitlines()[2:6] == [
        "USER root",
        "RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*",
        "USER app", "RUN pip install x"]


# ---- DF020 / DF021: unavailable packages ------------------------------------------------------------------------

RENAMED_OUTPUT = """Reading package lists...
Package netcat is a virtual package provided by:
  netcat-openbsd 1.219-1
E: Package 'netcat' has no installation candidate
E: Unable to locate package libssl1.1"""


@LOG_FORMS
def test_df020_renames_from_the_table(tmp_path, form):
    step = "RUN apt-get update && apt-get install -y netcat libssl1.1 curl"
    context = project(tmp_path, dockerfile("FROM ubuntu:22.04", step))  # a release the index data lacks: no static finding
    assert not list(BY_ID["DF020"].detect(context))  # type: ignore[misc]
    finding = found(context, form(step, RENAMED_OUTPUT, 100), "DF020")
    assert finding is not None and finding.capture_list("packages") == ("netcat", "libssl1.1")
    assert found(context, form(step, RENAMED_OUTPUT, 100), "DF021") is None  # the table decides
    assert "apt-get install -y netcat-openbsd libssl3 curl" in fixed(context, finding)


TRIXIE_OUTPUT = """Reading package lists...
Building dependency tree...
Package libasound2 is a virtual package provided by:
  liboss4-salsa-asound2 4.2-build2020-1+b3
  libasound2t64 1.2.14-1

Package libglib2.0-0 is a virtual package provided by:
  libglib2.0-0t64 2.84.4-3~deb13u1

E: Package 'libasound2' has no installation candidate
E: Package 'libglib2.0-0' has no installation candidate
E: Package 'libfoo1' has no installation candidate"""


@LOG_FORMS
def test_df020_takes_the_provider_apt_lists_for_names_the_table_does_not_know(tmp_path, form):
    step = "RUN apt-get update && apt-get install -y libasound2 libglib2.0-0 libnss3"
    context = project(tmp_path, dockerfile("FROM python:3.12-slim-trixie", step))
    finding = found(context, form(step, TRIXIE_OUTPUT, 100), "DF020")
    assert finding is not None and finding.capture_list("packages") == ("libasound2", "libglib2.0-0")  # libfoo1: no provider
    assert "apt-get install -y libasound2t64 libglib2.0-0t64 libnss3" in fixed(context, finding)


def test_df020_detects_before_building_on_bookworm_images(tmp_path):
    context = project(tmp_path, dockerfile("FROM python:3.11-slim", "RUN apt-get update && apt-get install -y python-dev gcc"))
    (finding,) = BY_ID["DF020"].detect(context)  # type: ignore[misc]
    assert "apt-get install -y gcc" in fixed(context, finding)  # python-dev has no replacement: dropped


@LOG_FORMS
def test_df021_adds_update_to_the_failing_run(tmp_path, form):
    step = "RUN apt-get install -y --no-install-recommends curl"
    context = project(tmp_path, dockerfile("FROM python:3.11-slim", step))
    log = form(step, "Reading package lists...\nBuilding dependency tree...\nE: Unable to locate package curl", 100)
    finding = found(context, log, "DF021")
    assert found(context, log, "DF020") is None
    assert ("RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*"
            in fixed(context, finding))


def test_df021_in_a_saved_log_where_stdout_and_stderr_share_a_line(tmp_path):
    step = "RUN apt-get install -y curl"
    context = project(tmp_path, dockerfile("FROM python:3.11-slim", step))
    log = (f"Step 2/2 : {step}\n ---> Running in 1d55be467749\nReading package lists...\x1b[91mE\x1b[0m\x1b[91m: "
           "Unable to locate package curl\n\x1b[0mBuilding dependency tree...\n"
           "The command '/bin/sh -c apt-get install -y curl' returned a non-zero code: 100\n")
    assert found(context, log, "DF021") is not None


def test_df021_in_a_buildkit_log_where_apt_progress_and_error_share_a_line(tmp_path):
    step = "RUN apt-get install -y curl"
    context = project(tmp_path, dockerfile("FROM python:3.11-slim", step))
    log = buildkit(step, "Reading package lists...\nBuilding dependency tree...E: Unable to locate package curl", 100)
    assert found(context, log, "DF021") is not None


def test_df021_leaves_a_run_that_updates_first(tmp_path):
    step = "RUN apt-get update && apt-get install -y curll"
    context = project(tmp_path, dockerfile("FROM python:3.11-slim", step))
    assert found(context, classic(step, "E: Unable to locate package curll", 100), "DF021") is None


@pytest.mark.parametrize(("lines", "found_before_building"), [
    (("FROM python:3.11-slim", "RUN apt-get install -y curl"), True),
    (("FROM debian:bookworm-slim AS base", "FROM base", "RUN apt-get install -y curl"), True),
    (("FROM python:3.11-slim", "RUN apt-get update", "RUN apt-get install -y curl"), False),  # stale, not empty
    (("FROM python:3.11-slim AS base", "RUN apt-get update", "FROM base", "RUN apt-get install -y curl"), False),
    (("FROM python:3.11-slim", "RUN apt-get update && apt-get install -y curl"), False),
    (("FROM registry.example/team/base:1", "RUN apt-get install -y curl"), False),  # its lists are unknown
])
def test_df021_is_found_before_building_where_the_lists_are_certainly_empty(tmp_path, lines, found_before_building):
    context = project(tmp_path, dockerfile(*lines))
    static = [f for f in static_findings(context) if f.rule == "DF021"]
    assert bool(static) == found_before_building
    if static:
        assert fixed(context, static[0]).endswith(
            "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n")


# ---- DF022: apt prompt ------------------------------------------------------------------------------------------

@LOG_FORMS
def test_df022_adds_yes(tmp_path, form):
    step = "RUN apt-get update && apt-get install --no-install-recommends curl"
    context = project(tmp_path, dockerfile("FROM python:3.11-slim", step, "RUN apt-get -y install git"))
    output = "The following NEW packages will be installed:\n  curl libcurl4\nDo you want to continue? [Y/n] Abort."
    text = fixed(context, found(context, form(step, output), "DF022"))
    assert "apt-get install -y --no-install-recommends curl" in text
    assert "RUN apt-get -y install git" in text  # already answers yes: untouched


def test_df022_is_found_before_building(tmp_path):
    context = project(tmp_path, dockerfile("FROM python:3.11-slim", "RUN apt-get update && apt-get install curl",
                                           "RUN apt-get update && apt-get install --yes git"))
    [finding] = [f for f in static_findings(context) if f.rule == "DF022"]
    assert finding.location == Location("Dockerfile", 2)
    assert "apt-get install -y curl" in fixed(context, finding)


# ---- DF023: PEP 668 ---------------------------------------------------------------------------------------------

PEP668 = """error: externally-managed-environment

× This environment is externally managed
╰─> To install Python packages system-wide, try apt install
    python3-xyz, where xyz is the package you are trying to
    install."""


@LOG_FORMS
def test_df023_creates_a_venv_before_the_first_pip_install(tmp_path, form):
    step = "RUN pip install -r requirements.txt"
    context = project(tmp_path, dockerfile(
        "FROM debian:bookworm-slim",
        "RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pip && rm -rf /var/lib/apt/lists/*",
        "WORKDIR /app", "COPY requirements.txt .", step, 'CMD ["python3", "-m", "app"]'))
    text = fixed(context, found(context, form(step, PEP668), "DF023"))
    assert text.splitlines()[1:7] == [
        "RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pip python3-venv"
        " && rm -rf /var/lib/apt/lists/*",
        "WORKDIR /app", "COPY requirements.txt .",
        "RUN python3 -m venv /opt/venv", 'ENV PATH="/opt/venv/bin:$PATH"', step]
    assert "--break-system-packages" not in text


def test_df023_skips_a_non_root_install(tmp_path):
    step = "RUN pip install --user six"
    context = project(tmp_path, dockerfile("FROM debian:bookworm-slim", "USER nobody", step))
    finding = found(context, classic(step, PEP668), "DF023")
    assert isinstance(BY_ID["DF023"].fix(context, finding), Skip)  # type: ignore[misc]


@pytest.mark.parametrize(("lines", "found_before_building"), [
    (("FROM debian:bookworm-slim", "RUN pip install six"), True),
    (("FROM ubuntu:24.04", "RUN python3 -m pip install --user six"), True),  # --user is refused too
    (("FROM debian:bullseye-slim", "RUN pip install six"), False),  # Debian 11: no marker
    (("FROM python:3.11-slim", "RUN pip install six"), False),  # the image's own Python
    (("FROM debian:bookworm-slim", "RUN python3 -m venv /opt/venv", "RUN pip install six"), False),
    (("FROM debian:bookworm-slim", "RUN pip install --break-system-packages six"), False),
    (("FROM debian:bookworm-slim", "RUN /opt/env/bin/pip install six"), False),  # not the system pip
])
def test_df023_is_found_before_building_for_the_system_pip(tmp_path, lines, found_before_building):
    context = project(tmp_path, dockerfile(*lines))
    assert any(f.rule == "DF023" for f in static_findings(context)) == found_before_building


# ---- DF024: Requires-Python -------------------------------------------------------------------------------------

IGNORED = ("ERROR: Ignored the following versions that require a different python version: 8.2.0 Requires-Python >=3.10;"
           " 8.2.1 Requires-Python >=3.10\n"
           "ERROR: Could not find a version that satisfies the requirement click==8.2.0 (from versions: 8.1.7, 8.1.8)\n"
           "ERROR: No matching distribution found for click==8.2.0")


@LOG_FORMS
def test_df024_moves_to_the_nearest_python_the_pin_supports(tmp_path, form):
    step = "RUN pip install -r requirements.txt"
    files = dockerfile("FROM python:3.9-slim AS build", step, "FROM python:3.9-slim", "COPY --from=build /usr/local /usr/local")
    context = project(tmp_path, {**files, "requirements.txt": "click==8.2.0\n"})
    finding = found(context, form(step, IGNORED), "DF024")
    assert finding.capture("python") == "3.10"  # not 3.13: the other pins were frozen on 3.9
    text = fixed(context, finding)
    assert text.count("FROM python:3.10-slim") == 2


def test_df024_honours_the_project_constraint_and_global_arg(tmp_path):
    step = "RUN pip install -r requirements.txt"
    files = {"Dockerfile": f"ARG PYTHON_VERSION=3.9\nFROM python:${{PYTHON_VERSION}}-slim\n{step}\n",
             "requirements.txt": "click==8.2.0\n", ".python-version": "3.11\n"}
    context = project(tmp_path, files)
    text = fixed(context, found(context, classic(step, IGNORED), "DF024"))
    assert text.startswith("ARG PYTHON_VERSION=3.11\n")


def test_df024_does_not_fire_for_a_version_that_does_not_exist(tmp_path):
    step = "RUN pip install click==8.9.9"
    context = project(tmp_path, dockerfile("FROM python:3.11-slim", step))
    log = ("ERROR: Could not find a version that satisfies the requirement click==8.9.9 (from versions: 8.2.0, 8.3.1)\n"
           "ERROR: No matching distribution found for click==8.9.9")
    assert found(context, classic(step, log), "DF024") is None


@LOG_FORMS
def test_df033_reports_a_pin_the_index_does_not_have(tmp_path, form):
    step = "RUN pip install -r requirements.txt"
    context = project(tmp_path, {**dockerfile("FROM python:3.11-slim", step), "requirements.txt": "click==8.9.9\n"})
    log = ("ERROR: Could not find a version that satisfies the requirement click==8.9.9 (from versions: 0.1, 8.3.0, 8.3.1)\n"
           "ERROR: No matching distribution found for click==8.9.9")
    finding = found(context, form(step, log), "DF033")
    assert "click==8.9.9 is not on the package index (newest: 0.1, 8.3.0, 8.3.1)" in finding.message
    assert finding.location == Location("requirements.txt", 1)
    assert found(context, form(step, log), "DF024") is None


def test_df033_leaves_other_python_and_unreachable_index_alone(tmp_path):
    step = "RUN pip install -r requirements.txt"
    context = project(tmp_path, dockerfile("FROM python:3.9-slim", step))
    assert found(context, classic(step, IGNORED), "DF033") is None  # 8.2.0 exists for Python >= 3.10
    offline = ("ERROR: Could not find a version that satisfies the requirement six==1.17.0 (from versions: none)\n"
               "ERROR: No matching distribution found for six==1.17.0")
    assert found(context, classic(step, offline), "DF033") is None



PIP_CONFLICT = """ERROR: Cannot install -r requirements.txt (line 1) and urllib3==1.20 because these package versions have conflicting dependencies.

The conflict is caused by:
    The user requested urllib3==1.20
    requests 2.32.3 depends on urllib3<3 and >=1.21.1

To fix this you could try to:
1. loosen the range of package versions you've specified
2. remove package versions to allow pip to attempt to solve the dependency conflict

ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/#dealing-with-dependency-conflicts"""
UV_CONFLICT = """  × No solution found when resolving dependencies:
  ╰─▶ Because requests==2.32.3 depends on urllib3>=1.21.1,<3 and you require requests==2.32.3, we can conclude that you require urllib3>=1.21.1,<3.
      And because you require urllib3==1.20, we can conclude that your requirements are unsatisfiable."""


@LOG_FORMS
@pytest.mark.parametrize(("step", "output", "causes"), [
    ("RUN pip install -r requirements.txt", PIP_CONFLICT,
     "The user requested urllib3==1.20; requests 2.32.3 depends on urllib3<3 and >=1.21.1"),
    ("RUN uv pip install --system -r requirements.txt", UV_CONFLICT,
     "Because requests==2.32.3 depends on urllib3>=1.21.1,<3 and you require requests==2.32.3, we can conclude that "
     "you require urllib3>=1.21.1,<3. And because you require urllib3==1.20, we can conclude that your requirements "
     "are unsatisfiable."),
], ids=["pip", "uv"])
def test_df034_reports_requirements_that_conflict(tmp_path, form, step, output, causes):
    files = {**dockerfile("FROM python:3.11-slim", step), "requirements.txt": "requests==2.32.3\nurllib3==1.20\n"}
    context = project(tmp_path, files)
    finding = found(context, form(step, output), "DF034")
    assert finding is not None and finding.capture("causes") == causes
    assert finding.message == f"the project's requirements conflict, on any Python and base image: {causes}"

# ---- DF025: build dependencies (S003-3) ---------------------------------------------------------------------------

PG_CONFIG = """Collecting psycopg2==2.9.9
  Downloading psycopg2-2.9.9.tar.gz (384 kB)
  Getting requirements to build wheel: finished with status 'error'
  error: subprocess-exited-with-error
      running egg_info
      Error: pg_config executable not found.
      If you prefer to avoid building psycopg2 from source, please install the PyPI
      'psycopg2-binary' package instead."""


@LOG_FORMS
def test_df025_single_stage_gets_build_and_runtime_packages(tmp_path, form):
    step = "RUN pip install -r requirements.txt"
    context = project(tmp_path, {**dockerfile("FROM python:3.11-slim", "USER app", step), "requirements.txt": "psycopg2==2.9.9\n"})
    finding = found(context, form(step, PG_CONFIG), "DF025")
    assert finding.capture("distribution") == "psycopg2" and "psycopg2-binary" in finding.message
    text = fixed(context, finding)
    assert ("USER root\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev libpq-dev libpq5"
            " && rm -rf /var/lib/apt/lists/*\nUSER app\n" + step) in text


def test_df025_reads_the_config_tool_whatever_distribution_builds(tmp_path):
    """psycopg2-binary's wheels stop at some Python; on a newer one pip builds its sdist, which is psycopg2's and
    needs pg_config: the tool names what to install."""
    step = "RUN pip install -r requirements.txt"
    context = project(tmp_path, {**dockerfile("FROM python:3.11-slim", step), "requirements.txt": "psycopg2-binary==2.7.6.1\n"})
    log = PG_CONFIG.replace("psycopg2==2.9.9", "psycopg2-binary==2.7.6.1").replace("psycopg2-2.9.9", "psycopg2-binary-2.7.6.1")
    finding = found(context, buildkit(step, log), "DF025")
    assert finding.capture("distribution") == "psycopg2-binary"
    assert "gcc libc6-dev libpq-dev libpq5" in fixed(context, finding)


def test_df025_multi_stage_splits_builder_and_final(tmp_path):
    step = "RUN /opt/venv/bin/pip install -r /tmp/requirements.txt"
    files = dockerfile("FROM python:3.11-slim AS builder", "RUN python -m venv /opt/venv", step,
                       "FROM python:3.11-slim", "COPY --from=builder /opt/venv /opt/venv", 'CMD ["python", "-m", "app"]')
    context = project(tmp_path, files)
    text = fixed(context, found(context, buildkit(step, PG_CONFIG), "DF025"))
    lines = text.splitlines()
    assert lines[:3] == ["FROM python:3.11-slim AS builder",
                         "RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev libpq-dev"
                         " && rm -rf /var/lib/apt/lists/*", "RUN python -m venv /opt/venv"]
    assert lines[4:7] == ["FROM python:3.11-slim",
                          "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*",
                          "COPY --from=builder /opt/venv /opt/venv"]


def test_df025_generic_compiler_and_not_twice(tmp_path):
    step = "RUN pip install -r requirements.txt"
    output = ("Building wheel for ujson (pyproject.toml): started\n"
              "      error: command 'gcc' failed: No such file or directory\n"
              "  ERROR: Failed building wheel for ujson")
    context = project(tmp_path, dockerfile("FROM python:3.11-slim", step))
    finding = found(context, classic(step, output), "DF025")
    assert finding.capture_list("build") == ("gcc", "libc6-dev")
    done = project(tmp_path, dockerfile("FROM python:3.11-slim", "RUN apt-get update && apt-get install -y gcc libc6-dev", step))
    assert found(done, classic(step, output), "DF025") is None  # installed and still failing: another cause


def test_df025_compiler_from_a_build_script_and_debian_python_headers(tmp_path):
    step = "RUN pip install -r requirements.txt"
    context = project(tmp_path, dockerfile("FROM debian:bookworm-slim", step))
    script = found(context, buildkit(step, "Building wheel for ujson (pyproject.toml)\n/bin/sh: 1: gcc: not found"), "DF025")
    assert script.capture_list("build") == ("gcc", "libc6-dev")
    assert found(context, buildkit(step, "sh: 1: gcc: not found"), "DF028") is None  # the RUN does not call gcc
    header = found(context, classic(step, "Building wheel for ujson (pyproject.toml)\n  python/ujson.c:1:10: fatal error: "
                                          "Python.h: No such file or directory"), "DF025")
    assert header.capture_list("build") == ("gcc", "libc6-dev", "python3-dev")


def test_sdist_being_built_prefers_pips_summary():
    log = "Collecting a\nCollecting psycopg2\n  Downloading psycopg2-2.9.9.tar.gz\nboom\nERROR: Failed to build 'PsycoPG2' when"
    assert sdist_being_built(log, log.index("boom")) == "psycopg2"
    assert sdist_being_built("Using cached psycopg2-2.9.9.tar.gz (384 kB)\nboom", 40) == "psycopg2"


# ---- DF026: Poetry 2 root install ------------------------------------------------------------------------------

POETRY_ROOT = """Installing the current project: ledger (0.1.0)

Error: The current project could not be installed: No file/folder found for package ledger
If you do not want to install the current project use --no-root."""

POETRY_PYPROJECT = """[tool.poetry]
name = "ledger"
version = "0.1.0"
description = ""
authors = ["a <a@example.invalid>"]
{scripts}
[tool.poetry.dependencies]
python = "^3.10"

[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
"""


@LOG_FORMS
def test_df026_adds_no_root_before_the_sources(tmp_path, form):
    step = "RUN poetry config virtualenvs.create false && poetry install --only main --no-interaction"
    files = {"Dockerfile": f"FROM python:3.11-slim\nWORKDIR /app\nCOPY pyproject.toml poetry.lock ./\n{step}\nCOPY . .\n",
             "pyproject.toml": POETRY_PYPROJECT.format(scripts=""), "ledger/__init__.py": ""}
    context = project(tmp_path, files)
    text = fixed(context, found(context, form(step, POETRY_ROOT), "DF026"))
    assert "poetry install --only main --no-interaction --no-root\nCOPY . .\n" in text


def test_df026_installs_the_root_after_the_sources_for_scripts(tmp_path):
    step = "RUN poetry install --only main"
    files = {"Dockerfile": f"FROM python:3.11-slim\nWORKDIR /app\nCOPY pyproject.toml ./\n{step}\nCOPY . .\n",
             "pyproject.toml": POETRY_PYPROJECT.format(scripts='[tool.poetry.scripts]\nledger = "ledger:main"\n'),
             "ledger/__init__.py": "def main(): pass\n"}
    context = project(tmp_path, files)
    log = classic(step, "Installing the current project: ledger (0.1.0)\n\n/app/ledger does not contain any element")
    text = fixed(context, found(context, log, "DF026"))
    assert text.endswith("RUN poetry install --only main --no-root\nCOPY . .\nRUN poetry install --only-root --no-interaction\n")


@pytest.mark.parametrize(("poetry", "found_before_building"), [
    ("poetry", True), ("'poetry>=2,<3'", True), ("poetry==2.1.3", True), ("poetry==1.8.5", False), ("'poetry<2'", False),
])
def test_df026_a_poetry_2_install_is_found_before_building(tmp_path, poetry, found_before_building):
    step = "RUN poetry install --only main"
    files = {"Dockerfile": f"FROM python:3.11-slim\nRUN pip install {poetry}\nWORKDIR /app\nCOPY pyproject.toml ./\n"
                           f"{step}\nCOPY . .\n",
             "pyproject.toml": POETRY_PYPROJECT.format(scripts=""), "ledger/__init__.py": ""}
    context = project(tmp_path, files)
    static = [f for f in static_findings(context) if f.rule == "DF026"]
    assert bool(static) == found_before_building
    if static:
        assert "RUN poetry install --only main --no-root\nCOPY . .\n" in fixed(context, static[0])


@pytest.mark.parametrize("change", ["sources first", "package-mode false"])
def test_df026_an_installable_root_is_not_a_static_finding(tmp_path, change):
    pyproject = POETRY_PYPROJECT.format(scripts="")
    copies = "COPY pyproject.toml ./\n"
    if change == "sources first":
        copies = "COPY . .\n"
    else:
        pyproject = pyproject.replace('authors = ["a <a@example.invalid>"]', 'authors = []\npackage-mode = false')
    files = {"Dockerfile": f"FROM python:3.11-slim\nRUN pip install poetry\nWORKDIR /app\n{copies}"
                           "RUN poetry install --only main\n",
             "pyproject.toml": pyproject, "ledger/__init__.py": ""}
    assert [f for f in static_findings(project(tmp_path, files)) if f.rule == "DF026"] == []


def test_df026_suggests_package_mode_when_sources_were_there(tmp_path):
    step = "RUN poetry install --only main"
    files = {"Dockerfile": f"FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\n{step}\n",
             "pyproject.toml": POETRY_PYPROJECT.format(scripts="")}
    context = project(tmp_path, files)
    outcome = BY_ID["DF026"].fix(context, found(context, classic(step, POETRY_ROOT), "DF026"))  # type: ignore[misc]
    assert isinstance(outcome, Skip) and "package-mode = false" in outcome.reason


# ---- DF027: COPY of a missing path -------------------------------------------------------------------------------

def test_df027_copies_the_one_candidate_under_the_expected_name(tmp_path):
    files = {"Dockerfile": "FROM python:3.11-slim\nWORKDIR /app\nCOPY --chown=app requirements.txt .\nRUN pip install -r requirements.txt\n",
             "requirements/base.txt": "six==1.17.0\n"}
    context = project(tmp_path, files)
    (finding,) = BY_ID["DF027"].detect(context)  # type: ignore[misc]
    assert finding.capture("candidate") == "requirements/base.txt"
    assert "COPY --chown=app requirements/base.txt ./requirements.txt\n" in fixed(context, finding)
    for log in ('failed to compute cache key: "/requirements.txt": not found',
                "COPY failed: file not found in build context or excluded by .dockerignore: stat requirements.txt: file does not exist"):
        assert found(context, log, "DF027") is not None
        assert found(context, log, "DF001") is None


def test_df027_same_name_elsewhere_keeps_the_destination(tmp_path):
    files = {"Dockerfile": "FROM python:3.11-slim\nCOPY entrypoint.sh pyproject.toml /app/\n",
             "docker/entrypoint.sh": "#!/bin/sh\n", "pyproject.toml": "[project]\nname = 'x'\nversion = '1'\n"}
    context = project(tmp_path, files)
    (finding,) = BY_ID["DF027"].detect(context)  # type: ignore[misc]
    assert fixed(context, finding).splitlines()[1:] == ["COPY pyproject.toml /app/", "COPY docker/entrypoint.sh /app/"]


def test_df027_reports_when_nothing_or_too_much_matches(tmp_path):
    files = {"Dockerfile": "FROM python:3.11-slim\nCOPY settings.ini /app/\n", "a/settings.ini": "", "b/settings.ini": "",
             "requirements.txt": "six\n"}
    context = project(tmp_path, files)
    (finding,) = BY_ID["DF027"].detect(context)  # type: ignore[misc]
    assert "a/settings.ini, b/settings.ini" in finding.message
    assert isinstance(BY_ID["DF027"].fix(context, finding), Skip)  # type: ignore[misc]


def test_df027_rejects_an_ignored_path(tmp_path):
    files = {"Dockerfile": "FROM python:3.11-slim\nCOPY poetry.lock /app/\n", ".dockerignore": "*.lock\n", "requirements.txt": ""}
    context = project(tmp_path, files)
    assert found(context, '"/poetry.lock": not found', "DF027") is None


# ---- DF028: command not found ------------------------------------------------------------------------------------

@LOG_FORMS
def test_df028_installs_the_missing_program(tmp_path, form):
    step = "RUN curl -fsSL -o /tmp/x.whl https://files.pythonhosted.org/x.whl && pip install /tmp/x.whl"
    context = project(tmp_path, dockerfile("FROM python:3.11-slim", "WORKDIR /app", step))
    finding = found(context, form(step, "/bin/sh: 1: curl: not found", 127), "DF028")
    assert (finding.capture("command"), finding.capture_list("packages")) == ("curl", ("curl",))
    assert ("RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n"
            + step) in fixed(context, finding)


def test_df028_maps_nc_and_ignores_programs_the_run_does_not_call(tmp_path):
    step = "RUN nc -z db 5432 || true; pip install -r requirements.txt"
    context = project(tmp_path, dockerfile("FROM python:3.11-slim", step))
    finding = found(context, classic(step, "bash: line 1: nc: command not found", 127), "DF028")
    assert finding.capture_list("packages") == ("netcat-openbsd",)
    assert found(context, classic(step, "sh: 1: gcc: not found", 1), "DF028") is None


# ---- DF029: README ignored ---------------------------------------------------------------------------------------

HATCH = """[project]
name = "app"
version = "0.1.0"
readme = "README.md"

[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"
"""


def test_df029_detects_and_reincludes_the_readme(tmp_path):
    files = {"Dockerfile": "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install .\n",
             ".dockerignore": ".git\n*.md\n", "README.md": "# app\n", "pyproject.toml": HATCH}
    context = project(tmp_path, files)
    (finding,) = BY_ID["DF029"].detect(context)  # type: ignore[misc]
    assert fixed(context, finding) == ".git\n*.md\n!README.md\n"


@pytest.mark.parametrize("line", ["OSError: Readme file does not exist: README.md",
                                  "FileNotFoundError: Readme path `/app/README.md` does not exist.",
                                  "flit_core.config.ConfigError: Description file README.md does not exist",
                                  "pdm.backend.exceptions.ValidationError: project.readme.file: Readme file not found ('README.md')"])
def test_df029_backend_messages(tmp_path, line):
    files = {"Dockerfile": "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --no-deps .\n",
             ".dockerignore": "README.md\n", "README.md": "# app\n", "pyproject.toml": HATCH}
    context = project(tmp_path, files)
    finding = found(context, buildkit("RUN pip install --no-deps .", line), "DF029")
    assert fixed(context, finding).strip() == ""  # the pattern naming exactly the file is removed


def test_df029_quiet_when_the_dependencies_install_without_the_project(tmp_path):
    files = {"Dockerfile": "FROM python:3.11-slim\nCOPY . .\nRUN pip install -r requirements.txt\n",
             ".dockerignore": "*.md\n", "README.md": "# app\n", "pyproject.toml": HATCH, "requirements.txt": "six\n"}
    assert not list(BY_ID["DF029"].detect(project(tmp_path, files)))  # type: ignore[misc]


# ---- DF030: --require-hashes ------------------------------------------------------------------------------------

HASHES = """ERROR: Hashes are required in --require-hashes mode, but they are missing from some requirements. Here is a list of those requirements along with the hashes their downloaded archives actually had. You can add lines like these to your requirements files to accept the hashes
    six==1.17.0 --hash=sha256:4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274"""


@LOG_FORMS
def test_df030_drops_the_flag_for_a_file_without_hashes(tmp_path, form):
    step = "RUN pip install --no-cache-dir --require-hashes -r requirements.txt"
    context = project(tmp_path, dockerfile("FROM python:3.11-slim", "WORKDIR /app", step))
    finding = found(context, form(step, HASHES), "DF030")
    assert "six==1.17.0 --hash=sha256:4721" in " ".join(finding.evidence)
    assert "RUN pip install --no-cache-dir -r requirements.txt\n" in fixed(context, finding)
    assert BY_ID["DF030"].applicability == "unsafe"


def test_df030_reports_a_partly_hashed_file(tmp_path):
    step = "RUN pip install -r requirements.txt"
    files = {"Dockerfile": f"FROM python:3.11-slim\n{step}\n",
             "requirements.txt": "six==1.17.0 --hash=sha256:4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274\nclick>=8\n"}
    context = project(tmp_path, files)
    log = classic(step, "ERROR: In --require-hashes mode, all requirements must have their versions pinned with ==. These do not:\n    click>=8 from -r requirements.txt (line 2)")
    finding = found(context, log, "DF030")
    assert "click>=8 from -r requirements.txt (line 2)" in finding.evidence
    outcome = BY_ID["DF030"].fix(context, finding)  # type: ignore[misc]
    assert isinstance(outcome, Skip) and "pip-compile --generate-hashes" in outcome.reason


@pytest.mark.parametrize(("step", "requirements", "rejected"), [
    ("RUN pip install --require-hashes -r requirements.txt", "six==1.17.0\n", "requirements.txt:1"),
    ("RUN pip install -r requirements.txt", f"six==1.17.0 --hash=sha256:{'0' * 64}\nclick>=8\n", "requirements.txt:2"),
    ("RUN pip install -r requirements.txt", "six==1.17.0\n", None),  # no hash-checking mode
    ("RUN pip install --require-hashes -r requirements.txt", f"six==1.17.0 --hash=sha256:{'0' * 64}\n", None),
])
def test_df030_finds_rejected_lines_before_building(tmp_path, step, requirements, rejected):
    context = project(tmp_path, {"Dockerfile": f"FROM python:3.11-slim\n{step}\n", "requirements.txt": requirements})
    static = [f for f in static_findings(context) if f.rule == "DF030"]
    assert [rejected in f.message for f in static] == ([True] if rejected else [])


# ---- DF031: venv moved (S003-4) -----------------------------------------------------------------------------------

VENV_MOVED = dockerfile(
    "FROM python:3.12-slim AS builder", "RUN python -m venv /opt/venv", "RUN /opt/venv/bin/pip install -r /tmp/r.txt",
    "FROM python:3.11-slim", "WORKDIR /app", "COPY --from=builder /opt/venv /app/.venv",
    'ENV PATH="/app/.venv/bin:$PATH"', 'CMD ["/app/.venv/bin/uvicorn", "app.main:app"]')


def test_df031_detects_path_and_python_and_fixes_both(tmp_path):
    context = project(tmp_path, VENV_MOVED)
    (finding,) = BY_ID["DF031"].detect(context)  # type: ignore[misc]
    assert "/opt/venv to /app/.venv" in finding.message and "Python 3.11" in finding.message
    assert fixed(context, finding).splitlines()[3:] == [
        "FROM python:3.12-slim", "WORKDIR /app", "COPY --from=builder /opt/venv /opt/venv",
        'ENV PATH="/opt/venv/bin:$PATH"', 'CMD ["/opt/venv/bin/uvicorn", "app.main:app"]']


def test_df031_matches_the_run_time_symptom_and_stays_quiet_when_consistent(tmp_path):
    context = project(tmp_path, VENV_MOVED)
    assert found(context, "[entry-starts] exited with status 1\nexec /app/.venv/bin/uvicorn: no such file or directory", "DF031")
    uv = dockerfile("FROM python:3.12-slim AS builder", "WORKDIR /app", "RUN uv sync --frozen",
                    "FROM python:3.12-slim", "COPY --from=builder /app/.venv /app/.venv")
    assert not list(BY_ID["DF031"].detect(project(tmp_path / "uv", uv)))  # type: ignore[misc]


# ---- DF032: unpinned PDM ---------------------------------------------------------------------------------------

@LOG_FORMS
def test_df032_pins_pdm_and_its_http_stack(tmp_path, form):
    step = "RUN pdm install --prod --frozen-lockfile --no-self"
    context = project(tmp_path, dockerfile("FROM python:3.11-slim", "RUN pip install --no-cache-dir pdm", step))
    output = ("    class ThreadedSyncSqliteStorage(hishel.SyncSqliteStorage):\n"
              "AttributeError: module 'hishel' has no attribute 'SyncSqliteStorage'")
    text = fixed(context, found(context, form(step, output), "DF032"))
    assert "RUN pip install --no-cache-dir pdm==2.22.4 'unearth<0.18' 'hishel<0.2' httpx==0.28.1\n" in text
    assert all(tool in text for tool in PDM_TOOLS)


@pytest.mark.parametrize(("install", "found_before_building"), [
    ("pip install pdm", True), ("pip install pdm==2.10.4", False), ("pip install pdm 'hishel<0.2'", False),
])
def test_df032_an_unpinned_pdm_is_found_before_building(tmp_path, install, found_before_building):
    context = project(tmp_path, dockerfile("FROM python:3.11-slim", f"RUN {install}", "RUN pdm install --prod"))
    static = [f for f in static_findings(context) if f.rule == "DF032"]
    assert bool(static) == found_before_building
    if static:
        assert "RUN pip install pdm==2.22.4 'unearth<0.18' 'hishel<0.2' httpx==0.28.1\n" in fixed(context, static[0])


SCM_PYPROJECT = ('[project]\nname = "app"\ndynamic = ["version"]\n[build-system]\nrequires = ["setuptools", "setuptools-scm"]\n'
                 'build-backend = "setuptools.build_meta"\n')
SCM_DOCKERFILE = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install .\nCMD [\"python\", \"-m\", \"app\"]\n"


@pytest.mark.parametrize("pyproject, output, variable", [
    (SCM_PYPROJECT, "LookupError: setuptools-scm was unable to detect version for /app.\n\nMake sure you're either "
                    "building from a fully intact git repository or PyPI tarballs.", "SETUPTOOLS_SCM_PRETEND_VERSION"),
    (SCM_PYPROJECT.replace('"setuptools", "setuptools-scm"', '"hatchling", "hatch-vcs"'),
     "LookupError: Error getting the version from source `vcs`: setuptools-scm was unable to detect version for /app.",
     "SETUPTOOLS_SCM_PRETEND_VERSION"),
    (SCM_PYPROJECT.replace('"setuptools", "setuptools-scm"', '"pdm-backend"') + '[tool.pdm.version]\nsource = "scm"\n',
     "pdm.backend.exceptions.ConfigError: Cannot find the version from SCM or SCM isn't detected. \nYou can still "
     "specify the version via environment variable `PDM_BUILD_SCM_VERSION`, or specify `fallback_version` config.",
     "PDM_BUILD_SCM_VERSION"),
])
@pytest.mark.parametrize("log", [classic, buildkit, buildkit_new])
def test_df014_scm_version_without_git(tmp_path, pyproject, output, variable, log):
    context = project(tmp_path, {"pyproject.toml": pyproject, "Dockerfile": SCM_DOCKERFILE, ".dockerignore": ".git\n"})
    finding = next(f for f in diagnose(context, log("RUN pip install .", output)).findings if f.rule == "DF014")
    assert finding.capture("variable") == variable and finding.capture("line") == "4"
    fixed = BY_ID["DF014"].fix(context, finding)
    assert isinstance(fixed, Fix)
    assert f"COPY . .\nENV {variable}=0.0.0\nRUN pip install .\n" in fixed.files["Dockerfile"]
    context = project(tmp_path, {"Dockerfile": fixed.files["Dockerfile"]})
    assert isinstance(BY_ID["DF014"].fix(context, finding), Skip)  # set already: another cause


MARKERLESS_LOCK = ('[metadata]\ngroups = ["default"]\nstrategy = []\nlock_version = "4.5.0"\ncontent_hash = "sha256:00"\n\n'
                   '[[package]]\nname = "six"\nversion = "1.17.0"\n')
PDM_PYPROJECT = '[project]\nname = "app"\nversion = "1"\ndependencies = ["six"]\n[tool.pdm]\ndistribution = false\n'


def test_df015_pdm_lock_without_markers(tmp_path):
    export = "RUN pdm export --prod --format requirements --output requirements.txt"
    dockerfile = f"FROM python:3.11-slim\nCOPY pyproject.toml pdm.lock ./\n{export}\n"
    context = project(tmp_path, {"pyproject.toml": PDM_PYPROJECT, "pdm.lock": MARKERLESS_LOCK, "Dockerfile": dockerfile})
    assert [f.location for f in static_findings(context) if f.rule == "DF015"] == [Location("pdm.lock")]
    output = ("[PdmUsageError]: Can't export a lock file without environment markers, please re-generate the lock "
              "file with `inherit_metadata` strategy.")
    assert "DF015" in {f.rule for f in diagnose(context, classic(export, output)).findings}
    context = project(tmp_path, {"pdm.lock": MARKERLESS_LOCK.replace("strategy = []", 'strategy = ["inherit_metadata"]')})
    assert not [f for f in static_findings(context) if f.rule == "DF015"]

# ---- log forms of real logs (flake4dock): busybox and bash-as-sh, apt's free space, a dead download host ---------

def test_df028_busybox_and_rhel_shells_get_a_suggestion_not_an_apt_edit(tmp_path: Path) -> None:
    context = project(tmp_path, {"Dockerfile": "FROM alpine:3.20\nRUN apk add emacs\nRUN emacs --batch\n"})
    finding = found(context, buildkit_new("RUN emacs --batch", "/bin/sh: emacs: not found", 127), "DF028")
    assert finding is not None and "apk add --no-cache cmd:emacs" in finding.suggestion
    assert isinstance(BY_ID["DF028"].fix(context, finding), Skip)
    context = project(tmp_path, {"Dockerfile": "FROM minio/minio:latest\nRUN adduser -u 32769 -m dokku\n"})
    log = buildkit_new("RUN adduser -u 32769 -m dokku", "/bin/sh: line 1: adduser: command not found", 127)
    finding = found(context, log, "DF028")
    assert finding is not None and "dnf install /usr/bin/adduser" in finding.suggestion
    assert isinstance(BY_ID["DF028"].fix(context, finding), Skip)


def test_df061_apt_archive_space(tmp_path: Path) -> None:
    context = project(tmp_path, {"Dockerfile": "FROM debian:12\nRUN apt-get update && apt-get install -y gcc\n"})
    log = buildkit_new("RUN apt-get update && apt-get install -y gcc",
                       "E: You don't have enough free space in /var/cache/apt/archives/.", 100)
    finding = found(context, log, "DF061")
    assert finding is not None and "docker builder prune" in finding.suggestion


def test_dead_download_host_is_df073_when_the_build_reached_the_network(tmp_path: Path) -> None:
    step = "RUN curl -f https://gone.example.org/key.gpg -o key.gpg"
    context = project(tmp_path, {"Dockerfile": f"FROM debian:12\n{step}\n"})
    output = "curl: (6) Could not resolve host: gone.example.org"
    pulled = "#3 sha256:1ddde157dd3180fc84958005bb9fc2671f19fb498d1b4fac08cd01e7834da286 41.61MB / 41.61MB done\n"
    rules = [f.rule for f in diagnose(context, pulled + buildkit_new(step, output, 6)).findings]
    assert rules[0] == "DF073" and "DF060" not in rules
    rules = [f.rule for f in diagnose(context, buildkit_new(step, output, 6)).findings]
    assert rules == ["DF060"]  # nothing downloaded in this build: the network failed


def test_buildkit_tabs_in_the_command_find_the_run(tmp_path: Path) -> None:
    context = project(tmp_path, {"Dockerfile": "FROM debian:12\nRUN\tapt-get update -q\t&& pip install x\n"})
    log = ('#7 [2/3] RUN\tapt-get update -q\t&& pip install x\n#7 0.1 error: externally-managed-environment\n'
           '#7 ERROR: process "/bin/sh -c apt-get update -q\\t&& pip install x" did not complete successfully: exit code: 1\n')
    assert found(context, log, "DF023") is not None

def test_df020_knows_each_stages_release(tmp_path):
    trixie = project(tmp_path, dockerfile("FROM python:3.12-slim", "RUN apt-get update && apt-get install -y "
                                          "libpq5=15.* libpcre3 mime-support libssl3 libmagic1"))
    (finding,) = BY_ID["DF020"].detect(trixie)  # type: ignore[misc]
    assert "libpq5=15.* is not in trixie (17." in finding.message
    assert "apt-get install -y libpq5 libpcre2-8-0 media-types mailcap libssl3 libmagic1" in fixed(trixie, finding)
    bookworm = project(tmp_path, dockerfile("FROM python:3.12-slim-bookworm", "RUN apt-get update && apt-get install -y "
                                            "libpq5=15.* libpcre3 mime-support libssl3 libmagic1"))
    assert not list(BY_ID["DF020"].detect(bookworm))  # type: ignore[misc]
    t64 = project(tmp_path, dockerfile("FROM debian:12", "RUN apt-get update && apt-get install -y libssl3t64"))
    (finding,) = BY_ID["DF020"].detect(t64)  # type: ignore[misc]
    assert "apt-get install -y libssl3" in fixed(t64, finding)


def test_df020_names_apt_resolves_through_provides_are_left_alone(tmp_path):
    context = project(tmp_path, dockerfile("FROM python:3.12-slim-trixie",
                                           "RUN apt-get update && apt-get install -y libssl3 libcurl4 libmagic1 libpq5"))
    assert not list(BY_ID["DF020"].detect(context))  # type: ignore[misc]


@LOG_FORMS
def test_df020_drops_a_pin_the_release_lacks(tmp_path, form):
    step = "RUN apt-get update && apt-get install -y --no-install-recommends libpq5=15.* curl"
    context = project(tmp_path, dockerfile("FROM python:3.12-slim", step))
    output = "Reading package lists...\nBuilding dependency tree...\nE: Version '15.*' for 'libpq5' was not found"
    finding = found(context, form(step, output, 100), "DF020")
    assert finding is not None and finding.capture_list("packages") == ("libpq5",)
    assert "install -y --no-install-recommends libpq5 curl" in fixed(context, finding)


def test_df020_leaves_pins_the_index_data_does_not_cover_alone(tmp_path):
    step = "RUN apt-get update && apt-get install -y --no-install-recommends unzip=6.0-26+deb11u1"
    context = project(tmp_path, dockerfile("FROM python:3.11-slim", step))
    output = "Reading package lists...\nE: Version '6.0-26+deb11u1' for 'unzip' was not found"
    assert found(context, classic(step, output), "DF020") is None


def test_df025_python_ldap_on_trixie_gets_trixies_libldap(tmp_path):
    step = "RUN /opt/venv/bin/pip install -r /tmp/requirements.txt"
    files = dockerfile("FROM python:3.12-slim AS builder", "RUN python -m venv /opt/venv", step,
                       "FROM python:3.12-slim", "COPY --from=builder /opt/venv /opt/venv", 'CMD ["python", "-m", "app"]')
    output = ("Building wheel for python-ldap (pyproject.toml): started\n  building '_ldap' extension\n"
              "  error: [Errno 2] No such file or directory: 'gcc'\n  ERROR: Failed building wheel for python-ldap")
    context = project(tmp_path, files)
    finding = found(context, classic(step, output), "DF025")
    assert finding.capture_list("build") == ("gcc", "libc6-dev", "libldap-dev", "libsasl2-dev")
    assert finding.capture_list("runtime") == ("libldap2", "libsasl2-2")


def test_an_unknown_failure_shows_its_error_not_apt_and_pip_noise():
    log = ("debconf: unable to initialize frontend: Dialog\n"
           "debconf: (Can't locate Term/ReadLine.pm in @INC (you may need to install the Term::ReadLine module))\n"
           "debconf: falling back to frontend: Teletype\n"
           "ERROR: frobnicate failed: the widget is not calibrated\n"
           "[notice] A new release of pip is available: 24.2 -> 26.3\n")
    assert relevant_lines(log) == ("ERROR: frobnicate failed: the widget is not calibrated",)
