"""The real-world benchmark: public Python applications, their own Dockerfiles, repaired with each strategy.

For each project of `benchmarks/realworld/projects.toml` (chosen by the rule in its README): export the pinned
commit from the local mirror (bare git dirs named OWNER+NAME, as the search tool's `fetch` makes them) into a
clean one-commit tree under /tmp; build the original as it is with dockerfix's backend; run
`dockerfix repair --dry-run --json` with each strategy (auto, the default, minimal, rewrite); classify what the engine cannot serve (a base image
that is not on it, a download outside PyPI/Debian) as environment-blocked. Writes
benchmarks/results/realworld.json and realworld.md; rows of projects not measured in this run are kept.

    python benchmarks/realworld.py [--split dev|held-out|all] [--only OWNER/NAME ...] [--jobs N] [--mirrors DIR]
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import tomllib
from docker.errors import DockerException

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dockerfix.analyse import analyse  # noqa: E402
from dockerfix.analyse.dockerfile import parse_dockerfile  # noqa: E402
from dockerfix.verify import verify  # noqa: E402
from dockerfix.build import MANAGED_LABEL, BuildResult, get_backend, new_tag  # noqa: E402
from dockerfix.build.engine import engine_client  # noqa: E402

PROJECTS = ROOT / "benchmarks" / "realworld" / "projects.toml"
RESULTS = ROOT / "benchmarks" / "results"
STRATEGIES = ("auto", "minimal", "rewrite")  # auto is the default of `dockerfix repair`: what a user gets
SPLITS = ("dev", "held-out")
# hosts a build here reaches (PyPI and Debian's archive); any other URL a Dockerfile fetches is unreachable
REACHABLE_HOSTS = re.compile(r"(^|\.)(pypi\.org|pythonhosted\.org|pypi\.python\.org|debian\.org)$")
URL = re.compile(r"https?://([A-Za-z0-9.-]+)[^\s\"'\\)]*")
# the engine's answer when a base image is neither local nor pullable (classic builder and BuildKit)
MISSING_IMAGE = re.compile(r"(?:pull access denied for|manifest for|failed to resolve source metadata for"
                           r"|repository does not exist[^:]*:|not found: manifest unknown[^:]*:)\s*([^\s,]+)", re.IGNORECASE)
ERROR_LINE = re.compile(r"error|E: |fatal|not found|No such file|denied|Traceback|exception", re.IGNORECASE)
TRACEBACK_FRAME = re.compile(r'File "([^"]+)", line (\d+), in (\S+)')
MISSING_BLOB_MIB = 4
_print_lock = threading.Lock()


def say(line: str) -> None:
    with _print_lock:
        print(line, flush=True)


def held_out(name: str) -> bool:
    """The rule that keeps a third aside, by name, never by looking at the project."""
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) % 3 == 0


def load_projects() -> list[dict]:
    projects = tomllib.loads(PROJECTS.read_text())["project"]
    for project in projects:
        expected = "held-out" if held_out(project["name"]) else "dev"
        if project["split"] != expected:
            raise SystemExit(f"{PROJECTS}: {project['name']} has split {project['split']!r}, the rule says {expected!r}")
    return projects


# --- the project's tree ------------------------------------------------------------------------------

def git(*args: str, cwd: Path | None = None, env: dict | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def export(git_dir: Path, commit: str, dest: Path) -> int:
    """The commit's files at `dest` as one clean commit (a temporary index: `git archive` would honour
    export-ignore); returns how many files the snapshot left out (blobs of 4 MiB or more)."""
    index = dest.parent / f"{dest.name}.index"
    env = {"GIT_INDEX_FILE": str(index), "PATH": "/usr/bin:/bin"}
    dest.mkdir(parents=True)
    git("--git-dir", str(git_dir), "--work-tree", str(dest), "read-tree", commit, env=env)
    missing = 0
    try:
        git("--git-dir", str(git_dir), "--work-tree", str(dest), "checkout-index", "-a", "-f", env=env)
    except subprocess.CalledProcessError as exc:  # absent blobs: check out what is there, count the rest
        missing = exc.stderr.count("unable to read sha1 file") or exc.stderr.count("\n")
    index.unlink(missing_ok=True)
    git("init", "-q", cwd=dest)
    git("add", "-A", cwd=dest)
    git("-c", "user.name=realworld", "-c", "user.email=realworld@localhost", "commit", "-q", "--no-verify",
        "-m", f"{commit} as exported", cwd=dest)
    return missing


# --- what the engine cannot serve --------------------------------------------------------------------

def instructions(text: str) -> list[tuple[str, str]]:
    """(keyword, rest) of each instruction, continuation lines joined; comments dropped."""
    joined, current = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        joined.append(current + line)
        current = ""
    if current:
        joined.append(current)
    return [(words[0].upper(), words[1] if len(words) > 1 else "") for words in (j.split(None, 1) for j in joined)]


def substitute(value: str, args: dict[str, str]) -> str:
    return re.sub(r"\$\{?(\w+)(?::?-([^}]*))?\}?", lambda m: args.get(m.group(1)) or m.group(2) or m.group(0), value)


def blocked_by(text: str, engine_images: set[str] | None) -> dict:
    """Base images that are not on the engine and URLs outside PyPI/Debian that the Dockerfile fetches."""
    args: dict[str, str] = {}
    stages: set[str] = set()
    images: list[str] = []
    urls: list[str] = []
    for keyword, rest in instructions(text):
        if keyword == "ARG" and "=" in rest:
            name, _, default = rest.partition("=")
            args.setdefault(name.strip(), default.strip().strip("\"'"))
        elif keyword == "FROM":
            words = [w for w in rest.split() if not w.startswith("--")]
            if words:
                image = substitute(words[0], args)
                if image.lower() not in stages and image != "scratch":
                    images.append(image)
                if len(words) >= 3 and words[1].upper() == "AS":
                    stages.add(words[2].lower())
        elif keyword in ("COPY", "RUN") and (match := re.search(r"--from=(\S+)", rest)):
            source = substitute(match.group(1), args)
            if source.lower() not in stages and not source.isdigit():
                images.append(source)
        if keyword in ("RUN", "ADD"):
            urls += [m.group(0) for m in URL.finditer(rest) if not REACHABLE_HOSTS.search(m.group(1))
                     and m.group(1) not in ("localhost", "127.0.0.1", "0.0.0.0")]
    missing = [i for i in dict.fromkeys(images) if engine_images is not None and not has_image(i, engine_images)]
    return {"images": missing, "urls": list(dict.fromkeys(urls))}


def has_image(name: str, engine_images: set[str]) -> bool:
    name = re.sub(r"^(docker\.io/)?(library/)?", "", name)
    return (name if ":" in name.rsplit("/", 1)[-1] or "@" in name else f"{name}:latest") in engine_images


def local_images() -> set[str]:
    # the low-level list carries the tags: the high-level one inspects each image, racing other builds' cleanup
    tags = {tag for image in engine_client().api.images() for tag in image.get("RepoTags") or ()}
    return {re.sub(r"^(docker\.io/)?(library/)?", "", t) for t in tags}


# --- the original build ------------------------------------------------------------------------------

def needs_buildkit(text: str) -> bool:
    return bool(re.search(r"^\s*RUN\s+(?:--\S+\s+)*--mount=|<<-?\s*['\"]?\w+['\"]?\s*$", text, re.MULTILINE))


def first_error_lines(result: BuildResult, count: int = 5) -> list[str]:
    lines = result.log.splitlines()
    start = 0
    if result.failed:  # the lines the failing step printed
        for number, line in enumerate(lines):
            if result.failed.text and result.failed.text[:60] in line:
                start = number + 1
    found = [line for line in lines[start:] if ERROR_LINE.search(line)]
    return [line[:300] for line in (found or lines[-count:])[:count]] + ([result.error[:300]] if result.error else [])


def build_original(context: Path, dockerfile: str, timeout: float) -> dict:
    text = (context / dockerfile).read_text(errors="replace")
    try:
        info = parse_dockerfile(dockerfile, text)
    except Exception as exc:  # noqa: BLE001 - a Dockerfile dockerfix cannot read is a result, not a stop
        return {"ok": False, "parsed": False, "error": f"{type(exc).__name__}: {exc}"[:400]}
    backend = get_backend("buildkit" if needs_buildkit(text) else "sdk")
    result = backend.build(context, {}, info, tag=new_tag(context), labels={MANAGED_LABEL: "1"}, timeout=timeout)
    row: dict = {"ok": result.ok, "backend": result.backend, "seconds": round(result.seconds, 1)}
    try:
        if result.ok and result.image:
            row["image_bytes"] = engine_client().images.get(result.image).attrs["Size"]
            # working = builds and verifies, as repair judges it: only such a build must be left alone
            try:
                checked = verify(analyse(context, dockerfile=dockerfile), result.image)
                row["verified"] = checked.passed
                row["failed_checks"] = [f"{c.name}: {c.detail}"[:200] for c in checked.failed()]
            except Exception as exc:  # noqa: BLE001 - an original dockerfix cannot analyse or verify is a result
                row["verified"], row["verify_error"] = False, f"{type(exc).__name__}: {exc}"[:300]
        else:
            row["failed_instruction"] = result.failed.text[:200] if result.failed else None
            row["error_lines"] = first_error_lines(result)
            row["missing_images"] = sorted({m.group(1).rstrip(":") for m in MISSING_IMAGE.finditer(result.log + "\n" + result.error)})
    finally:
        backend.cleanup(result)
    return row


# --- the repairs ---------------------------------------------------------------------------------------

def diff_lines(diff: str) -> int:
    return sum(1 for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---")))


def crash_frame(stderr: str) -> str | None:
    """The innermost frame of dockerfix's traceback and the exception line."""
    frames = TRACEBACK_FRAME.findall(stderr)
    if not frames:
        return None
    path, line, function = frames[-1]
    last = next((x for x in reversed(stderr.strip().splitlines()) if x.strip()), "")
    return f"{path.split('/src/', 1)[-1]}:{line} in {function}: {last.strip()[:300]}"


def run_repair(context: Path, dockerfile: str, strategy: str, timeout: float, original_bytes: int | None,
               blocked: dict) -> dict:
    with tempfile.TemporaryDirectory(prefix="dockerfix-realworld-json-") as scratch:
        report = Path(scratch) / "report.json"
        command = [sys.executable, "-m", "dockerfix", "repair", str(context), "--dry-run", "--quiet",
                   "--strategy", strategy, "--dockerfile", dockerfile, "--json", str(report),
                   "--timeout", str(int(3 * timeout))]
        started = time.monotonic()
        try:
            done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=3 * timeout + 300)
            exit_code, stdout, stderr = done.returncode, done.stdout, done.stderr
        except subprocess.TimeoutExpired as exc:
            exit_code, stdout, stderr = None, str(exc.stdout or ""), str(exc.stderr or "")
        wall = round(time.monotonic() - started, 1)
        data = json.loads(report.read_text()) if report.exists() and report.stat().st_size else None
    row: dict = {"exit_code": exit_code, "wall_seconds": wall}
    if exit_code == 4 or (data is None and exit_code not in (0, 1)):
        row["crash"] = crash_frame(stderr)
        row["stderr_tail"] = stderr.strip().splitlines()[-6:] if stderr.strip() else stdout.strip().splitlines()[-6:]
    if data is None:
        row["status"] = "timeout" if exit_code is None else "no report"
        return row
    size = data["image"].get("size_bytes")
    checks = data["verification"]["checks"]
    said = " ".join([data.get("message", ""), *data.get("unknown", []),
                     *(json.dumps(item) for item in [*data.get("findings", []), *data.get("steps", [])])])
    row |= {"status": data["status"], "builds": len(data["builds"]), "seconds": data["seconds"],
            "image_bytes": size,
            "size_vs_original": round(size / original_bytes, 2) if size and original_bytes else None,
            "changed_files": data["changed_files"], "diff_lines": diff_lines(data.get("diff") or ""),
            "verified": data["verification"]["passed"],
            "failed_checks": [f"{c['name']}: {c['detail']}"[:200] for c in checks if not c["passed"]],
            "rules": sorted({s.get("rule") for s in data["steps"] if s.get("rule")}),
            "message": (data.get("message") or "")[:400],
            "unknown": [u[:200] for u in data.get("unknown", [])[:4]],
            "build_errors": [(b.get("failed_instruction") or "")[:160] + " :: " + (b.get("error") or "")[:200]
                             for b in data["builds"] if not b["ok"]][:3],
            "names_blocker": any(item and item in said for item in [*blocked["images"], *blocked["urls"]]),
            # what dockerfix itself said this engine cannot give the build (an image, a URL outside PyPI/Debian)
            "blocked_by": sorted({str(f["captures"].get("url") or f["captures"].get("image"))
                                  for f in data.get("findings", []) if data.get("blocked")
                                  and ((f.get("captures") or {}).get("url") or (f.get("captures") or {}).get("image"))})}
    return row


# --- one project -------------------------------------------------------------------------------------

def sweep(slug_token: str) -> None:
    """Remove images left by a dockerfix run that did not clean up (a crash): ours carry the token in their tag."""
    client = engine_client()
    try:
        for image in client.images.list(filters={"label": MANAGED_LABEL}):
            for tag in image.tags:
                if slug_token in tag:
                    client.images.remove(tag, force=True)
    except DockerException:
        pass


def measure(project: dict, mirrors: Path, strategies: tuple[str, ...], timeout: float,
            engine_images: set[str]) -> dict:
    name = project["name"]
    row: dict = {key: project.get(key) for key in ("name", "commit", "dockerfile", "manager", "layout", "location",
                                                    "compose", "kind", "split")}
    row["context"] = project.get("context", ".")
    git_dir = mirrors / name.replace("/", "+") / "repo"
    if not git_dir.is_dir():
        git_dir = mirrors / name.replace("/", "+")
    try:
        git("--git-dir", str(git_dir), "cat-file", "-e", f"{project['commit']}^{{commit}}")
    except (subprocess.CalledProcessError, FileNotFoundError):
        return row | {"outcome": "not fetched"}
    token = uuid.uuid4().hex[:8]
    scratch = Path(tempfile.mkdtemp(prefix="dockerfix-realworld-"))
    try:
        tree = scratch / f"rw-{re.sub(r'[^a-z0-9]+', '-', name.lower())}-{token}"
        row["missing_blobs"] = export(git_dir, project["commit"], tree)
        context = tree / row["context"]
        dockerfile = str((tree / project["dockerfile"]).relative_to(context))
        text = (context / dockerfile).read_text(errors="replace")
        row["blocked"] = blocked_by(text, engine_images)
        say(f"{name}: building the original ({dockerfile})")
        row["original"] = build_original(context, dockerfile, timeout)
        row["blocked"]["images"] = sorted(set(row["blocked"]["images"]) | set(row["original"].get("missing_images", [])))
        row["environment_blocked"] = bool(row["blocked"]["images"] or (row["blocked"]["urls"] and not row["original"]["ok"]))
        for strategy in strategies:
            say(f"{name}: repair --strategy {strategy}")
            row[strategy] = run_repair(context, dockerfile, strategy, timeout, row["original"].get("image_bytes"),
                                       row["blocked"])
            sweep(token)
            say(f"{name}: {strategy} -> {row[strategy].get('status')} (exit {row[strategy]['exit_code']}, "
                f"{row[strategy].get('builds')} builds, {row[strategy]['wall_seconds']} s)")
            # what a repair that ended blocked named and the Dockerfile does not: a download a script it runs fetches,
            # or the image a fix needs (python:3.7 for a lock made on 3.7) when no other strategy got through
            named = row[strategy].get("blocked_by", [])
            if named and not row["original"]["ok"]:
                row["blocked"]["urls"] = sorted(set(row["blocked"]["urls"]) | {b for b in named if "://" in b})
                row["blocked"]["images"] = sorted(set(row["blocked"]["images"]) | {b for b in named if "://" not in b})
                row["environment_blocked"] = True
        row["outcome"] = "measured"
    except Exception as exc:  # noqa: BLE001 - the benchmark goes on with the other projects
        row |= {"outcome": "benchmark error", "error": f"{type(exc).__name__}: {exc}"[:400]}
    finally:
        sweep(token)
        shutil.rmtree(scratch, ignore_errors=True)
    row["measured_at"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return row


# --- the summary -----------------------------------------------------------------------------------------

def summary(rows: list[dict], strategy: str) -> dict:
    measured = [r for r in rows if r.get("outcome") == "measured" and strategy in r]
    open_ = [r for r in measured if not r["environment_blocked"]]
    verified = [r for r in open_ if r[strategy].get("status") in ("ok", "repaired") and r[strategy].get("exit_code") == 0]
    # working: the original builds and verifies (a row measured before originals were verified counts its build)
    working = [r for r in open_ if r["original"].get("ok") and r["original"].get("verified", True)]
    worse = [r for r in working if r[strategy].get("status") not in ("ok", "repaired")]
    rewritten = [r for r in working if r[strategy].get("status") == "repaired"]
    built_unverified = [r for r in open_ if r["original"].get("ok") and r["original"].get("verified") is False]
    builds = [r[strategy]["builds"] for r in open_ if r[strategy].get("builds") is not None]
    # a blocked original whose repair moved to a base the engine has and verified (not counted in the share)
    blocked_verified = [r for r in measured if r["environment_blocked"] and r[strategy].get("status") in ("ok", "repaired")]
    return {"measured": len(measured), "blocked": len(measured) - len(open_), "open": len(open_),
            "verified": len(verified), "verified_share": round(len(verified) / len(open_), 2) if open_ else None,
            "working_originals": len(working), "made_worse": len(worse), "working_rewritten": len(rewritten),
            "built_unverified": len(built_unverified),
            "built_unverified_fixed": sum(1 for r in built_unverified if r[strategy].get("status") in ("ok", "repaired")),
            "crashes": sum(1 for r in measured if r[strategy].get("exit_code") == 4),
            "crashes_open": sum(1 for r in open_ if r[strategy].get("exit_code") == 4),
            "median_builds": statistics.median(builds) if builds else None, "blocked_verified": len(blocked_verified)}


def summary_line(s: dict) -> str:
    share = f"{s['verified']}/{s['open']}" + (f" ({s['verified_share']:.0%})" if s["open"] else "")
    return (f"verified image {share} of non-blocked; working builds made worse {s['made_worse']}/{s['working_originals']}"
            f" (rewritten although working: {s['working_rewritten']}); built but failing verification"
            f" {s.get('built_unverified', 0)} (repaired: {s.get('built_unverified_fixed', 0)}); crashes {s['crashes']}"
            f"; median builds {s['median_builds']}; environment-blocked {s['blocked']}"
            f" (of which repaired onto another base anyway: {s['blocked_verified']})")


def mib(size: int | None) -> str:
    return f"{size / 2**20:.0f}" if size else "–"


def cell(repair: dict | None, original_ok: bool) -> str:
    if not repair:
        return "–"
    if repair.get("exit_code") == 4:
        return "**crash**"
    status = repair.get("status", "?")
    mark = " ⚠" if original_ok and status not in ("ok", "repaired") else ""
    return f"{status}{mark} ({repair.get('builds', '–')} b, {repair.get('wall_seconds')} s)"


def write_results(rows: list[dict], meta: dict, strategies: tuple[str, ...]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    # rows kept from earlier runs may hold other strategies: each one measured anywhere gets its column
    strategies = tuple(s for s in STRATEGIES if s in strategies or any(s in r for r in rows))
    summaries = {split: {s: summary([r for r in rows if r["split"] == split], s) for s in strategies}
                 for split in SPLITS}
    (RESULTS / "realworld.json").write_text(json.dumps({"meta": meta, "summary": summaries, "projects": rows},
                                                       indent=2, default=str) + "\n")
    out = ["# Real-world benchmark", "",
           "Generated by `benchmarks/realworld.py` (list: `benchmarks/realworld/projects.toml`, rule: its README).",
           (f"Last run: {meta['date']}, dockerfix commit `{meta['dockerfix_commit']}`, split `{meta['split']}`, "
            f"jobs {meta['jobs']}."), ""]
    if meta.get("partial"):
        out += [f"**PARTIAL**: {meta['partial']}", ""]
    out += ["## Summary", ""]
    for split in SPLITS:
        for strategy in strategies:
            s = summaries[split][strategy]
            if s["measured"]:
                out.append(f"- **{split}, {strategy}** ({s['measured']} measured): {summary_line(s)}")
    out += ["", "## Projects", "",
            "b = builds; ⚠ = the original built but the repair did not end with a verified image.", "",
            f"| project | split | manager | layout | original | {' | '.join(strategies)} | size {'/'.join(strategies)} vs orig"
            " | environment-blocked |",
            "|---|---|---|---|---|" + "---|" * len(strategies) + "---|---|"]
    for r in sorted(rows, key=lambda r: (r["split"], r["name"].lower())):
        if r.get("outcome") != "measured":
            out.append(f"| {r['name']} | {r['split']} | {r['manager']} | {r['layout']}/{r['location']} | "
                       f"{r.get('outcome')} {r.get('error', '')} |" + " |" * len(strategies) + " | |")
            continue
        original = r["original"]
        verified = {True: "ok", False: "built, not verified", None: "built"}[original.get("verified")]
        orig = (f"{verified} ({original['seconds']} s, {mib(original.get('image_bytes'))} MiB)" if original.get("ok")
                else "unparsed" if original.get("parsed") is False else f"failed ({original.get('seconds')} s)")
        sizes = "/".join(str(r.get(s, {}).get("size_vs_original") or "–") for s in strategies)
        blocked = ", ".join([*r["blocked"]["images"], *r["blocked"]["urls"][:2]]) if r["environment_blocked"] else ""
        out.append(f"| {r['name']} | {r['split']} | {r['manager']} | {r['layout']}/{r['location']} | {orig} | "
                   + " | ".join(cell(r.get(s), bool(original.get("ok"))) for s in strategies)
                   + f" | {sizes} | {blocked} |")
    out += ["", "## Details", ""]
    for r in sorted(rows, key=lambda r: (r["split"], r["name"].lower())):
        if r.get("outcome") != "measured":
            continue
        out.append(f"### {r['name']} @ `{r['commit'][:12]}` — `{r['dockerfile']}` (context `{r['context']}`)")
        out.append(f"- measured {r.get('measured_at')} on dockerfix `{r.get('dockerfix_commit', 'unrecorded')}`")
        original = r["original"]
        if original.get("failed_checks"):
            out.append(f"- original built; its verification failed: {'; '.join(original['failed_checks'])[:400]}")
        if not original.get("ok"):
            out.append(f"- original: `{original.get('failed_instruction') or original.get('error')}`")
            out += [f"  - `{line}`" for line in original.get("error_lines", [])[:5]]
        if r.get("missing_blobs"):
            out.append(f"- {r['missing_blobs']} file(s) missing from the snapshot (blobs >= {MISSING_BLOB_MIB} MiB)")
        for strategy in (s for s in strategies if s in r):
            rep = r[strategy]
            line = (f"- {strategy}: {rep.get('status')} exit {rep.get('exit_code')}, builds {rep.get('builds')}, "
                    f"verified {rep.get('verified')}, changed {rep.get('changed_files')} ({rep.get('diff_lines')} diff lines)")
            if rep.get("rules"):
                line += f", rules {', '.join(rep['rules'])}"
            out.append(line)
            if rep.get("crash"):
                out.append(f"  - crash: `{rep['crash']}`")
            if rep.get("message"):
                out.append(f"  - message: {rep['message'].replace(chr(10), ' ')[:300]}")
            if rep.get("failed_checks"):
                out.append(f"  - failed checks: {', '.join(map(str, rep['failed_checks']))}")
            out += [f"  - build error: `{e.replace(chr(10), ' ')}`" for e in rep.get("build_errors", [])[:2]]
            if r["environment_blocked"]:
                out.append(f"  - names what was unreachable: {rep.get('names_blocker')}")
        out.append("")
    (RESULTS / "realworld.md").write_text("\n".join(out) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "held-out", "all"), default="dev")
    parser.add_argument("--only", action="append", default=[], metavar="OWNER/NAME")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    parser.add_argument("--build-timeout", type=float, default=900, help="seconds for one build (and one repair: 3x)")
    parser.add_argument("--render", action="store_true", help="only rewrite the results from the stored rows")
    args = parser.parse_args(argv)
    strategies = tuple(s for s in args.strategies.split(",") if s)
    projects = [p for p in load_projects() if (args.split == "all" or p["split"] == args.split)
                and (not args.only or p["name"] in args.only)]
    if args.only and len(projects) != len(args.only):
        known = {p["name"] for p in load_projects()}
        unknown = [n for n in args.only if n not in known]
        if unknown:
            raise SystemExit(f"not in {PROJECTS}: {', '.join(unknown)}")
    previous, stored_meta = {}, {}
    if (RESULTS / "realworld.json").exists():
        stored = json.loads((RESULTS / "realworld.json").read_text())
        previous, stored_meta = {r["name"]: r for r in stored["projects"]}, stored["meta"]
    if args.render:
        write_results(list(previous.values()), stored_meta, tuple(stored_meta.get("strategies", strategies)))
        return 0
    engine_images = local_images()
    rows: dict[str, dict] = dict(previous)
    lock = threading.Lock()
    meta = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "dockerfix_commit": git("rev-parse", "--short", "HEAD", cwd=ROOT).strip(), "split": args.split,
            "jobs": args.jobs, "strategies": list(strategies)}

    def one(project: dict) -> None:
        row = measure(project, args.mirrors, strategies, args.build_timeout, engine_images)
        with lock:
            rows[project["name"]] = row | {"dockerfix_commit": meta["dockerfix_commit"]}
            done = [p["name"] for p in projects if p["name"] in rows and rows[p["name"]].get("measured_at", "") >= meta["date"]]
            pending = [p["name"] for p in projects if p["name"] not in done]
            meta["partial"] = (f"{len(done)}/{len(projects)} of the requested projects measured in this run; "
                               f"not yet: {', '.join(pending)}") if pending else ""
            write_results(list(rows.values()), meta, strategies)

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        list(pool.map(one, projects))
    return 0


if __name__ == "__main__":
    sys.exit(main())
