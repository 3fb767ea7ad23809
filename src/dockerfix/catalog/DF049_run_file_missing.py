"""The script the container runs is not in the image: which path, and why.

What it catches: `python3: can't open file '/app/scripts/seed_people.py': [Errno 2] No such file or
directory` (seed S002-3), from the entry command (verification checks that the file it names exists) or
from a saved log of `docker exec ... python scripts/...`; and `python -m pkg` where `pkg` is a package with no
`__main__.py` (`No module named pkg.__main__; 'pkg' is a package and cannot be directly executed`).
Why it breaks: the file never reached the image: `.dockerignore` keeps it out of the build context, no COPY
copies it (the Dockerfile copies only some directories), or it is not in the project at all (in the seed it
lived on the host and was expected through a compose volume mount).
The fix: none by dockerfix, which reports the reason with its evidence (the `.dockerignore` line, the COPY
instructions, the compose volume): whether a seeding or maintenance script belongs in the production image
is the project's decision. Run it from the host, pipe it in (`docker exec -i ... python -`), or copy it.
"""

from __future__ import annotations

import fnmatch
import re

from dockerfix.analyse.copy_sources import context_sources
from dockerfix.analyse.dockerignore import excluding_pattern
from dockerfix.analyse.image_paths import relative_to_workdir
from dockerfix.catalog.rule import Context, Finding, Location, Rule, regex
from dockerfix.checks import Check, EntryResolution

ID = "DF049"


def _copied_by(context: Context, relpath: str) -> bool:
    """Whether a COPY/ADD from the build context in the final stage covers `relpath`."""
    dockerfile = context.project.dockerfile
    stage = dockerfile.final_stage if dockerfile else None
    for source, _ in context_sources(stage.instructions if stage else ()):
        source = source.removeprefix("./").strip("/")
        if source in ("", ".", "*") or relpath == source or relpath.startswith(source + "/") \
                or fnmatch.fnmatch(relpath, source):
            return True
    return False


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    if match.groupdict().get("package"):
        return _without_main(match.group("package"), (match.group(0),))
    return _missing(context, match.group("path"), (match.group(0),))


def _without_main(package: str, evidence: tuple[str, ...]) -> Finding:
    main = f"{package.replace('.', '/')}/__main__.py"
    return Finding(ID, f"`python -m {package}` runs {package}/__main__.py, which is not in the image: {package} is a "
                       "package with no __main__ module (add one, or run the module that has the entry point)",
                   evidence=evidence, location=Location(main), captures={"path": main})


def from_check(context: Context, check: Check) -> Finding | None:
    facts = check.facts
    if not isinstance(facts, EntryResolution):
        return None
    if facts.package_without_main:
        return _without_main(facts.package_without_main, (f"python -m {facts.package_without_main}",))
    if facts.missing_script:
        return _missing(context, facts.missing_script, (f"the script {facts.missing_script} is not in the image",))
    return None


def _missing(context: Context, image_path: str, evidence: tuple[str, ...]) -> Finding | None:
    relpath = relative_to_workdir(context, image_path)
    project = context.project
    if relpath.startswith("/") or not (context.root / project.root_path(relpath)).exists():
        reason = "it is not in the project's tree (is it expected from a volume mount at run time?)"
        location = None
    elif excluded := excluding_pattern(project.dockerignore, relpath):
        pattern, line = excluded
        reason = f".dockerignore:{line} (`{pattern}`) keeps it out of the build context"
        location = Location(".dockerignore", line)
    elif not _copied_by(context, relpath):
        reason = f"no COPY or ADD in {context.dockerfile_path}'s final stage copies it"
        location = Location(context.dockerfile_path)
    else:
        return None  # copied and sent, yet missing: something in the build removed it; not this rule's
    return Finding(ID, f"{image_path} ({relpath}) is not in the image: {reason}", evidence=evidence,
                   location=location, captures={"path": relpath})


RULE = Rule(
    id=ID,
    name="run-file-missing",
    kind="report",
    summary="The script the container runs is not in the image",
    explanation=__doc__,
    seeds=("S002-3",),
    case="s002-3-script-not-copied",
    log=regex(r"can't open file '(?P<path>[^']+)': \[Errno 2\]",
              r"No module named (?P<package>[\w.]+)\.__main__; '[\w.]+' is a package and cannot be directly executed"),
    from_log=from_log,
    checks=("entry-resolves",),
    from_check=from_check,
)
