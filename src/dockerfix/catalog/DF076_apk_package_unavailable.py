"""apk cannot install a package the image's Alpine release does not have, or a pinned version it no longer has.

What it catches: `ERROR: unable to select packages:` followed by `php7-zip (no such package):` or by
`musl-dev-1.2.3-r3: breaks: world[musl-dev=1.2.3-r2]`, from an `apk add` in an `alpine:*` (or `*-alpine`) image.
Why it breaks: Alpine renames and drops packages between releases (`php7-*` became `php81-*`/`php82-*`, Python 2
packages were removed in 3.16, `py-pip` is `py3-pip`), `alpine:latest`/`edge` move under the Dockerfile, and each
release's repository keeps only the newest build of a package, so a pinned `=1.2.3-r2` disappears at the next
security update.
The fix: none automatic (this engine serves no Alpine images to verify an edit on). The suggestion names the
packages and the failing instruction: pin the Alpine release in FROM (`alpine:3.18`, not `latest`) and use that
release's package names, or loosen the pin to `~1.2`.
"""

from __future__ import annotations

import re

from dockerfix.catalog.rule import Context, Finding, Rule, regex
from dockerfix.catalog.suggestions import at, base_named, failed_instruction, step_named

ID = "DF076"
MISSING = re.compile(r"^\s+(?P<package>\S+) \(no such package\):", re.MULTILINE)
PIN_GONE = re.compile(r"^\s+(?P<available>\S+):\n\s+breaks: world\[(?P<pin>[^\]]+)\]", re.MULTILINE)
RELEASE = re.compile(r"dl-cdn\.alpinelinux\.org/alpine/(?P<release>v[\d.]+|edge)/")


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    missing = list(dict.fromkeys(m.group("package") for m in MISSING.finditer(log)))
    pins = [(m.group("pin"), m.group("available")) for m in PIN_GONE.finditer(log)]
    if not missing and not pins:
        return None
    release = RELEASE.search(log)
    on = f"Alpine {release.group('release')}" if release else "the image's Alpine release"
    parts = ([f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not in {on}"] if missing else []) + \
            [f"{pin} is gone ({available} is there)" for pin, available in pins]
    evidence = tuple(m.group(0).strip() for m in MISSING.finditer(log)) + tuple(
        " ".join(m.group(0).split()) for m in PIN_GONE.finditer(log))
    suggestion = (f"in {step_named(context, log)}, " + ("use the package names of " + on + " (or drop them)" if missing else "")
                  + (" and " if missing and pins else "") + ("loosen the version pins (`pkg~1.2`) or drop them" if pins else "")
                  + f"; pin the Alpine release in {base_named(context, log)} so the names stop moving")
    return Finding(ID, "apk: " + "; ".join(parts), evidence=evidence, suggestion=suggestion,
                   location=at(context, failed_instruction(context, log)),
                   captures={"packages": tuple(missing), "pins": tuple(p for p, _ in pins)})


RULE = Rule(
    id=ID,
    name="apk-package-unavailable",
    kind="report",
    summary="apk cannot find a package (or a pinned version) in the image's Alpine release",
    explanation=__doc__,
    case="apk-no-such-package",
    log=regex(r"^ERROR: unable to select packages:"),
    from_log=from_log,
    applicability="suggestion",
)
