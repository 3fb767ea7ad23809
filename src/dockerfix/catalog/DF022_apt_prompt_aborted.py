"""apt-get install asks for confirmation and, with nobody to answer, aborts the build.

What it catches: `Do you want to continue? [Y/n] Abort.` right after apt's list of extra packages, from a RUN
such as `RUN apt-get update && apt-get install curl`.
Why it breaks: apt asks before installing packages beyond the ones named (curl's libraries). A build has no
terminal: apt reads end-of-file as "no" and exits with status 1.
The fix: `-y` after `install` in every apt install of the Dockerfile that lacks it (`-y`, `--yes`,
`--assume-yes` and `-qq` all answer yes). `--no-install-recommends` is not added: it changes what gets
installed (curl without its recommended ca-certificates cannot verify TLS), which is the author's decision.
Found before any build: whether apt will ask depends on the package's dependencies in the image, but `-y`
is right either way (hadolint's DL3014).
"""

from __future__ import annotations

from collections.abc import Iterator

from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, regex
from dockerfix.transform import apt
from dockerfix.transform.dockerfile import edit_each

ID = "DF022"


def _prompting(instruction) -> bool:
    return apt.installs(instruction) and any(not apt.assumes_yes(m.group("options"), m.group("arguments"))
                                             for m in apt.APT_INSTALL.finditer(instruction.value))


def detect(context: Context) -> Iterator[Finding]:
    dockerfile = context.project.dockerfile
    for run in dockerfile.instructions if dockerfile else ():
        if _prompting(run):
            yield Finding(ID, f"{context.dockerfile_path}:{run.line} runs apt install without -y: it aborts as soon as "
                              "a package brings others it must ask about", evidence=(run.text,),
                          location=Location(context.dockerfile_path, run.line))


def fix(context: Context, finding: Finding) -> Fix | Skip:
    dockerfile = context.project.dockerfile
    if dockerfile is None:
        return Skip("no Dockerfile")
    prompting = [i for i in dockerfile.instructions if _prompting(i)]
    if not prompting:
        return Skip("every apt install already answers yes")
    return Fix({context.dockerfile_path: edit_each(context.dockerfile_text, prompting, apt.add_assume_yes)},
               f"added -y to the apt install at {context.dockerfile_path} line(s) "
               f"{', '.join(str(i.line) for i in prompting)}")


RULE = Rule(
    id=ID,
    name="apt-prompt-aborted",
    kind="build",
    summary="apt-get install without -y aborts at its confirmation prompt",
    explanation=__doc__,
    case="apt-yes-missing",
    log=regex(r"Do you want to continue\? \[Y/n\] Abort\."),
    detect=detect,
    fix=fix,
)
