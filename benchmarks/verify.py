"""Benchmark the verification of correct images, on the real engine: it must take under 30 s.

For each project below, a verified image is made first (by `repair`, whose result is kept), then the
verification runs on it REPEAT times as `dockerfix verify` runs it, then once more with the HTTP probe (for
the server) and once with the cache check (one more build with a source file touched). Writes
benchmarks/results/verify.json.

    python benchmarks/verify.py [REPEAT]
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dockerfix.analyse import analyse  # noqa: E402
from dockerfix.build.engine import engine_client  # noqa: E402
from dockerfix.build.sdk import SdkBackend  # noqa: E402
from dockerfix.repair import Options, repair  # noqa: E402
from dockerfix.verify import CacheProbe, verify  # noqa: E402

LIMIT_SECONDS = 30.0
RESULTS = ROOT / "benchmarks" / "results" / "verify.json"
# (corpus case, strategy, HTTP path for a server): a server (uvicorn, the entry-starts check waits for it), a
# package with a compiled dependency (pydantic-core), and the rewrite's multi-stage Poetry layout.
PROJECTS = (("s003-4-uvicorn-not-on-path", "minimal", "/"),
            ("s004-4-email-validator-undeclared", "minimal", None),
            ("s000-1-lock-ignored", "rewrite", None))


def measure(case: str, strategy: str, http_path: str | None, repeat: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="dockerfix-verify-bench-") as scratch:
        root = Path(scratch) / case
        shutil.copytree(ROOT / "corpus" / case / "project", root)
        made = repair(root, Options(strategy=strategy, force=True, keep_image=True, keep_cache=True))  # type: ignore[arg-type]
        if made.image is None:
            return {"case": case, "error": f"no verified image: {made.status}, {made.message}"}
        project = analyse(root)
        try:
            runs = [verify(project, made.image) for _ in range(repeat)]
            row = {"case": case, "strategy": strategy, "checks": [c.name for c in runs[0].checks],
                   "passed": all(r.passed for r in runs), "seconds": [round(r.seconds, 2) for r in runs],
                   "median_seconds": round(statistics.median(r.seconds for r in runs), 2),
                   "max_seconds": round(max(r.seconds for r in runs), 2),
                   "image_bytes": runs[0].image_size, "layers": runs[0].layers}
            if http_path:
                probed = verify(project, made.image, http_path=http_path)
                row["with_http_probe"] = {"passed": probed.passed, "seconds": round(probed.seconds, 2),
                                          "detail": next(c.detail for c in probed.checks if c.name == "http-probe")}
            started = time.monotonic()
            cached = verify(project, made.image, cache=CacheProbe(root, {}, SdkBackend()))
            row["with_cache_check"] = {"passed": cached.passed, "seconds": round(time.monotonic() - started, 2),
                                       "detail": next(c.detail for c in cached.checks if c.name == "cache")}
            return row
        finally:
            engine_client().images.remove(made.image)


def main(argv: list[str]) -> int:
    repeat = int(argv[0]) if argv else 3
    client = engine_client()
    rows = [measure(case, strategy, path, repeat) for case, strategy, path in PROJECTS]
    worst = max((r.get("max_seconds", float("inf")) for r in rows), default=float("inf"))
    report = {
        "benchmark": "verification of a correct image (dockerfix verify PATH --image)",
        "limit_seconds": LIMIT_SECONDS,
        "within_limit": worst < LIMIT_SECONDS and all(r.get("passed") for r in rows),
        "worst_seconds": worst,
        "repeat": repeat,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "engine": client.version().get("Version"), "python": platform.python_version()},
        "projects": rows,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0 if report["within_limit"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
