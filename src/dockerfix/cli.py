"""The `dockerfix` command: parses options, calls the library, prints, and maps outcomes to exit codes.

Exit codes (README): 0 repaired/ok, 1 not repaired (or findings at error level), 2 bad input or usage,
3 no Docker engine, 4 internal error, 130 interrupted. Only this module prints or exits.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.console import Console
from rich.markup import escape

from dockerfix.version import __version__
from dockerfix.errors import DockerfixError, ExitCode, InputError
from dockerfix.model import BuildFinished, BuildOutput, CheckResult, Event
from dockerfix.report.redact import redact, redact_json
from dockerfix.workspace import atomic_write

if TYPE_CHECKING:
    from dockerfix.checks import Verification

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Repairs the Docker builds of Python projects: analyse, rewrite, build, diagnose, "
                       "transform, verify, report.")
# soft_wrap: messages, paths and log lines are printed whole (the terminal wraps them), never broken at 80
# columns where stderr is not a terminal: CI logs and scripts grep them
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

PathArgument = typer.Argument(Path("."), help="The project directory.")
STRATEGIES = ("auto", "minimal", "rewrite")
BACKENDS = ("auto", "sdk", "buildkit")
BACKEND_HELP = ("auto: BuildKit (the docker CLI) when the Dockerfile needs it (RUN --mount, heredocs, COPY --link/--chmod) "
                "or the engine builds with it by default (Docker >= 23, DOCKER_BUILDKIT=1), else the classic "
                "builder (Docker SDK); sdk or buildkit: that one.")
DockerfileOption = typer.Option(None, "--dockerfile", help="The Dockerfile, any path in the project (default: the one "
                                "compose builds, else ./Dockerfile, else the first in docker/, deploy/, ..., or a "
                                "first-level folder).")
ContextOption = typer.Option(None, "--context", help="The build context, a folder of the project (default: compose's "
                             "context for that Dockerfile, else the project root).")


def shown(event: Event) -> bool:
    """Whether an event is printed as a line: not a build's log line (the live status shows those), not a passed check."""
    return not isinstance(event, BuildOutput) and not (isinstance(event, CheckResult) and event.passed)


class Progress:
    """Live progress on a terminal (step, elapsed time, the last log line); the repair's events as lines, on a
    terminal or not: builds started and finished, verification, failed checks, rules applied or skipped, a change
    of strategy. A build's log lines (and passed checks) only update the live status."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.started = time.monotonic()
        self.status = err.status("starting") if err.is_terminal and not quiet else None
        if self.status:
            self.status.start()

    def __call__(self, event: Event) -> None:
        elapsed = f"{time.monotonic() - self.started:5.0f}s"
        line = redact(str(event))
        if shown(event) and not self.quiet:
            failed = (isinstance(event, BuildFinished) and not event.ok) or isinstance(event, CheckResult)
            text = escape(line)  # log text is not markup: `pkg[extra]` stays
            err.print(f"[dim]{elapsed}[/dim] " + (f"[red]{text}[/red]" if failed else text))
        if self.status:
            self.status.update(f"{elapsed}  {line.strip()[:110]}")

    def stop(self) -> None:
        if self.status:
            self.status.stop()


def _choice(value: str, choices: tuple[str, ...], option: str) -> None:
    if value not in choices:
        raise typer.BadParameter(" or ".join(choices), param_hint=option)


def _write_output(path: Optional[Path], text: str) -> None:
    if path is not None:
        atomic_write(path, text) if str(path) != "-" else out.print(text, markup=False)


@app.command()
def repair(
    path: Path = PathArgument,
    strategy: str = typer.Option("auto", help="auto: your Dockerfile as it is when it builds and verifies (ok, nothing "
                                              "written), else targeted edits of it, then the verified multi-stage layout "
                                              "when they run out; minimal: the same path, kept for scripts; rewrite: "
                                              "modernise: the layout first, back to targeted edits if it cannot be made to work."),
    max_builds: int = typer.Option(6, min=1, help="At most this many builds."),
    timeout: float = typer.Option(3600, help="Give up after this many seconds."),
    backend: str = typer.Option("auto", help=BACKEND_HELP),
    dockerfile: Optional[str] = DockerfileOption,
    build_context: str | None = ContextOption,
    dry_run: bool = typer.Option(False, "--dry-run", help="Do everything but write the files; print the diff."),
    force: bool = typer.Option(False, help="Write even over files with uncommitted changes."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Build without the engine's layer cache."),
    keep_image: bool = typer.Option(False, help="Keep the verified image (its tag is in the report)."),
    no_verify: bool = typer.Option(False, "--no-verify", help="Stop at a passing build."),
    probe: Optional[str] = typer.Option(None, "--probe", help="Verification also requests this HTTP path (\"/health\") from a server, inside its container."),
    cache_check: bool = typer.Option(False, "--cache-check", help="Verification also rebuilds with a source file touched: the dependency install must come from the cache (one more build)."),
    compile_bytecode: bool = typer.Option(False, "--compile-bytecode", help="The rewritten layout compiles the venv's bytecode in the builder: a faster first start, a larger image."),
    report: Optional[Path] = typer.Option(None, help="Write the markdown report here ('-' for stdout)."),
    json_path: Optional[Path] = typer.Option(None, "--json", help="Write the JSON report here ('-' for stdout)."),
    diff: Optional[Path] = typer.Option(None, help="Write the unified diff here ('-' for stdout)."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Build, diagnose and fix until the image builds and verifies; write the fixed files."""
    from dockerfix.repair import Options, repair as run_repair
    from dockerfix.report import to_json, to_markdown

    _choice(strategy, STRATEGIES, "--strategy")
    _choice(backend, BACKENDS, "--backend")
    progress = Progress(quiet)
    try:
        result = run_repair(path, Options(strategy=strategy, max_builds=max_builds, timeout=timeout, backend=backend,  # type: ignore[arg-type]
                                          dockerfile=dockerfile, context=build_context, write=not dry_run, force=force, no_cache=no_cache,
                                          keep_image=keep_image, verify=not no_verify, http_probe=probe,
                                          cache_check=cache_check, compile_bytecode=compile_bytecode, on_event=progress))
    finally:
        progress.stop()
    _write_output(report, to_markdown(result))
    _write_output(json_path, to_json(result))
    _write_output(diff, redact(result.diff))
    if dry_run and result.diff and diff is None:
        out.print(redact(result.diff), markup=False)
    builds = len(result.builds)
    summary = {"repaired": f"[green]repaired[/green] in {builds} build(s): " + ", ".join(result.changed_files),
               "ok": f"[green]ok[/green]: builds and verifies ({builds} build(s)), nothing to change",
               "failed": f"[red]not repaired[/red] after {builds} build(s): {result.message}"}[result.status]
    if result.blocked:  # the finding printed below names the image or URL
        summary = f"[yellow]environment-blocked[/yellow] after {builds} build(s): this engine cannot give the build what it needs"
    err.print(summary)
    if result.status != "ok" or result.strategy != "minimal":
        err.print(f"  strategy {result.strategy} (asked: {result.requested}): {redact(result.strategy_reason)}", markup=False)
    for finding in result.findings:  # with an image that verifies, only warnings remain
        err.print(f"  {finding.rule}: {redact(finding.message)}", markup=False)
    if result.status == "failed":
        for line in result.unknown:
            err.print(f"  | {redact(line)}", markup=False)
        raise typer.Exit(ExitCode.NOT_REPAIRED)


@app.command()
def rewrite(
    path: Path = PathArgument,
    dockerfile: Optional[str] = DockerfileOption,
    build_context: str | None = ContextOption,
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the diff; write nothing."),
    force: bool = typer.Option(False, help="Write even over files with uncommitted changes."),
    backend: str = typer.Option("auto", help="The backend that will build it: buildkit adds cache mounts. " + BACKEND_HELP),
    compile_bytecode: bool = typer.Option(False, "--compile-bytecode", help="Compile the venv's bytecode in the builder: a faster first start, a larger image."),
) -> None:
    """Write the verified multi-stage Dockerfile and .dockerignore (no build; `repair` also builds and verifies)."""
    from dockerfix.analyse import analyse
    from dockerfix.repair import plan_for_backend, rewrite_files
    from dockerfix.workspace import Workspace

    project = analyse(path, dockerfile=dockerfile, context=build_context)
    workspace = Workspace(Path(path).resolve())
    _choice(backend, BACKENDS, "--backend")
    build_plan = plan_for_backend(project, backend, compile_bytecode=compile_bytecode)
    workspace.apply(rewrite_files(project, build_plan))
    err.print(build_plan.runtime_reason, markup=False)
    for accounted in build_plan.accounting:  # what became of the original's instructions, on stderr beside the diff
        if accounted.outcome != "kept":
            err.print(f"{accounted.origin} {accounted.outcome}: {accounted.instruction} — {accounted.how}", markup=False)
    if dry_run:
        out.print(workspace.diff(), markup=False)
        return
    written = workspace.write(force=force)
    err.print("wrote " + (", ".join(written) if written else "nothing (already up to date)"))


@app.command()
def analyse(path: Path = PathArgument, dockerfile: Optional[str] = DockerfileOption,
            build_context: str | None = ContextOption) -> None:
    """Print what dockerfix knows about the project, as JSON."""
    from dataclasses import asdict

    from dockerfix.analyse import analyse as run_analyse

    project = run_analyse(path, dockerfile=dockerfile, context=build_context)
    data = asdict(project)
    data["root"] = str(project.root)
    # asdict keeps tuples as tuples: the Dockerfiles are dicts inside them, edited in place
    for dockerfile_info in (*data["dockerfiles"], *([data["dockerfile"]] if data["dockerfile"] else [])):
        dockerfile_info.pop("stages", None)
    out.print(redact_json(data, default=list), markup=False)


@app.command()
def check(
    path: Path = PathArgument,
    dockerfile: Optional[str] = DockerfileOption,
    build_context: str | None = ContextOption,
    output_format: str = typer.Option("text", "--format", help="text, json or sarif"),
) -> None:
    """Report the failures detectable without building; exit 1 when there are any."""
    from dockerfix.analyse import analyse as run_analyse
    from dockerfix.model import Context
    from dockerfix.diagnose import static_findings
    from dockerfix.report.json import location_fields
    from dockerfix.report.sarif import to_sarif
    from dockerfix.catalog import BY_ID

    project = run_analyse(path, dockerfile=dockerfile, context=build_context)
    findings = static_findings(Context(root=project.root, files={}, project=project))
    if output_format == "json":
        out.print(redact_json([{"rule": f.rule, "severity": BY_ID[f.rule].severity, "message": f.message,
                                **location_fields(f.location), "evidence": list(f.evidence)} for f in findings]),
                  markup=False)
    elif output_format == "sarif":
        out.print(redact_json(json.loads(to_sarif(findings))), markup=False)
    elif output_format == "text":
        for finding in findings:
            level = " (warning)" if BY_ID[finding.rule].severity == "warning" else ""
            out.print(f"{finding.location or project.dockerfile_path}: {finding.rule}{level} {redact(finding.message)}",
                      markup=False)
    else:
        raise typer.BadParameter("text, json or sarif", param_hint="--format")
    if any(BY_ID[f.rule].severity == "error" for f in findings):
        raise typer.Exit(ExitCode.NOT_REPAIRED)


@app.command()
def explain(
    log: str = typer.Argument(..., help="A saved build log, or - for standard input."),
    project: Path = typer.Option(Path("."), help="The project the log belongs to (for rules that read its files)."),
    dockerfile: Optional[str] = DockerfileOption,
    build_context: str | None = ContextOption,
    format: str = typer.Option("text", "--format", help="text, json (one object per diagnosis) or markdown."),
) -> None:
    """Diagnose a saved build log (classic, BuildKit, compose, CI), or the JSON of `dockerfix verify --json`: the
    rule, the evidence lines, the fix."""
    from dockerfix.analyse import analyse as run_analyse
    from dockerfix.catalog import BY_ID
    from dockerfix.model import Context
    from dockerfix.diagnose import diagnose, diagnose_verification
    from dockerfix.report import explain as explained

    if format not in ("text", "json", "markdown"):
        raise typer.BadParameter("choose text, json or markdown", param_hint="--format")
    text = sys.stdin.read() if log == "-" else _read_log(Path(log))
    context = Context(root=project.resolve(), files={}, project=run_analyse(project, dockerfile=dockerfile, context=build_context))
    verification = _saved_verification(text)
    diagnosis = diagnose_verification(context, verification) if verification else diagnose(context, text)
    if format != "text":
        out.print(explained.to_json(context, diagnosis, text) if format == "json"
                  else explained.to_markdown(context, diagnosis, text), markup=False)
    elif not diagnosis.known:
        out.print("unknown failure; the lines that matter:", markup=False)
        for line in diagnosis.relevant:
            out.print(f"  | {redact(line)}", markup=False)
    for finding in diagnosis.findings if format == "text" else ():
        rule = BY_ID[finding.rule]
        out.print(f"{rule.id} {rule.name}: {redact(finding.message)}", markup=False)
        for line in finding.evidence:
            out.print(f"  | {redact(line)}", markup=False)
        if finding.suggestion:
            out.print(f"  suggestion: {redact(finding.suggestion)}", markup=False)
        out.print("\n" + rule.explanation.strip() + "\n", markup=False)
    if not diagnosis.known:
        raise typer.Exit(ExitCode.NOT_REPAIRED)


def _saved_verification(text: str) -> Verification | None:
    """The verification a `dockerfix verify --json` file holds; None for any other text (a build log)."""
    from dockerfix.checks import Verification

    if not text.lstrip().startswith("{"):
        return None
    try:
        return Verification.from_json(json.loads(text))
    except (ValueError, KeyError, TypeError):
        return None


def _read_log(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError as exc:
        raise InputError(path, None, f"cannot be read: {exc.strerror}") from exc


@app.command()
def verify(
    path: Path = PathArgument,
    image: str = typer.Option(..., help="The image to verify."),
    dockerfile: Optional[str] = DockerfileOption,
    build_context: str | None = ContextOption,
    probe: Optional[str] = typer.Option(None, "--probe", help="Also request this HTTP path (\"/health\") from the server, inside its container."),
    cache_check: bool = typer.Option(False, "--cache-check", help="Also build the project twice, the second time with a source file touched: the dependency install must come from the cache."),
    backend: str = typer.Option("auto", help="The build backend of the cache check. " + BACKEND_HELP),
    json_path: Optional[Path] = typer.Option(None, "--json", help="Write the checks as JSON here ('-' for stdout)."),
) -> None:
    """Run the verification checks in an existing image."""
    from dockerfix.analyse import analyse as run_analyse
    from dockerfix.build import choose_backend, get_backend
    from dockerfix.verify import CacheProbe, verify as run_verify

    _choice(backend, BACKENDS, "--backend")
    project = run_analyse(path, dockerfile=dockerfile, context=build_context)
    cache = CacheProbe(project.root, {}, get_backend(choose_backend(backend, project.dockerfile)[0]), warm=True) \
        if cache_check and project.dockerfile else None
    verification = run_verify(project, image, http_path=probe, cache=cache)
    saved = verification.to_json()
    _write_output(json_path, redact_json({**saved, "image": {"tag": image, **saved["image"]}}))
    for item in verification.checks:
        out.print(f"{'PASS' if item.passed else 'FAIL'} {item.name}: {item.detail}", markup=False)
        if not item.passed and item.output:
            out.print(redact(item.output), markup=False)
    out.print(f"image {image}: {verification.image_size} bytes, {verification.layers} layers; "
              f"verified in {verification.seconds:.1f} s", markup=False)
    if not verification.passed:
        from dockerfix.model import Context
        from dockerfix.diagnose import diagnose_verification

        context = Context(root=project.root, files={}, project=project)
        for finding in diagnose_verification(context, verification).findings:
            out.print(f"{finding.rule}: {redact(finding.message)}", markup=False)
        raise typer.Exit(ExitCode.NOT_REPAIRED)


@app.command()
def rules(rule_id: Optional[str] = typer.Argument(None, help="Show this rule's documentation.")) -> None:
    """List the catalog, or document one rule."""
    from dockerfix.catalog import BY_ID, RULES

    if rule_id is None:
        for rule in RULES:
            out.print(f"{rule.id}  {rule.kind:<6} {rule.name:<36} {rule.summary}", markup=False)
        return
    shown = BY_ID.get(rule_id.upper())
    if shown is None:
        raise typer.BadParameter(f"no rule {rule_id}; `dockerfix rules` lists them", param_hint="RULE_ID")
    out.print(f"{shown.id} {shown.name} ({shown.kind}, fix: {shown.applicability if shown.fix else 'none'})\n", markup=False)
    out.print(shown.explanation.strip(), markup=False)
    if shown.seeds:
        out.print(f"\nSeeds: {', '.join(shown.seeds)}; corpus case: corpus/{shown.case}", markup=False)


@app.command()
def pr(
    path: Path = PathArgument,
    branch: str = typer.Option("dockerfix/repair", help="The branch the fix is committed on; later runs update it."),
    base: Optional[str] = typer.Option(None, help="The branch the pull request targets (default: the checked-out one)."),
    remote: str = typer.Option("origin", help="The git remote to push to; it names the GitHub repository."),
    repo: Optional[str] = typer.Option(None, help="owner/name on GitHub, when the remote URL does not say (a local path)."),
    api_url: str = typer.Option("https://api.github.com", help="GitHub's REST API (GitHub Enterprise: https://HOST/api/v3)."),
    label: list[str] = typer.Option([], "--label", help="A label for the pull request or issue (repeatable)."),
    on_failure: str = typer.Option("issue", help="When the repair fails: issue (open one with the diagnosis) or nothing."),
    strategy: str = typer.Option("minimal", help="minimal: targeted edits of your Dockerfile (the diff a reviewer "
                                                 "expects), the verified layout when they run out; rewrite: the layout "
                                                 "first; auto: as for repair."),
    max_builds: int = typer.Option(6, min=1, help="At most this many builds."),
    timeout: float = typer.Option(3600, help="Give up after this many seconds."),
    backend: str = typer.Option("auto", help=BACKEND_HELP),
    dockerfile: Optional[str] = DockerfileOption,
    build_context: str | None = ContextOption,
    dry_run: bool = typer.Option(False, "--dry-run", help="Repair, then show the commit, branch and pull request; "
                                                          "push and open nothing."),
    report: Optional[Path] = typer.Option(None, help="Write the markdown report here ('-' for stdout)."),
    json_path: Optional[Path] = typer.Option(None, "--json", help="Write the JSON report here ('-' for stdout)."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Repair a git checkout and open (or update) a pull request with the fix; an issue when it cannot be repaired.

    The token comes from DOCKERFIX_GITHUB_TOKEN, else GITHUB_TOKEN; the push uses git's own credentials.
    """
    from dockerfix.bot.github import token_from_environment
    from dockerfix.bot.pr import PrSettings, open_pull_request
    from dockerfix.repair import Options
    from dockerfix.report import to_json, to_markdown

    _choice(strategy, STRATEGIES, "--strategy")
    _choice(backend, BACKENDS, "--backend")
    if on_failure not in ("issue", "nothing"):
        raise typer.BadParameter("issue or nothing", param_hint="--on-failure")
    settings = PrSettings(branch=branch, base=base, remote=remote, repo=repo, api_url=api_url, labels=tuple(label),
                          on_failure=on_failure, dry_run=dry_run)  # type: ignore[arg-type]
    progress = Progress(quiet)
    try:
        outcome = open_pull_request(path, settings, Options(strategy=strategy, max_builds=max_builds, timeout=timeout,  # type: ignore[arg-type]
                                                            backend=backend, dockerfile=dockerfile, context=build_context,
                                                            on_event=progress),
                                    token=token_from_environment())
    finally:
        progress.stop()
    _write_output(report, to_markdown(outcome.result))
    _write_output(json_path, to_json(outcome.result))
    target = f"{outcome.repo}: {outcome.branch} → {outcome.base}"
    if outcome.action in ("would-open-pull-request", "would-open-issue"):
        kind = "pull request" if outcome.action == "would-open-pull-request" else "issue"
        lines = [f"dry run: would open or update a {kind} on {outcome.repo}"]
        if outcome.commit_message:
            lines += [f"branch: {outcome.branch} (from HEAD), base: {outcome.base}", "", "commit message:",
                      *(f"    {line}" for line in outcome.commit_message.splitlines()), "", outcome.result.diff]
        lines += [f"{kind} title: {outcome.title}", f"labels: {', '.join(label) or '(none)'}", "", outcome.body]
        out.print(redact("\n".join(lines)), markup=False)
    messages = {
        "opened": f"opened pull request #{outcome.number} ({target}): {outcome.url}",
        "updated": f"updated pull request #{outcome.number} ({target}, branch force-pushed): {outcome.url}",
        "unchanged": f"pull request #{outcome.number} is up to date, nothing changed ({target}): {outcome.url}",
        "nothing-to-repair": "nothing to repair: the build passes and the image verifies",
        "declined": (f"not proposed again: pull request #{outcome.number} with this same fix was closed without merging "
                     f"({outcome.url}); reopen it to take the fix"),
        "issue-opened": f"not repaired: opened issue #{outcome.number}: {outcome.url}",
        "issue-updated": f"not repaired: updated issue #{outcome.number}: {outcome.url}",
        "not-repaired": f"not repaired: {outcome.result.message}",
        "would-open-pull-request": "dry run: repaired; nothing committed, pushed or opened",
        "would-open-issue": "dry run: not repaired; no issue opened",
    }
    err.print(redact(messages[outcome.action]), markup=False)
    for item in outcome.closed:
        err.print(redact(f"closed #{item.number}, which this run made obsolete: {item.url}"), markup=False)
    if outcome.result.status == "failed":
        raise typer.Exit(ExitCode.NOT_REPAIRED)


@app.command()
def batch(
    repositories: Path = typer.Argument(..., help="A file listing local checkouts or clone URLs, one a line "
                                                  "(# comments); - reads standard input."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Repair this many repositories at a time."),
    docker_host: list[str] = typer.Option([], "--docker-host", help="An engine to build on (unix://, tcp:// with "
                                          "DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, ssh://); repeat to spread "
                                          "repositories over several, round-robin. Default: DOCKER_HOST."),
    out_dir: Path = typer.Option(Path("dockerfix-reports"), "--out", help="Where the reports go: NAME.md and "
                                 "NAME.json per repository, summary.md and summary.json."),
    work_dir: Optional[Path] = typer.Option(None, help="Where clone URLs are cloned (default: OUT/checkouts)."),
    strategy: str = typer.Option("auto", help="auto, minimal or rewrite (as for repair)."),
    max_builds: int = typer.Option(6, min=1, help="At most this many builds per repository."),
    timeout: float = typer.Option(3600, help="Give up on a repository after this many seconds."),
    backend: str = typer.Option("auto", help=BACKEND_HELP),
    write: bool = typer.Option(False, "--write", help="Write the fixed files into each repository (default: "
                                                      "reports only)."),
    dockerfile: str | None = DockerfileOption,
    build_context: str | None = ContextOption,
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Repair many repositories, N at a time, over one or several engines; a summary table and a report per repository."""
    from dockerfix.bot.batch import read_list, run_batch, summary_markdown
    from dockerfix.repair import Options

    _choice(strategy, STRATEGIES, "--strategy")
    _choice(backend, BACKENDS, "--backend")
    sources = read_list(sys.stdin.read() if str(repositories) == "-" else _read_log(repositories))
    if not sources:
        raise typer.BadParameter("the list names no repository", param_hint="REPOSITORIES")

    def say(name: str, event: Event) -> None:
        if not quiet and shown(event):
            err.print(f"{name}: {redact(str(event))}", markup=False)

    items = run_batch(sources, Options(strategy=strategy, max_builds=max_builds, timeout=timeout, backend=backend,  # type: ignore[arg-type]
                                       dockerfile=dockerfile, context=build_context),
                      out_dir=out_dir, jobs=jobs, hosts=docker_host, work_dir=work_dir, write=write, progress=say)
    out.print(summary_markdown(items), markup=False)
    if any(item.status in ("failed", "error") for item in items):
        raise typer.Exit(ExitCode.NOT_REPAIRED)


@app.callback(invoke_without_command=True)
def _version(version: bool = typer.Option(False, "--version", help="Print the version.")) -> None:
    if version:
        out.print(f"dockerfix {__version__}")
        raise typer.Exit(0)


def main(argv: list[str] | None = None) -> int:
    try:
        code = app(args=argv, standalone_mode=False)
        return code if isinstance(code, int) else ExitCode.OK
    except typer.Exit as exit_:
        return exit_.exit_code
    except typer.Abort:
        err.print("interrupted: the project's files are as they were")
        return ExitCode.INTERRUPTED
    except typer.TyperException as exc:  # usage errors (typer's own click)
        exc.show()  # type: ignore[attr-defined]
        return ExitCode.BAD_INPUT
    except KeyboardInterrupt:
        err.print("interrupted: the project's files are as they were; images of this run were removed")
        return ExitCode.INTERRUPTED
    except DockerfixError as exc:
        err.print(f"dockerfix: {redact(str(exc))}", markup=False)
        return exc.exit_code
    except Exception:  # noqa: BLE001 - the last resort: exit 4 with the traceback
        err.print("dockerfix: internal error (a bug in dockerfix); please report it with this traceback:", markup=False)
        err.print(redact(traceback.format_exc()), markup=False)
        return ExitCode.INTERNAL


if __name__ == "__main__":
    sys.exit(main())
