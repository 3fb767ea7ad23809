"""Benchmark the rewrite on the fixture projects: analysis time, build time, image size, against a naive image.

The naive image is what a first Dockerfile usually is: one stage, `COPY . .`, `pip install` of the project
(or its requirements file), running as root. Both are built without the layer cache, on the same engine.
Writes benchmarks/results/rewrite.json and benchmarks/results/rewrite.md.

    python benchmarks/rewrite.py [FIXTURE ...]
"""

from __future__ import annotations

import json
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
from dockerfix.build import MANAGED_LABEL, new_tag  # noqa: E402
from dockerfix.build.engine import engine_client  # noqa: E402
from dockerfix.build.sdk import SdkBackend  # noqa: E402
from dockerfix.repair import rewrite_files  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "projects"
RESULTS = ROOT / "benchmarks" / "results"
ANALYSIS_RUNS = 5


def naive_dockerfile(project) -> str:
    if project.requirements:
        install = f"pip install --no-cache-dir -r {project.requirements[0].path}"
    elif (project.root / "Pipfile").is_file():
        install = "pip install --no-cache-dir pipenv && pipenv install --system --deploy"
    else:
        install = "pip install --no-cache-dir ."
    # what pip needs to compile sdists: the naive image keeps it, as a first Dockerfile does
    packages = " ".join(project.system_packages.build + project.system_packages.runtime)
    apt = f"RUN apt-get update && apt-get install -y {packages} && rm -rf /var/lib/apt/lists/*\n" if packages else ""
    command = json.dumps(list(project.entry.argv)) if project.entry else '["python"]'
    return f"FROM python:{project.python.version}-slim\nWORKDIR /app\n{apt}COPY . .\nRUN {install}\nCMD {command}\n"


def build(backend, root: Path, overlay: dict[str, str], dockerfile_path: str):
    from dockerfix.analyse.dockerfile import parse_dockerfile

    dockerfile = parse_dockerfile(dockerfile_path, overlay[dockerfile_path])
    result = backend.build(root, overlay, dockerfile, tag=new_tag(root), labels={MANAGED_LABEL: "1"}, no_cache=True)
    size = engine_client().images.get(result.image).attrs["Size"] if result.ok else None
    backend.cleanup(result)
    return result, size


def measure(name: str) -> dict:
    backend = SdkBackend()
    with tempfile.TemporaryDirectory(prefix="dockerfix-bench-") as scratch:
        root = Path(scratch) / name
        shutil.copytree(FIXTURES / name, root)
        timings = []
        for _ in range(ANALYSIS_RUNS):
            started = time.perf_counter()
            project = analyse(root)
            files = rewrite_files(project)
            timings.append(time.perf_counter() - started)
        rewritten, rewritten_size = build(backend, root, files, "Dockerfile")
        naive, naive_size = build(backend, root, {"Dockerfile": naive_dockerfile(project)}, "Dockerfile")
    return {
        "fixture": name, "manager": project.manager, "python": project.python.version,
        "analysis_seconds_median": round(statistics.median(timings), 3),
        "rewrite_build_ok": rewritten.ok, "rewrite_build_seconds": round(rewritten.seconds, 1),
        "rewrite_image_bytes": rewritten_size,
        "naive_build_ok": naive.ok, "naive_build_seconds": round(naive.seconds, 1), "naive_image_bytes": naive_size,
    }


def mb(size: int | None) -> str:
    return f"{size / 1e6:.0f} MB" if size else "failed"


def main(names: list[str]) -> None:
    rows = [measure(name) for name in (names or sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))]
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {"date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {platform.system()}",
            "engine": engine_client().version().get("Version"), "cache": "none (--no-cache builds)"}
    (RESULTS / "rewrite.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
    lines = [f"# Rewrite benchmark ({meta['date']}, Docker {meta['engine']}, builds without cache)", "",
             "| fixture | manager | Python | analysis (median of 5) | rewrite build | rewrite image | naive build | naive image |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['fixture']} | {r['manager']} | {r['python']} | {r['analysis_seconds_median'] * 1000:.0f} ms | "
                     f"{r['rewrite_build_seconds']} s | {mb(r['rewrite_image_bytes'])} | {r['naive_build_seconds']} s | "
                     f"{mb(r['naive_image_bytes'])} |")
    (RESULTS / "rewrite.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
