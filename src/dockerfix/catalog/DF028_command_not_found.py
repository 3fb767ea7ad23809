"""A RUN calls a program that the (slim) base image does not have.

What it catches: `/bin/sh: 1: curl: not found`, `/bin/sh: 1: git: not found`, `bash: line 1: nc: command
not found` from a RUN in a `python:*-slim` or `debian:*-slim` image (seed S003-5 names `nc`); also busybox's
`/bin/sh: emacs: not found` (Alpine) and bash-as-sh's `/bin/sh: line 1: adduser: command not found` (RHEL family).
Why it breaks: the slim images carry the Python runtime and little else: no curl, wget, git, netcat,
make or compilers. A RUN written against a full image, or a developer's machine, stops at the first of them.
The fix: the package that provides the program (`tables/commands.toml`: `nc` → `netcat-openbsd`) is installed
by a new `apt-get update && apt-get install -y --no-install-recommends ... && rm -rf /var/lib/apt/lists/*`
RUN early in the failing RUN's stage (before its first COPY, ADD or RUN; as root). Only for programs the RUN
itself calls: a compiler a source build misses is DF025's, and a program a HEALTHCHECK or the CMD needs
shows at run time. On images without apt (Alpine, RHEL family) the suggestion names the line and the package
manager's way to ask for the program (`apk add cmd:NAME`, `dnf install /usr/bin/NAME`).
"""

from __future__ import annotations

import re

from dockerfix import tables
from dockerfix.analyse.failed_step import failed_run, instruction_at
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, evidence_lines, regex
from dockerfix.transform import apt

ID = "DF028"


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    dockerfile = context.project.dockerfile
    groups = match.groupdict()
    command = next(v for v in groups.values() if v)
    run = failed_run(dockerfile, log)
    if dockerfile is None or run is None:
        return None
    if not re.search(rf"(?<![\w/.-]){re.escape(command)}(?![\w.-])", run.value):
        return None  # printed by something the RUN started (a build script), not called by the RUN itself
    stage = apt.stage_of(dockerfile, run)
    where = f"{context.dockerfile_path}:{run.line}"
    evidence = (*evidence_lines(log, match), run.text)
    # busybox's sh (Alpine) and bash as /bin/sh (RHEL family) word the error their own way: not a Debian image
    if groups.get("ash") or groups.get("rhsh") or not apt.has_apt(dockerfile, stage):
        alpine = bool(groups.get("ash")) or "alpine" in apt.base_image(dockerfile, stage)
        how = (f"`RUN apk add --no-cache cmd:{command}` (the Alpine package that provides it)" if alpine else
               f"the package that ships it with the image's package manager (`dnf install /usr/bin/{command}`), "
               "or build on an image that has it")
        return Finding(ID, f"{where} calls {command}, which the image lacks", evidence=evidence,
                       location=Location(context.dockerfile_path, run.line), suggestion=f"before the RUN at {where}, add {how}",
                       captures={"command": command, "line": str(run.line)})
    table_name = tables.package_for_command(command)
    if table_name is None:
        return None
    # named as the stage's release installs it; nothing when the release dropped it (wkhtmltopdf on trixie)
    packages = tuple(apt.for_release([table_name], apt.release(dockerfile, stage)))
    if not packages:
        return None
    if {table_name, *packages} & apt.stage_packages(stage, run):
        return None  # installed, yet not found: not a missing package
    return Finding(ID, f"{where} calls {command}, which the image lacks (Debian package {' '.join(packages)})",
                   evidence=evidence, location=Location(context.dockerfile_path, run.line),
                   captures={"command": command, "packages": packages, "line": str(run.line)})


def fix(context: Context, finding: Finding) -> Fix | Skip:
    dockerfile = context.project.dockerfile
    run = instruction_at(dockerfile, finding.capture("line"))
    if dockerfile is None or run is None:
        return Skip("the failing RUN is no longer in the Dockerfile")
    stage = apt.stage_of(dockerfile, run)
    if not apt.has_apt(dockerfile, stage):
        return Skip(f"{apt.base_image(dockerfile, stage)} has no apt: "
                    f"install {finding.capture('command')} with its own package manager")
    packages = finding.capture_list("packages")
    if not packages:
        return Skip(finding.suggestion)
    text = apt.insert_install(context.dockerfile_text, dockerfile, stage, packages, before=run)
    return Fix({context.dockerfile_path: text},
               f"installed {' '.join(packages)} (for {finding.capture('command')}) in the stage of the RUN at line {run.line}")


RULE = Rule(
    id=ID,
    name="command-not-found",
    kind="build",
    summary="A RUN calls a program the base image does not have",
    explanation=__doc__,
    case="slim-curl-missing",
    log=regex(r"^(?:/bin/)?(?:sh|dash): \d+: (?P<sh>[\w.+-]+): not found",
              r"^(?:/(?:usr/)?bin/)?bash: (?:line \d+: )?(?P<bash>[\w.+-]+): command not found",
              r"^/bin/sh: (?P<ash>[\w.+-]+): not found",  # busybox ash (Alpine)
              r"^/bin/sh: line \d+: (?P<rhsh>[\w.+-]+): command not found",  # bash as sh (RHEL family)
              r'exec: "(?P<exec>[\w.+-]+)": executable file not found in \$PATH'),
    from_log=from_log,
    fix=fix,
)
