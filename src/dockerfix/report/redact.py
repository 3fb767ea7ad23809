"""Redaction of secrets in anything dockerfix prints or writes: logs, reports, JSON, PR bodies."""

from __future__ import annotations

import json
import os
import re
from typing import Any, Callable

MASK = "***"
PATTERNS = (
    re.compile(r"(?P<keep>\b[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)(?P<secret>[^@\s/]+)(?=@)"),  # user:password@ in URLs
    re.compile(r"(?P<keep>\b[A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|APIKEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?)"
               r"[A-Z0-9_]*\s*[=:]\s*[\"']?)(?P<secret>[^\s\"']{3,})", re.IGNORECASE),
    re.compile(r"(?P<keep>)(?P<secret>\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}"
               r"|xox[baprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|sk-[A-Za-z0-9_-]{20,})\b)"),
    re.compile(r"(?P<keep>\b[Aa]uthorization:\s*(?:Bearer|token|Basic)\s+)(?P<secret>\S+)"),
)
# Environment variables whose values are secrets wherever they appear (the bot's token among them).
SECRET_ENV = ("DOCKERFIX_GITHUB_TOKEN", "GITHUB_TOKEN", "GH_TOKEN")


def redact(text: str) -> str:
    for name in SECRET_ENV:
        value = os.environ.get(name)
        if value and len(value) >= 6:
            text = text.replace(value, MASK)
    for pattern in PATTERNS:
        text = pattern.sub(lambda m: m.group("keep") + MASK, text)
    return text


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    if isinstance(value, dict):
        return {redact(str(key)): _redacted(item) for key, item in value.items()}
    return value


def redact_json(data: Any, *, indent: int | None = 2, default: Callable[[Any], Any] | None = None) -> str:
    """`data` as JSON, every string in it redacted: masking the serialised text instead could swallow half of an
    escape (`SECRET_KEY = env(\\"SECRET_KEY\\")`) and leave invalid JSON."""
    return json.dumps(_redacted(json.loads(json.dumps(data, default=default))), indent=indent)
