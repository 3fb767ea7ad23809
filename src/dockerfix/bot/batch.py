"""`dockerfix batch`: repair many repositories, N at a time, over one Docker engine or several.

Each entry of the list is a local checkout or a clone URL (cloned shallow into the work directory, refreshed on
later runs). Repairs run in threads, since their builds run in the engine; the i-th repository goes to the
(i mod n)-th engine, and `use_engine` keeps that repair's builds, verification and cleanup on it. Concurrent
repairs do not collide: every build has its own tag (`build.new_tag`: a uuid), verification containers are
created without names, a repair reads only its own repository (and writes there only with `write`), and each
writes only its own report files, named after the repository (names made unique within the batch).
"""

from __future__ import annotations

import re
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from dockerfix.bot.git import run_git
from dockerfix.build.engine import engine_client, use_engine
from dockerfix.errors import DockerfixError, InputError
from dockerfix.model import Event, RepairResult
from dockerfix.repair import Options, repair
from dockerfix.report import redact, redact_json, to_json, to_markdown
from dockerfix.report.json import SCHEMA_VERSION
from dockerfix.workspace import atomic_write

BatchStatus = Literal["repaired", "ok", "failed", "error"]  # error: no repair result (bad input, engine, a bug)
SUMMARY_NAME = "summary"  # summary.md / summary.json beside the per-repository reports
_CLONE_URL = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://|[^/\s:]+@[^/\s:]+:)")  # scheme:// or user@host:path


@dataclass(frozen=True)
class Entry:
    source: str  # the list's line: a directory or a clone URL
    name: str  # unique within the batch: names the clone and the report files


@dataclass(frozen=True)
class BatchItem:
    entry: Entry
    host: str | None  # the engine it ran on (None: DOCKER_HOST)
    status: BatchStatus
    message: str
    seconds: float
    report: Path  # markdown
    json_report: Path
    result: RepairResult | None = None

    @property
    def builds(self) -> int:
        return len(self.result.builds) if self.result else 0

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.rule for s in self.result.steps)) if self.result else ()


def read_list(text: str) -> list[str]:
    """The entries of a list file: one directory or clone URL a line; blank lines and # comments are skipped."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def name_entries(sources: Sequence[str]) -> list[Entry]:
    taken = {SUMMARY_NAME}
    entries = []
    for source in sources:
        tail = re.split(r"[/:]", source.rstrip("/"))[-1].removesuffix(".git")
        base = re.sub(r"[^A-Za-z0-9._-]+", "-", tail).strip(".-") or "project"
        name, number = base, 1
        while name in taken:
            number += 1
            name = f"{base}-{number}"
        taken.add(name)
        entries.append(Entry(source, name))
    return entries


def run_batch(sources: Sequence[str], options: Options, *, out_dir: Path, jobs: int = 1,
              hosts: Sequence[str] = (), work_dir: Path | None = None, write: bool = False,
              progress: Callable[[str, Event], None] | None = None) -> list[BatchItem]:
    """Repair every entry, `jobs` at a time; reports go to `out_dir` as each repair ends, the summary at the end.

    The repositories' files are written only with `write` (`options.write` is not used: a batch reports by
    default). `progress(name, event)` receives each repair's progress events. Every engine in `hosts` must answer
    before anything starts (EngineUnavailable otherwise); without hosts, DOCKER_HOST's engine is used.
    """
    entries = name_entries(sources)
    engines: list[str | None] = [*dict.fromkeys(hosts)] or [None]
    for host in engines:
        engine_client(host)
    out_dir.mkdir(parents=True, exist_ok=True)
    checkouts = work_dir or out_dir / "checkouts"
    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="dockerfix-batch") as pool:
        futures = [pool.submit(_repair_one, entry, hosts[index % len(hosts)] if hosts else None,
                               replace(options, write=write), out_dir, checkouts, progress)
                   for index, entry in enumerate(entries)]
        try:
            items = [future.result() for future in futures]
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)  # queued repairs never start; running ones clean up
            raise
    atomic_write(out_dir / f"{SUMMARY_NAME}.md", summary_markdown(items))
    atomic_write(out_dir / f"{SUMMARY_NAME}.json", summary_json(items))
    return items


def _repair_one(entry: Entry, host: str | None, options: Options, out_dir: Path, checkouts: Path,
                progress: Callable[[str, Event], None] | None) -> BatchItem:
    started = time.monotonic()
    report, json_report = out_dir / f"{entry.name}.md", out_dir / f"{entry.name}.json"
    say = (lambda event: progress(entry.name, event)) if progress else None
    result: RepairResult | None = None
    try:
        path = _checkout(entry, checkouts)
        with use_engine(host):
            result = repair(path, replace(options, on_event=say))
        status: BatchStatus = result.status
        message, markdown, document = result.message, to_markdown(result), to_json(result)
    except DockerfixError as exc:
        status, message = "error", redact(str(exc))
        markdown, document = _error_reports(entry, message, "")
    except Exception as exc:  # noqa: BLE001 - a dockerfix bug in one repair must not stop the others
        status, message = "error", redact(f"internal error (a dockerfix bug): {type(exc).__name__}: {exc}")
        markdown, document = _error_reports(entry, message, redact(traceback.format_exc()))
    atomic_write(report, markdown)
    atomic_write(json_report, document)
    return BatchItem(entry, host, status, message, time.monotonic() - started, report, json_report, result)


def _checkout(entry: Entry, checkouts: Path) -> Path:
    local = Path(entry.source).expanduser()
    if local.is_dir():
        return local
    if not _CLONE_URL.match(entry.source):
        raise InputError(entry.source, None, "is neither a directory nor a clone URL")
    target = checkouts / entry.name
    if (target / ".git").exists():  # a clone from an earlier batch: bring it to the remote's HEAD, clean
        run_git(target, "fetch", "--quiet", "--depth", "1", "origin", "HEAD")
        run_git(target, "reset", "--quiet", "--hard", "FETCH_HEAD")
        run_git(target, "clean", "--quiet", "-fdx")
    else:
        checkouts.mkdir(parents=True, exist_ok=True)
        run_git(checkouts, "clone", "--quiet", "--depth", "1", "--", entry.source, str(target))
    return target


def _error_reports(entry: Entry, message: str, trace: str) -> tuple[str, str]:
    markdown = f"# dockerfix: error\n\nRepository `{entry.source}`: {message}\n"
    if trace:
        markdown += f"\n```\n{trace.rstrip()}\n```\n"
    document = {"schema_version": SCHEMA_VERSION, "status": "error", "project": entry.source, "message": message}
    return redact(markdown), redact_json(document) + "\n"


def summary_markdown(items: Sequence[BatchItem]) -> str:
    counts = {s: sum(i.status == s for i in items) for s in ("repaired", "ok", "failed", "error")}
    lines = [f"# dockerfix batch: {len(items)} repositories",
             "", ", ".join(f"{n} {s}" for s, n in counts.items()), "",
             "| repository | engine | status | builds | time | rules | report |", "|---|---|---|---|---|---|---|"]
    for item in items:
        status = item.status + (f": {item.message}" if item.message and item.status != "repaired" else "")
        lines.append(f"| {item.entry.name} | {item.host or 'default'} | {status.replace('|', '/')} | {item.builds} "
                     f"| {item.seconds:.0f} s | {', '.join(item.rules)} | {item.report.name} |")
    return redact("\n".join(lines) + "\n")


def summary_json(items: Sequence[BatchItem]) -> str:
    rows = [{"repository": i.entry.source, "name": i.entry.name, "engine": i.host, "status": i.status,
             "message": i.message, "builds": i.builds, "seconds": round(i.seconds, 1), "rules": list(i.rules),
             "report": i.report.name, "json_report": i.json_report.name} for i in items]
    return redact_json({"schema_version": SCHEMA_VERSION, "repositories": rows}) + "\n"
