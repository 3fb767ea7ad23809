"""A package imports, but the shared library it loads is missing from the image.

What it catches: `ImportError: failed to find libmagic. Check your installation` (seed S002-1, python-magic),
`libpq.so.5: cannot open shared object file` or psycopg's `libpq library not found`, `libGL.so.1: cannot open
shared object file` (opencv) in verification's imports; the build itself passes because the wheel or the
pure-Python package installs without the library.
Why it breaks: these packages load a C library at import time, which slim images do not carry; pip cannot
install Debian packages.
The fix: the Debian run-time package that ships the library (`tables/shared_libs.toml`: libmagic → libmagic1,
named as the final stage's release installs it: libmagic1t64 on trixie) is installed in the final stage, as root, before its USER: added to the stage's `apt-get install` that
updates the lists in the same RUN, else a new `apt-get update && apt-get install -y --no-install-recommends
... && rm -rf /var/lib/apt/lists/*` RUN after its FROM. The Dockerfile edited is the one the build uses,
the one compose builds when a compose file names it (S002-2: `Dockerfile.local`, not `Dockerfile`).
"""

from __future__ import annotations

import re

from dockerfix import tables
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, evidence_lines, regex
from dockerfix.checks import RUNS_CODE
from dockerfix.transform import apt

ID = "DF043"
PATTERNS = regex(r"failed to find (?P<lib>lib[\w.+-]+?)\.?(?:\s|$)",
                 r"(?P<lib>lib[\w.+-]+\.so(?:\.[\d.]+)?): cannot open shared object file",
                 r"(?P<lib>\w[\w.+-]*) library not found",
                 r"cannot load library '(?P<lib>[^']+)'",
                 r'no library called "(?P<lib>[^"]+)" was found')


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    for pattern in PATTERNS:
        for candidate in pattern.finditer(log):
            library = candidate.group("lib").rstrip(".")
            table_name = tables.package_for_shared_library(library)
            final = context.project.dockerfile.final_stage if context.project.dockerfile else None
            release = apt.release(context.project.dockerfile, final) if context.project.dockerfile and final else None
            packages = apt.for_release([table_name], release) if table_name else []
            if not packages:
                continue
            names = {table_name, *packages}
            elsewhere = [d.path for d in context.project.dockerfiles if d.path != context.dockerfile_path
                         and d.final_stage and names & apt.stage_packages(d.final_stage)]
            note = f" ({', '.join(elsewhere)} installs it, but the build uses {context.dockerfile_path})" if elsewhere else ""
            on = f" on {release}" if release else ""
            return Finding(ID, f"{library} is missing from the image: the Debian package {' '.join(packages)} ships "
                               f"it{on}{note}", evidence=evidence_lines(log, candidate, before=2, after=0),
                           location=Location(context.dockerfile_path),
                           captures={"library": library, "packages": tuple(packages), "table_name": table_name or ""})
    return None


def fix(context: Context, finding: Finding) -> Fix | Skip:
    dockerfile = context.project.dockerfile
    stage = dockerfile.final_stage if dockerfile else None
    packages = finding.capture_list("packages")
    package = " ".join(packages)
    if dockerfile is None or stage is None:
        return Skip("no Dockerfile to edit")
    if not apt.has_apt(dockerfile, stage):
        return Skip(f"the final stage's base ({stage.base}) has no apt: install {package}'s library with its own tools")
    if {*packages, finding.capture("table_name")} & apt.stage_packages(stage):  # the bookworm name: through Provides
        return Skip(f"{package} is installed already: a stale cached layer? rebuild with --no-cache")
    root_installs = [i for i in stage.instructions if apt.installs(i) and apt.updates_before_install(i.value)
                     and apt.user_before(dockerfile, stage, i).split(":")[0] in ("", "root", "0")]
    if root_installs:
        text = apt.add_packages(context.dockerfile_text, root_installs[-1], packages)
        where = f"the final stage's apt-get install (line {root_installs[-1].line})"
    else:
        text = apt.insert_install_at_start(context.dockerfile_text, dockerfile, stage, packages)
        where = "a new apt-get RUN at the start of the final stage"
    return Fix({context.dockerfile_path: text},
               f"installed {package} (for {finding.capture('library')}) in {context.dockerfile_path}: {where}")


RULE = Rule(
    id=ID,
    name="missing-shared-library",
    kind="run",
    summary="A package's shared library is missing from the image",
    explanation=__doc__,
    seeds=("S002-1", "S002-2", "S003-3"),
    case="s002-1-libmagic-missing",
    log=PATTERNS,
    from_log=from_log,
    checks=RUNS_CODE,
    fix=fix,
)
