"""Benchmark the repair on every corpus case, on the real engine.

For each case: does the original build; the repair's status and builds to green; its wall time divided by
the time of one clean (no-cache) build of the result; the final image size against the original's where the
original built. Writes corpus/results.json and corpus/RESULTS.md; cases named on the command line are measured
again and replace their rows, the other rows are kept.

    python benchmarks/corpus.py [CASE ...]
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from corpus_cases import CORPUS, Case, load_cases  # noqa: E402
from dockerfix.analyse import analyse  # noqa: E402
from dockerfix.build import MANAGED_LABEL, BuildBackend, BuildResult, get_backend, new_tag  # noqa: E402
from dockerfix.build.engine import engine_client  # noqa: E402
from dockerfix.build.sdk import SdkBackend  # noqa: E402
from dockerfix.repair import repair  # noqa: E402


def measured(backend: BuildBackend, result: BuildResult) -> tuple[BuildResult, int | None]:
    """The build and its image's size; the image is removed."""
    size = engine_client().images.get(result.image).attrs["Size"] if result.ok else None
    backend.cleanup(result)
    return result, size


def measure(case: Case) -> dict:
    backend = SdkBackend()
    with tempfile.TemporaryDirectory(prefix="dockerfix-corpus-") as scratch:
        root = Path(scratch) / case.name
        shutil.copytree(case.directory / "project", root)
        original, original_size = measured(backend, case.build_original(root, backend))
        started = time.monotonic()
        result = repair(root, case.repair_options())
        wall = time.monotonic() - started
        row = {"case": case.name, "seeds": case.settings.get("seeds", []), "kind": case.settings.get("kind"),
               "expected": case.repair.get("status", "repaired"), "status": result.status,
               "rules": sorted({s.rule for s in result.steps} | {f.rule for f in result.findings}),
               "original_builds": original.ok, "original_image_bytes": original_size,
               "builds": len(result.builds), "repair_seconds": round(wall, 1)}
        if result.status in ("repaired", "ok"):
            clean = get_backend(result.builds[-1].backend)  # the backend the repair chose (BuildKit for RUN --mount)
            final, final_size = measured(clean, clean.build(root, {}, analyse(root).dockerfile, tag=new_tag(root),
                                                            labels={MANAGED_LABEL: "1"}, no_cache=True))
            row |= {"clean_build_seconds": round(final.seconds, 1), "final_image_bytes": final_size,
                    "repair_over_clean_build": round(wall / final.seconds, 2) if final.seconds else None}
    return row


def summary(rows: list[dict]) -> dict:
    repairable = [r for r in rows if r["expected"] == "repaired"]
    green = [r for r in repairable if r["status"] == "repaired"]
    builds = [r["builds"] for r in green]
    ratios = [r["repair_over_clean_build"] for r in green if r.get("repair_over_clean_build")]
    return {"cases": len(rows), "repairable": len(repairable), "repaired": len(green),
            "repaired_share": round(len(green) / len(repairable), 3) if repairable else None,
            "reported_as_expected": sum(1 for r in rows if r["expected"] == "failed" and r["status"] == "failed"),
            "working": sum(1 for r in rows if r["expected"] == "ok"),
            "left_alone": sum(1 for r in rows if r["expected"] == r["status"] == "ok"),
            "builds_median": statistics.median(builds) if builds else None, "builds_max": max(builds) if builds else None,
            "repair_over_clean_build_median": round(statistics.median(ratios), 2) if ratios else None}


def mb(size: int | None) -> str:
    return f"{size / 1e6:.0f} MB" if size else "—"


def seconds(value: float | None) -> str:
    return f"{value} s" if value is not None else "—"


def status(row: dict) -> str:
    """A report case's failure is what it expects: the diagnosis, not an edit."""
    return "reported" if row["expected"] == row["status"] == "failed" else row["status"]


def main(names: list[str]) -> None:
    results = CORPUS / "results.json"
    existing = {case.name for case in load_cases()}
    kept = json.loads(results.read_text())["rows"] if names and results.exists() else []
    by_case = {row["case"]: row for row in kept if row["case"] in existing}
    # saved-log cases are explained, not built (tests/unit/test_saved_logs.py)
    by_case |= {case.name: measure(case) for case in load_cases(names) if case.saved_log is None}
    rows = [by_case[name] for name in sorted(by_case)]
    totals = summary(rows)
    meta = {"date": time.strftime("%Y-%m-%d"), "engine": engine_client().version().get("Version")}
    results.write_text(json.dumps({"meta": meta, "summary": totals, "rows": rows}, indent=2) + "\n")
    lines = [f"# Corpus results ({meta['date']}, Docker {meta['engine']})", "",
             f"Repaired {totals['repaired']} of {totals['repairable']} repairable cases "
             f"({(totals['repaired_share'] or 0) * 100:.0f}%); report cases (a runtime or configuration fault "
             f"dockerfix diagnoses and reports, not edits) reported as expected: {totals['reported_as_expected']} "
             f"of {totals['cases'] - totals['repairable'] - totals['working']}; working builds left alone (ok, nothing "
             f"written): {totals['left_alone']} of {totals['working']}. Builds to green: median {totals['builds_median']}, max {totals['builds_max']}. "
             f"Repair wall time / one clean build of the result: median {totals['repair_over_clean_build_median']}.", "",
             "| case | seeds | status | rules | builds | repair | clean build | original image | final image |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['case']} | {', '.join(r['seeds'])} | {status(r)} | {', '.join(r['rules'])} | {r['builds']} | "
                     f"{seconds(r['repair_seconds'])} | {seconds(r.get('clean_build_seconds'))} | "
                     f"{mb(r['original_image_bytes'])} | {mb(r.get('final_image_bytes'))} |")
    (CORPUS / "RESULTS.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
