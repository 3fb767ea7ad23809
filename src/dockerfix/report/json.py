"""The repair as JSON (schema in the README, `schema_version` bumped on incompatible changes)."""

from __future__ import annotations

from dataclasses import asdict

from dockerfix.version import __version__
from dockerfix.catalog import BY_ID
from dockerfix.report.redact import redact_json
from dockerfix.model import Location, RepairResult

SCHEMA_VERSION = 1


def location_fields(location: Location | None) -> dict[str, str | int | None]:
    """A finding's location in JSON: `location` as text, as before ("Dockerfile:12"), and its `path` and `line`."""
    return {"location": str(location) if location else None, "path": location.path if location else None,
            "line": location.line if location else None}


def to_dict(result: RepairResult) -> dict:
    verification = result.verification
    return {
        "schema_version": SCHEMA_VERSION,
        "dockerfix_version": __version__,
        "status": result.status,
        "project": str(result.root),
        "strategy": result.strategy,
        "strategy_requested": result.requested,
        "strategy_reason": result.strategy_reason,
        "message": result.message,
        "blocked": result.blocked,
        "seconds": round(result.seconds, 1),
        "builds": [asdict(b) | {"seconds": round(b.seconds, 1)} for b in result.builds],
        "steps": [asdict(s) for s in result.steps],
        "findings": [asdict(f) | location_fields(f.location) | {"captures": dict(f.captures),
                                                                "severity": BY_ID[f.rule].severity}
                     for f in result.findings],
        "unknown": list(result.unknown),
        "verification": {
            "passed": verification.passed if verification else False,
            "checks": [asdict(c) for c in verification.checks] if verification else [],
            "seconds": round(verification.seconds, 1) if verification else None,
        },
        "image": {"tag": result.image, "size_bytes": result.image_size,
                  "layers": verification.layers if verification else None},
        "accounting": [asdict(a) for a in result.accounting],
        "final_stage": asdict(result.final_stage) if result.final_stage else None,
        "changed_files": list(result.changed_files),
        "written": result.written,
        "diff": result.diff,
    }


def to_json(result: RepairResult) -> str:
    return redact_json(to_dict(result), default=str) + "\n"
