"""Settings that say the same thing twice, differently: a URL and the separate variables for its parts.

What it catches: `REDIS_URL=redis://:secret@redis:6379/0` next to `REDIS_PASSWORD=secret` in `.env` or a
compose service's environment (seed S002-4: the code added REDIS_PASSWORD to a URL that already held it,
`redis://:pw@:pw@redis:6379`); a password, port or host in `X_URL` that differs from `X_PASSWORD`, `X_PORT`,
`X_HOST` (seeds S000-11 `NOAUTH`/`WRONGPASS`: the client used the other password; S000-12: two Redis
instances, the settings pointing at both 6379 and 6380).
Why it breaks: which one wins depends on the code that reads them; with both set, one of them is wrong or the
password ends up in the URL twice, and authentication fails at run time, not at build time.
The fix: none by dockerfix (it does not edit settings); the finding names both settings, with passwords
masked: keep one source of truth. A Redis already bound on the host's port (S000-10) is not visible in the
project's files; DF056 reports the `port is already allocated` it causes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from dockerfix.analyse.compose_env import Setting, env_file_settings, masked, service_settings
from dockerfix.catalog.rule import Context, Finding, Location, Rule

ID = "DF055"
URL_KEY = re.compile(r"^(?P<prefix>\w+?)_(?:URL|URI|DSN)$", re.IGNORECASE)
PARTS = {"password": ("PASSWORD", "PASS"), "port": ("PORT",), "hostname": ("HOST", "HOSTNAME")}


def _contradictions(settings: list[Setting]) -> Iterator[tuple[Setting, Setting, str]]:
    by_key = {s.key.upper(): s for s in settings}
    for setting in settings:
        match = URL_KEY.match(setting.key)
        if match is None or "${" in setting.value or "://" not in setting.value:
            continue
        try:
            url = urlsplit(setting.value)
            parts = {"password": url.password, "port": str(url.port) if url.port else None, "hostname": url.hostname}
        except ValueError:
            continue
        prefix = match.group("prefix").upper()
        for part, suffixes in PARTS.items():
            other = next((by_key[f"{prefix}_{s}"] for s in suffixes if f"{prefix}_{s}" in by_key), None)
            if other is None or not other.value or "${" in other.value or parts[part] is None:
                continue
            if part == "password" and other.value == parts[part]:
                yield setting, other, (f"the password is in {setting.key} and again in {other.key}; code that adds "
                                       f"{other.key} to {setting.key} puts it in the URL twice")
            elif other.value != parts[part]:
                yield setting, other, f"{setting.key} and {other.key} disagree on the {part}"


def _sources(context: Context) -> Iterator[list[Setting]]:
    if context.text(".env") is not None:
        yield env_file_settings(context, ".env")
    for service in context.project.compose:
        yield service_settings(context, service)


def detect(context: Context) -> Iterator[Finding]:
    seen: set[tuple[str, str, str]] = set()
    for settings in _sources(context):
        for url, other, problem in _contradictions(settings):
            key = (url.origin, other.origin, problem)
            if key in seen:
                continue
            seen.add(key)
            yield Finding(ID, problem, evidence=(f"{url.origin}: {url.key}={masked(url.value)}",
                                                 f"{other.origin}: {other.key}=***" if "PASS" in other.key.upper()
                                                 else f"{other.origin}: {other.key}={other.value}"),
                          location=Location.parse(url.origin.split(" ")[0]), captures={"url": url.key, "other": other.key})


RULE = Rule(
    id=ID,
    name="env-values-contradict",
    kind="report",
    summary="A URL setting and the separate settings for its parts contradict each other",
    explanation=__doc__,
    seeds=("S002-4", "S000-11", "S000-12"),
    case="s002-4-redis-url-password-twice",
    detect=detect,
)
