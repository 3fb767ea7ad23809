"""A credential file (`.env`, a private key, `.netrc`/`.pypirc`) is baked into an image layer.

What it catches: verification's `no-secrets` check listing such files in the image's working directory,
typically because `COPY . .` sent the whole project and `.dockerignore` does not exclude them.
Why it breaks: every layer of an image is readable by whoever can pull it; a secret copied in a layer stays in
the image's history even if a later step deletes it. The build passes, so nobody notices.
The fix: a file that reached the image only through a broad COPY is added to `.dockerignore` (its directory
path exactly), so the next build never sends it. A file a COPY names explicitly is needed at build time:
that is reported, not edited — pass it with a BuildKit secret (`RUN --mount=type=secret,id=...`) or at run
time through the environment instead.
"""

from __future__ import annotations

import posixpath
import re

from dockerfix.analyse.dockerignore import excluding_pattern, parse_dockerignore
from dockerfix.catalog.copy_sources import copied_paths
from dockerfix.catalog.rule import Context, Finding, Fix, Rule, Skip, regex

ID = "DF063"
SECRET_LINE = re.compile(r"^secret file: (?P<path>\S+)$", re.MULTILINE)


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    paths = sorted({posixpath.normpath(m.group("path")) for m in SECRET_LINE.finditer(log)})
    if not paths:
        return None
    return Finding(ID, f"credential file(s) baked into the image: {', '.join(paths)}",
                   evidence=tuple(f"secret file: {p}" for p in paths), captures=(("paths", " ".join(paths)),))


def fix(context: Context, finding: Finding) -> Fix | Skip:
    named = {path for path, _ in copied_paths(context.project)}
    paths = [p for p in finding.capture("paths").split() if (context.root / p).exists()]
    explicit = [p for p in paths if p in named]
    if explicit:
        return Skip(f"{', '.join(explicit)} is copied on purpose: pass it as a BuildKit secret instead")
    ignore_path = context.project.dockerignore_path
    text = context.text(ignore_path) or ""
    ignore = parse_dockerignore(ignore_path, text)
    added = [p for p in paths if excluding_pattern(ignore, p) is None]
    if not added:
        return Skip("the files are already ignored")
    lines = text.splitlines() + ["# credentials never belong in an image layer (dockerfix DF063)", *added]
    return Fix({ignore_path: "\n".join(lines) + "\n"},
               f"added {', '.join(added)} to .dockerignore: the broad COPY no longer bakes them into the image")


RULE = Rule(
    id=ID,
    name="secret-in-image",
    kind="run",
    summary="A credential file is baked into the image",
    explanation=__doc__,
    case="secret-env-file-copied",
    log=regex(r"^\[no-secrets\][^\n]*"),
    from_log=from_log,
    fix=fix,
)
