"""The application is refused writing in its own folder.

What it catches: verification runs the image's command and it stops with `PermissionError: [Errno 13] Permission
denied: '/code/static_root'` (or the shell's `cannot create directory ...: Permission denied`) on a path inside
the folders the final stage puts the application in (its WORKDIR, its COPY destinations): Django's collectstatic
creating STATIC_ROOT, SQLite creating db.sqlite3 and its journal beside the code, a log or upload folder.
Why it breaks: WORKDIR creates the folder as root and COPY keeps an existing folder's owner, so once the image
runs as a user (its own USER, or the one DF045 adds) the application may read its folder but not create anything
in it; as root it always could.
The same holds for a service the image installs and runs as that user (supervisord opening
/var/log/supervisor/supervisord.log).
The fix: before the final USER (after the last COPY), give the user the folder each refused path is created in
(`mkdir -p` and a non-recursive `chown`), and the path itself, recursively, when the image already holds it. The
rest of the code stays root-owned. Not applied for a numeric USER without a name, nor for paths outside the
application's folders and the services' own folders below /var/log, /var/lib, /var/cache and /run (the system's
files are not the application's to write).
"""

from __future__ import annotations

import posixpath
import re

from dockerfix.analyse.image_paths import application_dirs, workdir
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip
from dockerfix.checks import Check, EntryRun
from dockerfix.transform.apt import user_before
from dockerfix.transform.dockerfile import insert_at_stage_end, insert_before

ID = "DF058"
USER_NAME = re.compile(r"[a-z_][a-z0-9_-]*")
# where a service the image installs keeps its state: its own folder below these is its to write (supervisord's
# /var/log/supervisor); the roots themselves are the system's
STATE_ROOTS = ("/var/log", "/var/lib", "/var/cache", "/var/run", "/run")


def _inside(path: str, folders: tuple[str, ...] | list[str]) -> bool:
    return any(path.startswith(f"{folder.rstrip('/')}/") for folder in folders)


def _folder(path: str, application: list[str]) -> str | None:
    """The folder to give the user so that it may create `path`: the one `path` is created in, inside the
    application's folders or a service's own state folder; None for the system's files."""
    folder = posixpath.dirname(path)
    if path in application or _inside(path, application):
        return folder if folder != "/" else None
    return folder if _inside(folder, STATE_ROOTS) else None


def from_check(context: Context, check: Check) -> Finding | None:
    facts = check.facts
    if not isinstance(facts, EntryRun) or not facts.denied:
        return None
    application = application_dirs(context.project)
    # a relative path is the command's: relative to the final WORKDIR
    paths = [posixpath.normpath(posixpath.join(workdir(context), p)) for p in facts.denied]
    writable = [p for p in dict.fromkeys(paths) if _folder(p, application) is not None]
    if not writable:
        return None
    return Finding(ID, f"the application may not write {', '.join(writable)}: the folder belongs to root",
                   evidence=tuple(f"Permission denied: {p!r}" for p in writable),
                   location=Location(context.dockerfile_path), captures={"paths": " ".join(writable)})


def fix(context: Context, finding: Finding) -> Fix | Skip:
    dockerfile = context.project.dockerfile
    stage = dockerfile.final_stage if dockerfile else None
    user = dockerfile.last("USER") if dockerfile else None
    if dockerfile is None or stage is None or user is None or user not in stage.instructions:
        return Skip("the final stage has no USER to give the folder to")
    name = user.value.split(":")[0].strip()
    if not USER_NAME.fullmatch(name):
        return Skip(f"USER {name} is not a user name dockerfix can give a folder to")
    application = application_dirs(context.project)
    paths = finding.capture("paths").split()
    folders = list(dict.fromkeys(f for f in (_folder(p, application) for p in paths) if f))
    command = " && ".join([f"RUN mkdir -p {' '.join(folders)}", f"chown {name}: {' '.join(folders)}",
                           *(f"if [ -e {p} ]; then chown -R {name}: {p}; fi" for p in paths)])
    copies_after = any(i.keyword in ("COPY", "ADD") and i.line > user.line for i in stage.instructions)
    if copies_after:  # the files the command writes arrive after USER: own them once they are there
        text = insert_at_stage_end(context.dockerfile_text, stage, f"USER root\n{command}\nUSER {user.value.strip()}")
    else:
        if user_before(dockerfile, stage, user).split(":")[0] not in ("", "root", "0"):
            command = f"USER root\n{command}"  # an earlier USER switched away from root: the RUN needs root
        text = insert_before(context.dockerfile_text, user, command)
    return Fix({context.dockerfile_path: text}, f"gave {', '.join(folders)} (and {', '.join(paths)}, when the image "
                                                f"holds them) to {name}")


RULE = Rule(
    id=ID,
    name="app-folder-not-writable",
    kind="run",
    summary="The application is refused writing in its own folder",
    explanation=__doc__,
    case="run-app-folder-not-writable",
    checks=("entry-runs", "entry-starts"),
    from_check=from_check,
    fix=fix,
)
