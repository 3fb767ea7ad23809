"""apt-get install runs without `apt-get update` in the same RUN, so apt knows no package at all.

What it catches: `E: Unable to locate package curl` for a package that does exist, from a RUN such as
`RUN apt-get install -y curl` (or one whose `apt-get update` ran in an earlier, cached layer; seed S002-2).
Why it breaks: the official Debian and python images ship with empty package lists (/var/lib/apt/lists is
deleted to keep them small), so until `apt-get update` runs in the same container apt knows no package.
An update in an earlier RUN is no cure either: that layer can come from the cache, with lists months old.
The fix: `apt-get update &&` goes right before the install in the same RUN, and the lists are removed at
its end (`rm -rf /var/lib/apt/lists/*`) so the layer stays small. It does not apply when the RUN already
updates first (the name is then really unknown), nor to names DF020 knows a replacement for. Found before
any build when the stage starts from an official python, debian or ubuntu image and nothing before the
install updates the lists.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockerfix.catalog.DF020_apt_package_unavailable import replacement, unavailable_packages
from dockerfix.analyse.failed_step import failed_run
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, evidence_lines, regex
from dockerfix.transform import apt
from dockerfix.transform.dockerfile import edit_each

ID = "DF021"


def detect(context: Context) -> Iterator[Finding]:
    dockerfile = context.project.dockerfile
    if dockerfile is None:
        return
    for run in dockerfile.instructions:
        if apt.installs(run) and not apt.updates_before_install(run.value) and apt.lists_empty_before(dockerfile, run):
            yield Finding(ID, f"{context.dockerfile_path}:{run.line} installs "
                              f"{', '.join(apt.installed_packages(run.value))} with no `apt-get update` before it, on "
                              f"{apt.base_image(dockerfile, apt.stage_of(dockerfile, run))}, which ships without "
                              "package lists", evidence=(run.text,), location=Location(context.dockerfile_path, run.line),
                          captures={"line": str(run.line)})


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    dockerfile = context.project.dockerfile
    missing = unavailable_packages(log)
    if dockerfile is None or any(replacement(name, log) is not None for name in missing):
        return None
    run = failed_run(dockerfile, log)
    if run is None:  # a log from elsewhere: the first apt install that names the package
        run = next((i for i in dockerfile.instructions
                    if apt.installs(i) and set(apt.installed_packages(i.value)) & set(missing)), None)
    if run is None or not apt.installs(run) or apt.updates_before_install(run.value):
        return None
    return Finding(ID, f"{context.dockerfile_path}:{run.line} installs {', '.join(missing)} without `apt-get update` "
                       "in the same RUN: the image's package lists are empty",
                   evidence=(*evidence_lines(log, match), run.text), location=Location(context.dockerfile_path, run.line),
                   captures={"line": str(run.line)})


def fix(context: Context, finding: Finding) -> Fix | Skip:
    dockerfile = context.project.dockerfile
    if dockerfile is None:
        return Skip("no Dockerfile")
    # every such RUN fails the same way
    fixed = [i for i in dockerfile.instructions if apt.installs(i) and not apt.updates_before_install(i.value)]
    if not fixed:
        return Skip("every apt install already runs `apt-get update` first")
    return Fix({context.dockerfile_path: edit_each(context.dockerfile_text, fixed, apt.add_update)},
               f"added `apt-get update &&` before the apt install (and removed the lists after it) in the RUN at "
               f"{context.dockerfile_path} line(s) {', '.join(str(i.line) for i in fixed)}")


RULE = Rule(
    id=ID,
    name="apt-lists-missing",
    kind="build",
    summary="apt-get install without apt-get update in the same RUN",
    explanation=__doc__,
    case="apt-update-missing",
    log=regex(r"^E: Unable to locate package (?P<package>\S+)"),
    detect=detect,
    from_log=from_log,
    fix=fix,
    references=("https://docs.docker.com/build/building/best-practices/#apt-get",),
)
