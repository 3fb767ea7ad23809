"""A credential file (`.env`, a private key, `.netrc`/`.pypirc`) is baked into an image layer.

What it catches: verification's `no-secrets` check listing such files among the application's files in the
image (where the final stage's WORKDIR, COPY and ADD put them; installed packages and the system's public CA
certificates are not the application's, and a `.pem` holding only certificates is no secret), typically because
`COPY . .` sent the whole project and `.dockerignore` does not exclude them.
Why it breaks: every layer of an image is readable by whoever can pull it; a secret copied in a layer stays in
the image's history even if a later step deletes it. The build passes, so nobody notices.
The fix: a file that reached the image only through a broad COPY is added to `.dockerignore` (its directory
path exactly), so the next build never sends it. A file a COPY names explicitly is needed at build time:
that is reported, not edited — pass it with a BuildKit secret (`RUN --mount=type=secret,id=...`) or at run
time through the environment instead.
"""

from __future__ import annotations

from dockerfix.analyse.dockerignore import excluding_pattern, parse_dockerignore
from dockerfix.analyse.copy_sources import copied_paths
from dockerfix.analyse.image_paths import project_file
from dockerfix.catalog.rule import Context, Finding, Fix, Rule, Skip
from dockerfix.checks import Check, SecretFiles

ID = "DF063"


def from_check(context: Context, check: Check) -> Finding | None:
    """The credential files the check found, as the project's files they are copies of (else as in the image)."""
    if not isinstance(check.facts, SecretFiles) or not check.facts.paths:
        return None
    paths = sorted({project_file(context, path) or path for path in check.facts.paths})
    return Finding(ID, f"credential file(s) baked into the image: {', '.join(paths)}",
                   evidence=tuple(f"secret file: {p}" for p in paths), captures={"paths": tuple(paths)})


def fix(context: Context, finding: Finding) -> Fix | Skip:
    named = {path for path, _ in copied_paths(context.project)}
    paths = [p for p in finding.capture_list("paths") if not p.startswith("/") and (context.root / p).exists()]
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
    checks=("no-secrets",),
    from_check=from_check,
    fix=fix,
)
