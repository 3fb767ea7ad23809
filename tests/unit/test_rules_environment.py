"""Environment-blocked failures (DF064, DF060): what this engine or its network cannot give the build is named,
the finding is conclusive, and no rule is tried on top of it. The logs are what this engine printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockerfix.analyse import analyse
from dockerfix.catalog import BY_ID, RULES
from dockerfix.model import Context
from dockerfix.diagnose import diagnose

LOGS = Path(__file__).resolve().parents[1] / "fixtures" / "logs"
NODE_STAGE = """FROM node:20-slim AS assets
RUN mkdir /dist
FROM python:3.12-slim
COPY --from=assets /dist /app/static
"""


def context_of(tmp_path: Path, dockerfile: str) -> Context:
    (tmp_path / "Dockerfile").write_text(dockerfile)
    (tmp_path / "requirements.txt").write_text("six==1.17.0\n")
    return Context(root=tmp_path, files={}, project=analyse(tmp_path))


@pytest.mark.parametrize("backend", ["sdk", "buildkit"])
@pytest.mark.parametrize(("log", "dockerfile", "image", "line"), [
    ("base-image-python314", "FROM python:3.14-slim\nRUN true\n", "python:3.14-slim", "Dockerfile:1"),
    ("base-image-node", NODE_STAGE, "node:20-slim", "Dockerfile:1"),
    # the first stage's image is on the engine: the later FROM that failed is named
    ("base-image-later-stage", (Path(__file__).parents[2] / "corpus/blocked-later-stage-base/project/Dockerfile").read_text(),
     "python:3.12-alpine", "Dockerfile:3"),
])
def test_df064_names_the_image_no_registry_serves(tmp_path, backend, log, dockerfile, image, line):
    diagnosis = diagnose(context_of(tmp_path, dockerfile), (LOGS / f"{log}-{backend}.log").read_text())
    finding = diagnosis.findings[0]
    assert (finding.rule, finding.capture("image"), str(finding.location)) == ("DF064", image, line)
    assert finding.message == (f"{image} is not on this engine and no registry answers (registry-1.docker.io: no "
                               "such host); with a registry it would be pulled")
    assert diagnosis.conclusive and [f.rule for f in diagnosis.findings] == ["DF064"]


def test_df064_on_newer_buildkit_wording(tmp_path):
    """BuildKit 0.11+ (Docker 23+) says `failed to resolve source metadata`."""
    text = ("#2 [internal] load metadata for ghcr.io/acme/base:1\n#2 ERROR: failed to solve: ghcr.io/acme/base:1: "
            "failed to resolve source metadata for ghcr.io/acme/base:1: failed to do request: Head "
            '"https://ghcr.io/v2/acme/base/manifests/1": dial tcp: i/o timeout\n')
    finding = diagnose(context_of(tmp_path, "FROM ghcr.io/acme/base:1\n"), text).findings[0]
    assert (finding.rule, finding.capture("image"), finding.capture("registry")) == ("DF064", "ghcr.io/acme/base:1", "ghcr.io")


def test_df064_on_the_last_line_of_a_newer_buildkit_log(tmp_path):
    log = ('ERROR: failed to solve: python:3.14-slim: failed to resolve source metadata for docker.io/library/python:'
           '3.14-slim: failed to do request: Head "https://registry-1.docker.io/v2/library/python/manifests/3.14-slim":'
           " dial tcp: lookup registry-1.docker.io: no such host\n")
    diagnosis = diagnose(context_of(tmp_path, "FROM python:3.14-slim\n"), log)
    assert (diagnosis.findings[0].rule, diagnosis.findings[0].capture("image")) == ("DF064", "python:3.14-slim")


def test_df064_leaves_an_image_the_registry_does_not_have(tmp_path):
    """The registry answered: a misspelt tag or a private image is the project's problem, not the environment's."""
    log = ("Step 1/2 : FROM python:3.14-slimm\n"
           "manifest for python:3.14-slimm not found: manifest unknown: manifest unknown\n")
    assert "DF064" not in {f.rule for f in diagnose(context_of(tmp_path, "FROM python:3.14-slimm\n"), log).findings}


@pytest.mark.parametrize(("run", "url"), [
    ("curl -fsSL -o /tmp/uv.tgz https://github.com/astral-sh/uv/releases/download/0.5.0/uv.tar.gz",
     "https://github.com/astral-sh/uv/releases/download/0.5.0/uv.tar.gz"),
    ("curl -sSL https://install.python-poetry.org | python3 -", "https://install.python-poetry.org"),
    ("curl --proto '=https' -sSf https://sh.rustup.rs | sh -s -- -y", "https://sh.rustup.rs"),
])
def test_df060_names_the_download_outside_pypi_and_debian(tmp_path, run, url):
    host = url.split("/")[2]
    log = (f"Step 2/3 : RUN {run}\ncurl: (6) Could not resolve host: {host}\n"
           f"The command '/bin/sh -c {run}' returned a non-zero code: 6\n")
    finding = diagnose(context_of(tmp_path, f"FROM python:3.12-slim\nRUN {run}\n"), log).findings[0]
    assert (finding.rule, finding.capture("url")) == ("DF060", url)
    assert finding.message == (f"the build cannot reach {url}, a download outside PyPI and Debian's archive; "
                               "where its host answers it would be fetched")


def test_df060_names_the_download_of_a_script_the_failed_run_executes(tmp_path):
    """`COPY install.sh .` + `RUN ./install.sh`: the URL the script fetches is what could not be reached."""
    (tmp_path / "install.sh").write_text("#!/bin/bash\nwget http://downloads.example.org/tool-1.2.tar.zst\n")
    run = "apt-get update && ./install.sh"
    log = (f"Step 3/3 : RUN {run}\nResolving downloads.example.org (downloads.example.org)... failed: Name or "
           "service not known.\nwget: unable to resolve host address 'downloads.example.org'\n"
           f"The command '/bin/sh -c {run}' returned a non-zero code: 4\n")
    finding = diagnose(context_of(tmp_path, f"FROM python:3.12-slim\nCOPY install.sh .\nRUN {run}\n"), log).findings[0]
    assert (finding.rule, finding.capture("url")) == ("DF060", "http://downloads.example.org/tool-1.2.tar.zst")


def test_df060_names_the_host_of_a_package_index(tmp_path):
    run = "pip install six==1.17.0"
    log = (f"Step 2/2 : RUN {run}\nWARNING: Retrying (Retry(total=4)) after connection broken by "
           "'NewConnectionError(...: Failed to establish a new connection: [Errno -3] Temporary failure in name "
           "resolution')': /simple/six/\nERROR: Could not find a version that satisfies the requirement six==1.17.0\n"
           f"The command '/bin/sh -c {run}' returned a non-zero code: 1\n")
    finding = diagnose(context_of(tmp_path, f"FROM python:3.12-slim\nRUN {run}\n"), log).findings[0]
    assert finding.rule == "DF060" and "url" not in dict(finding.captures)


def test_environment_rules_are_conclusive_reports():
    environment = {rule.id for rule in RULES if rule.environment}
    assert environment == {"DF060", "DF064"}
    assert all(BY_ID[rule].conclusive and BY_ID[rule].kind == "report" for rule in environment)


@pytest.mark.parametrize("backend", ["sdk", "buildkit"])
def test_df060_names_the_url_of_an_add_the_engine_cannot_fetch(tmp_path, backend):
    url = "https://github.com/astral-sh/uv/releases/download/0.5.0/uv-x86_64-unknown-linux-gnu.tar.gz"
    context = context_of(tmp_path, f"FROM python:3.12-slim\nADD {url} /tmp/uv.tgz\n")
    diagnosis = diagnose(context, (LOGS / f"add-url-unreachable-{backend}.log").read_text())
    assert [(f.rule, f.capture("url")) for f in diagnosis.findings] == [("DF060", url)]


def test_df060_names_the_url_of_a_piped_installer_that_failed_quietly(tmp_path):
    """`curl ... | python3 -` succeeds with nothing installed; the build fails a step later, where poetry is missing."""
    fetch, use = "curl -sSL https://install.python-poetry.org | python3 -", "poetry install --no-root"
    log = (f"Step 2/3 : RUN {fetch}\ncurl: (6) Could not resolve host: install.python-poetry.org\n"
           f"Step 3/3 : RUN {use}\n/bin/sh: 1: poetry: not found\n"
           f"The command '/bin/sh -c {use}' returned a non-zero code: 127\n")
    diagnosis = diagnose(context_of(tmp_path, f"FROM python:3.12-slim\nRUN {fetch}\nRUN {use}\n"), log)
    assert (diagnosis.findings[0].rule, diagnosis.findings[0].capture("url")) == ("DF060", "https://install.python-poetry.org")
    assert diagnosis.conclusive
