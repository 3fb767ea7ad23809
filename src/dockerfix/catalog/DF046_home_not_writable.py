"""The image's user has no writable home directory.

What it catches: verification's `[home-writable] HOME=/home/app is not writable` (or `HOME=/nonexistent`): the
user exists but `useradd --system` without `--create-home`, or Debian's `adduser --system`, gave it no home,
or the home belongs to root (seeds S001-6 `Permission denied: '/nonexistent'`, S001-7 `Permission denied:
'/home/appuser'`, here found at run time rather than by a failing build step).
Why it breaks: tools write to `$HOME` at run time (caches under ~/.cache, pip, matplotlib, Hugging Face,
`~/.config`); without a home they fail with `Permission denied` the first time they need it.
The fix: before the final stage's `USER`, create the home and give it to the user
(`mkdir -p /home/app && chown app: /home/app`), and point the user's passwd entry at it (`usermod --home`)
when it had none. Not applied on images without `usermod` (Alpine), nor for a numeric USER without a name.
"""

from __future__ import annotations

import re

from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip
from dockerfix.checks import Check, Home
from dockerfix.transform.apt import has_apt, user_before
from dockerfix.transform.dockerfile import insert_before

ID = "DF046"
NO_HOME = ("/", "/nonexistent")


def from_check(context: Context, check: Check) -> Finding | None:
    facts = check.facts
    if not isinstance(facts, Home) or not facts.error:
        return None
    return Finding(ID, f"the image's user cannot write its home directory {facts.home}",
                   evidence=(f"HOME={facts.home}: {facts.error}",), location=Location(context.dockerfile_path),
                   captures={"home": facts.home})


def fix(context: Context, finding: Finding) -> Fix | Skip:
    dockerfile = context.project.dockerfile
    stage = dockerfile.final_stage if dockerfile else None
    user = dockerfile.last("USER") if dockerfile else None
    if dockerfile is None or stage is None or user is None:
        return Skip("the final stage has no USER to give a home")
    name = user.value.split(":")[0].strip()
    if not re.fullmatch(r"[a-z_][a-z0-9_-]*", name):
        return Skip(f"USER {name} is not a user name dockerfix can give a home")
    if not has_apt(dockerfile, stage):
        return Skip("the base image is not Debian-based (no usermod)")
    home = finding.capture("home")
    target = f"/home/{name}" if home in NO_HOME else home
    command = f"RUN mkdir -p {target} && chown {name}: {target}"
    if target != home:
        command += f" && usermod --home {target} {name}"
    if user_before(dockerfile, stage, user).split(":")[0] not in ("", "root", "0"):
        command = f"USER root\n{command}"  # an earlier USER switched away from root: the RUN needs root
    text = insert_before(context.dockerfile_text, user, command)
    return Fix({context.dockerfile_path: text}, f"created {target}, owned by {name}, before `USER {name}`")


RULE = Rule(
    id=ID,
    name="home-not-writable",
    kind="run",
    summary="The image's user has no writable home directory",
    explanation=__doc__,
    seeds=("S001-6", "S001-7"),
    case="run-home-not-writable",
    checks=("home-writable",),
    from_check=from_check,
    fix=fix,
)
