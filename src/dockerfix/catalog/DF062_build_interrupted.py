"""The build did not finish: it ran past its time limit, or the engine stopped answering.

What it catches: dockerfix's own `build timed out after N s` (the `--timeout` budget or the per-build limit)
and `the engine stopped answering during the build` / `engine error:` from the build backends.
Why it breaks: a step that waits forever (a prompt without `-y`, a server started in a RUN, a download that
stalls) or an engine that crashed or was restarted; neither is a fault of a particular instruction.
The fix: none automatically. The finding is conclusive and names the step that was running; raise the limit
if the build is just slow, or fix the step that waits.
"""

from __future__ import annotations

from dockerfix.catalog.rule import Rule, regex

RULE = Rule(
    id="DF062",
    name="build-interrupted",
    kind="report",
    summary="The build ran past its time limit or lost the engine",
    explanation=__doc__,
    case="fault-build-timeout",
    log=regex(r"build timed out after (?P<seconds>\d+) s",
              r"the engine stopped answering during the build[^\n]*",
              r"^engine error: [^\n]*"),
    conclusive=True,
)
