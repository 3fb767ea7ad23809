"""The image runs its command as root.

What it catches: verification's `[non-root] runs as root (uid 0)`: the final stage never switches to another
USER (the seed Dockerfiles of S001 and S003 run as root until they add one by hand).
Why it breaks: a process running as root inside the container is root on every file and volume it can reach;
a compromise of the application is a compromise of everything mounted into it, and many platforms
(Kubernetes `runAsNonRoot`, OpenShift) refuse such images outright.
The fix: a system user with a real, owned home (`useradd --system --create-home`, the flags of the base image's
own tool: `adduser -S -D -h` on Alpine) and `USER` at the end of the final stage, before its CMD. The files
the image copies stay root-owned and readable: the application may read its code, not rewrite it. Not applied
when packages were installed with `pip install --user` as root, since the new user could not read /root/.local.
Found before any build when the final stage ends as root for certain: `USER root` (or 0), or no USER at all
over an official python, debian or ubuntu image; another base image may set its own user.
"""

from __future__ import annotations

from collections.abc import Iterator

from dockerfix.catalog.patterns import PIP_USER
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip
from dockerfix.checks import Check, UserId
from dockerfix.transform.apt import OFFICIAL_DEBIAN_FAMILY, base_image, has_apt, is_root, user_before
from dockerfix.transform.dockerfile import insert_at_stage_end

ID = "DF045"
USER = "app"


def detect(context: Context) -> Iterator[Finding]:
    """Root for certain: USER root/0 last, or no USER at all over an official image (whose default is root)."""
    dockerfile = context.project.dockerfile
    stage = dockerfile.final_stage if dockerfile else None
    if dockerfile is None or stage is None:
        return
    user = user_before(dockerfile, stage, None)
    if is_root(user) and (user or OFFICIAL_DEBIAN_FAMILY.match(base_image(dockerfile, stage))):
        yield Finding(ID, f"the final stage of {context.dockerfile_path} runs as {user or 'root, the image default'}",
                      evidence=tuple(i.text for i in stage.instructions if i.keyword in ("FROM", "USER")),
                      location=Location(context.dockerfile_path, stage.instructions[0].line))


def from_check(context: Context, check: Check) -> Finding | None:
    if not isinstance(check.facts, UserId) or check.facts.uid != 0:
        return None
    return Finding(ID, "the image runs its command as root (uid 0)", evidence=(f"uid {check.facts.uid}",),
                   location=Location(context.dockerfile_path))


def fix(context: Context, finding: Finding) -> Fix | Skip:
    dockerfile = context.project.dockerfile
    stage = dockerfile.final_stage if dockerfile else None
    if dockerfile is None or stage is None:
        return Skip("no Dockerfile to edit")
    if any(i.keyword == "RUN" and PIP_USER.search(i.value) for i in stage.instructions):
        return Skip("packages were installed with pip --user as root (/root/.local), which another user cannot "
                    "read: install them into a venv first (the rewrite strategy does)")
    if has_apt(dockerfile, stage):
        create = (f"RUN useradd --system --create-home --home-dir /home/{USER} --shell /usr/sbin/nologin {USER}")
    else:
        create = f"RUN addgroup -S {USER} && adduser -S -D -h /home/{USER} -G {USER} {USER}"
    text = insert_at_stage_end(context.dockerfile_text, stage, f"{create}\nUSER {USER}")
    return Fix({context.dockerfile_path: text},
               f"added the system user {USER} (home /home/{USER}) and `USER {USER}` at the end of the final stage")


RULE = Rule(
    id=ID,
    name="runs-as-root",
    kind="run",
    summary="The image runs its command as root",
    explanation=__doc__,
    seeds=("S001-6", "S003-4"),
    case="s002-1-libmagic-missing",
    checks=("non-root",),
    from_check=from_check,
    detect=detect,
    fix=fix,
)
