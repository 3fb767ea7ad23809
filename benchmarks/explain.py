"""Benchmark: `dockerfix explain` over real broken-build logs labelled by hand (benchmarks/explain/labels.toml).

The logs are not in this repository: each label names a public repository, a commit and a path, and this script
reads them from a git snapshot of that repository (`--data owner/name=GIT_DIR`, or the DOCKERFIX_EXPLAIN_DATA
directory holding `owner+name/repo`, else a `git clone --bare` into benchmarks/.cache/). Each log is explained
with the Dockerfile that was built beside it, in a scratch project, as a user would run `dockerfix explain
build.log` in their checkout. Per split (dev: rules were written looking at these; test: labelled, never tuned
to) it reports:
  diagnosed  explain names a rule;
  correct    the first rule named is the label's (for "none" labels: explain names no rule);
  actionable correct, and the diagnosis carries a fix repair applies or a suggestion naming the change.
Writes benchmarks/results/explain.md and explain.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dockerfix.analyse import analyse  # noqa: E402  (after the path: run from a checkout)
from dockerfix.model import Context  # noqa: E402
from dockerfix.diagnose import diagnose  # noqa: E402
from dockerfix.errors import InputError  # noqa: E402
from dockerfix.report.explain import diagnoses  # noqa: E402

LABELS = ROOT / "benchmarks" / "explain" / "labels.toml"
RESULTS = ROOT / "benchmarks" / "results"
CACHE = ROOT / "benchmarks" / ".cache"


def git_dir(repo: str, given: dict[str, str]) -> Path:
    if repo in given:
        return Path(given[repo])
    for base in filter(None, (os.environ.get("DOCKERFIX_EXPLAIN_DATA"), str(CACHE))):
        candidate = Path(base) / repo.replace("/", "+") / "repo"
        if candidate.is_dir():
            return candidate
    target = CACHE / repo.replace("/", "+") / "repo"
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "clone", "--bare", "--quiet", f"https://github.com/{repo}", str(target)], check=True)
    return target


def blob(gd: Path, commit: str, path: str) -> str:
    done = subprocess.run(["git", "--git-dir", str(gd), "show", f"{commit}:{path}"], capture_output=True, check=True)
    return done.stdout.decode(errors="replace")


def explain_one(label: dict, gd: Path, scratch: Path) -> dict:
    log = blob(gd, label["commit"], label["path"])
    project = scratch / label["id"]
    project.mkdir()
    dockerfile = project / "Dockerfile"
    dockerfile.write_text(blob(gd, label["commit"], label["dockerfile"]))
    try:
        analysed = analyse(project)
    except InputError:  # a Dockerfile this parser refuses: explain the log alone (the rules fall back to its words)
        dockerfile.unlink()
        (project / "requirements.txt").write_text("")
        analysed = analyse(project)
    context = Context(root=project, files={}, project=analysed)
    found = diagnoses(context, diagnose(context, log), log)
    named = found[0]["rule"] if found else "none"
    actionable = bool(found) and bool(found[0]["fix"] or found[0]["suggestion"])
    return {"id": label["id"], "split": label["split"], "label": label["rule"], "cause": label["cause"], "named": named,
            "also": [f["rule"] for f in found[1:]], "diagnosed": bool(found), "correct": named == label["rule"],
            "actionable": named == label["rule"] and (label["rule"] == "none" or actionable)}


def shares(rows: list[dict]) -> dict:
    knowable = [r for r in rows if r["label"] != "none"]
    def share(items: list[dict], key: str) -> float:
        return round(sum(r[key] for r in items) / len(items), 3) if items else 0.0
    return {"logs": len(rows), "knowable": len(knowable), "diagnosed": share(rows, "diagnosed"),
            "correct": share(rows, "correct"), "correct_knowable": share(knowable, "correct"),
            "actionable": share(rows, "actionable"), "actionable_knowable": share(knowable, "actionable")}


def markdown(summary: dict, rows: list[dict]) -> str:
    lines = ["# `dockerfix explain` on real broken-build logs", "",
             "Made by `nox -s explain-bench` (benchmarks/explain.py) from the hand labels in benchmarks/explain/labels.toml.",
             "The dev split is what the rules were written from; the test split was labelled but not tuned to.",
             "*diagnosed*: a rule is named; *correct*: the first rule named is the label's (for a log whose cause is",
             "not knowable, no rule); *actionable*: correct and with a fix or a suggestion naming the change.", "",
             "| split | logs | knowable | diagnosed | correct | correct (knowable) | actionable | actionable (knowable) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for split, s in summary.items():
        lines.append(f"| {split} | {s['logs']} | {s['knowable']} | {s['diagnosed']:.0%} | {s['correct']:.0%} | "
                     f"{s['correct_knowable']:.0%} | {s['actionable']:.0%} | {s['actionable_knowable']:.0%} |")
    lines += ["", "## Per label (all splits)", "", "| label | logs | correct | named instead |", "|---|---:|---:|---|"]
    for label, count in Counter(r["label"] for r in rows).most_common():
        mine = [r for r in rows if r["label"] == label]
        instead = Counter(r["named"] for r in mine if not r["correct"])
        lines.append(f"| {label} | {count} | {sum(r['correct'] for r in mine)} | "
                     f"{', '.join(f'{k} ×{v}' for k, v in instead.most_common()) or '-'} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", action="append", default=[], help="owner/name=GIT_DIR of a snapshot to read")
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all")
    args = parser.parse_args()
    given = dict(item.split("=", 1) for item in args.data)
    labels = tomllib.loads(LABELS.read_text())["log"]
    labels = [label for label in labels if args.split in ("all", label["split"])]
    with tempfile.TemporaryDirectory(prefix="dockerfix-explain-") as scratch:
        rows = [explain_one(label, git_dir(label["repo"], given), Path(scratch)) for label in labels]
    summary = {split: shares([r for r in rows if r["split"] == split]) for split in ("dev", "test") if
               any(r["split"] == split for r in rows)} | {"all": shares(rows)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "explain.json").write_text(json.dumps({"summary": summary, "logs": rows}, indent=1) + "\n")
    (RESULTS / "explain.md").write_text(markdown(summary, rows))
    print(markdown(summary, rows))


if __name__ == "__main__":
    main()
