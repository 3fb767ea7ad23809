"""pip builds a package from source in an image without the compiler, headers or config tool it needs.

What it catches: `Error: pg_config executable not found.` (psycopg2, seed S003-3), `error: command 'gcc'
failed: No such file or directory` (or `error: [Errno 2] No such file or directory: 'gcc'`), `unable to execute 'gcc'`, `sh: 1: gcc: not found`, `fatal error:
libpq-fe.h: No such file or directory` (or `Python.h` on Debian's own Python), `mysql_config not found` /
`Can not find valid pkg-config name` (mysqlclient), during a `pip install` in a `python:*-slim` image.
Why it breaks: pip builds the sdist when no wheel fits the image (psycopg2 publishes none at all), and the
slim images carry no compiler and no `-dev` packages: the build script finds no `pg_config`, no `gcc`.
The fix: the distribution's build packages from the system-library table (`gcc libc6-dev libpq-dev`; a
generic C build gets `gcc libc6-dev`, Debian's own Python also `python3-dev`) are installed by a new
`apt-get update && apt-get install -y --no-install-recommends ... && rm -rf /var/lib/apt/lists/*` RUN early
in the failing RUN's stage (before its first COPY, ADD or RUN, so the layer survives source changes). In a
multi-stage Dockerfile they go to the builder stage, and the table's run-time libraries (`libpq5`) to the
final stage, which loads the compiled extension; a single stage gets both. Each is named as the release of
the stage it goes to installs it (`tables/debian_releases.json`: libldap-2.5-0 on bookworm, libldap2 on trixie). Where the table knows a
self-contained wheel (`psycopg2-binary`) the report suggests it. Not applied to images without apt (Alpine).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from dockerfix import tables
from dockerfix.analyse.failed_step import failed_run, instruction_at
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, evidence_lines, regex
from dockerfix.catalog.source_build import sdist_being_built
from dockerfix.transform import apt
from dockerfix.transform.python_version import PYTHON_TAG

ID = "DF025"
# What a C build needs on Debian when the table knows nothing more (gcc only recommends libc6-dev).
GENERIC_C_BUILD = ("gcc", "libc6-dev")
# Config tools whose absence names the distribution even when the log does not.
TOOL_OWNERS = {"pg_config": "psycopg2", "mysql_config": "mysqlclient", "mariadb_config": "mariadb"}
COMPILER = r"(?:\S*/)?(?:[\w-]*-)?(?:gcc|cc|g\+\+|c\+\+)"
COMPILER_MISSING = re.compile(rf"error: command '{COMPILER}' failed: No such file or directory"
                              rf"|error: \[Errno 2\] No such file or directory: '{COMPILER}'"  # newer setuptools
                              rf"|unable to execute '{COMPILER}': No such file or directory"
                              rf"|(?:sh|dash): \d+: {COMPILER}: not found")
# Debian's own Python keeps its headers in python3-dev (the python images ship theirs).
DEBIAN_PYTHON_HEADERS = ("gcc", "libc6-dev", "python3-dev")


class Needs(NamedTuple):
    distribution: str | None  # the distribution being built, when the log names it
    build: tuple[str, ...]  # apt packages the build needs
    runtime: tuple[str, ...]  # apt packages the built extension loads
    binary: str | None  # a requirement whose wheel avoids the build


def _needed(log: str, match: re.Match[str], python_image: bool) -> Needs:
    """What the source build that failed at `match` needs from Debian."""
    tool = match.groupdict().get("tool")
    distribution = sdist_being_built(log, match.start()) or TOOL_OWNERS.get(tool or "")
    libs = tables.system_libs(distribution) if distribution else None
    if (libs is None or not libs.build) and tool in TOOL_OWNERS:
        # the config tool names the library whatever distribution runs it (psycopg2-binary's sdist is psycopg2's)
        libs = tables.system_libs(TOOL_OWNERS[tool])
    if libs is not None and libs.build:
        return Needs(distribution, libs.build, libs.runtime, libs.binary_alternative)
    if COMPILER_MISSING.fullmatch(match.group(0)):
        return Needs(distribution, GENERIC_C_BUILD, (), None)
    if match.groupdict().get("header") == "Python.h" and not python_image:
        return Needs(distribution, DEBIAN_PYTHON_HEADERS, (), None)
    return Needs(distribution, (), (), None)


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    dockerfile = context.project.dockerfile
    run = failed_run(dockerfile, log)
    if dockerfile is None or run is None:
        return None
    stage = apt.stage_of(dockerfile, run)
    python_image = PYTHON_TAG.match(apt.base_image(dockerfile, stage)) is not None
    distribution, build, runtime, binary = _needed(log, match, python_image)
    final = dockerfile.final_stage or stage  # each list named as the release of the stage it goes to
    build = tuple(apt.for_release(build, apt.release(dockerfile, stage)))
    runtime = tuple(apt.for_release(runtime, apt.release(dockerfile, final)))
    missing = [p for p in build if p not in apt.stage_packages(stage, run)]
    if not missing:
        return None  # nothing known to add, or already there: another cause
    who = distribution or "a package"
    suggestion = f"; or depend on {binary}, whose wheel bundles the library" if binary else ""
    return Finding(ID, f"{who} is built from source at {context.dockerfile_path}:{run.line} and the image lacks "
                       f"{' '.join(missing)}{suggestion}", evidence=(*evidence_lines(log, match), run.text),
                   location=Location(context.dockerfile_path, run.line),
                   captures={"distribution": distribution or "", "build": build, "runtime": runtime, "binary": binary or "",
                             "line": str(run.line)})


def fix(context: Context, finding: Finding) -> Fix | Skip:
    dockerfile = context.project.dockerfile
    run = instruction_at(dockerfile, finding.capture("line"))
    if dockerfile is None or run is None or dockerfile.final_stage is None:
        return Skip("the failing RUN is no longer in the Dockerfile")
    stage, final = apt.stage_of(dockerfile, run), dockerfile.final_stage
    if not apt.has_apt(dockerfile, stage):
        return Skip(f"{apt.base_image(dockerfile, stage)} has no apt: "
                    "install the build packages with its own package manager")
    build, runtime = finding.capture_list("build"), finding.capture_list("runtime")
    separate_final = stage.index != final.index and apt.has_apt(dockerfile, final)
    here = [p for p in (build if separate_final else [*build, *runtime]) if p not in apt.stage_packages(stage, run)]
    there = [p for p in runtime if p not in apt.stage_packages(final)] if separate_final else []
    text = context.dockerfile_text
    summary = ""
    if there:  # the final stage comes after the failing RUN: edit it first, so the RUN's line stays valid
        text = apt.insert_install(text, dockerfile, final, there)
        summary = f" and {' '.join(there)} in the final stage, which loads the compiled extension"
    if here:
        text = apt.insert_install(text, dockerfile, stage, here, before=run)
    if not here and not there:
        return Skip("the stage installs these packages already")
    summary = f"installed {' '.join(here) or 'nothing new'} before the source build at line {run.line}{summary}"
    if finding.capture("binary"):
        summary += f" ({finding.capture('binary')} would avoid the source build, if the project can use it)"
    return Fix({context.dockerfile_path: text}, summary)


RULE = Rule(
    id=ID,
    name="build-dependencies-missing",
    kind="build",
    summary="A source build lacks its compiler, headers or config tool",
    explanation=__doc__,
    seeds=("S003-3",),
    case="s003-3-psycopg2-pg-config",
    log=(*regex(r"(?P<tool>pg_config) executable not found",
                r"(?P<tool>mysql_config) not found|Can not find valid pkg-config name",
                r"fatal error: (?P<header>[\w/.+-]+\.h): No such file or directory"), COMPILER_MISSING),
    from_log=from_log,
    fix=fix,
)
