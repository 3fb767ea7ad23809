"""The repair loop: static pass, then build → diagnose → transform → build, until the image builds and verifies.

Guards, as ruff's fix loop and LibCST's multi-pass codemods have them: a (rule, captures, state) is never
tried twice, so a loop cannot oscillate (seed S001-9/S001-10); every edited Dockerfile must still parse; the
budget (`max_builds`, `timeout`) is hard. The user's files are written only at the end, atomically.

Strategies are tried in an order (`STRATEGY_ORDER`); when one runs out of fixes for a failure that is not
outside the Dockerfile, the next takes over. The default, auto, starts from the user's own Dockerfile: when
the static pass finds nothing to fix, the first build is of the project as it is, and if that builds and
verifies the repair ends `ok` with nothing written; otherwise targeted edits (minimal), then the verified
layout (rewrite). `--strategy rewrite` starts with the layout and goes back to targeted edits of the user's
Dockerfile when the layout fails for a reason no rule fixes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from dockerfix.analyse import analyse
from dockerfix.analyse.dockerfile import parse_dockerfile
from dockerfix.analyse.release import FLOATING_TAG
from dockerfix.build import (
    MANAGED_LABEL,
    RUN_LABEL,
    BuildBackend,
    BuildResult,
    choose_backend,
    get_backend,
    new_tag,
)
from dockerfix.build.context import context_inputs
from dockerfix.build.engine import image_pythons
from dockerfix.catalog import BY_ID
from dockerfix.model import (  # RepairResult, Step, BuildRecord, Status, Phase: re-exported, where they were
    Accounted,
    FinalStage,
    BuildFinished,
    BuildOutput,
    BuildRecord,
    BuildStarted,
    CheckResult,
    Context,
    DockerfileInfo,
    Event,
    Finding,
    Phase,
    Project,
    RepairResult,
    RuleApplied,
    RuleSkipped,
    Skip,
    Status,
    Step,
    Strategy,
    StrategyChanged,
    StrategyChoice,
    VerificationStarted,
)
from dockerfix.diagnose import Diagnosis, diagnose, diagnose_verification, static_findings
from dockerfix.errors import DirtyTree, InputError
from dockerfix.plan import BuildPlan, plan
from dockerfix.render import render_dockerfile, render_dockerignore
from dockerfix.verify import CacheProbe, Verification, verify
from dockerfix.transform.python_version import PYTHON_TAG
from dockerfix.workspace import Workspace, uncommitted

# verify(project, image, http_path=..., cache=...) -> Verification: what checks a built image
Verifier = Callable[..., Verification]
SOLVED_BY_REWRITE = "solved by the rewrite"  # the solution of a failure of files the rewrite replaced
# The strategies each choice tries, in order; the next takes over when one runs out of fixes. auto and minimal
# take the same path today (auto names the default: dockerfix decides; minimal is kept for scripts and the bot).
STRATEGY_ORDER: dict[StrategyChoice, tuple[Strategy, ...]] = {
    "auto": ("minimal", "rewrite"),
    "minimal": ("minimal", "rewrite"),
    "rewrite": ("rewrite", "minimal"),
}


@dataclass(frozen=True)
class Options:
    """How `repair` works: the strategy (where it starts: your Dockerfile as it is, or the verified rewrite), budgets,
    backend, what it writes and keeps, and which verification checks run."""

    strategy: StrategyChoice = "auto"
    max_builds: int = 6
    timeout: float = 3600.0  # the whole repair, in seconds
    build_timeout: float = 1200.0
    backend: str = "auto"  # sdk, buildkit, or auto: BuildKit when the Dockerfile or the engine needs it (choose_backend)
    dockerfile: str | None = None  # any path in the project (default: found by analyse)
    context: str | None = None  # the build context (default: compose's for that Dockerfile, else the root)
    write: bool = True  # False: dry run, the tree is left as it is
    force: bool = False  # write even over files with uncommitted changes
    no_cache: bool = False
    keep_image: bool = False  # keep the final image (tagged) instead of removing it
    keep_cache: bool = False  # keep intermediate images so later builds reuse layers
    verify: bool = True
    network: str | None = None  # build network mode ("none" cuts the build off: how the network tests inject faults)
    fallback: bool = True  # when a strategy runs out of fixes, go on with the next of STRATEGY_ORDER
    http_probe: str | None = None  # verification also requests this path from a server ("/health")
    cache_check: bool = False  # verification rebuilds with a source touched: the dependency layer must be reused
    compile_bytecode: bool = False  # the rewrite compiles the venv's bytecode in the builder (a larger image)
    on_event: Callable[[Event], None] | None = None  # typed progress: builds, their log lines, checks, rules applied


@dataclass
class _State:
    root: Path
    options: Options
    workspace: Workspace
    strategy: Strategy
    untried: list[Strategy] = field(default_factory=list)  # the strategies that may still take over, in order
    history: list[str] = field(default_factory=list)  # why each strategy took over
    replaced: set[int] = field(default_factory=set)  # numbers of the steps that say the rewrite solved them
    before_rewrite: tuple[dict[str, str], int] | None = None  # (workspace files, number of steps) the rewrite replaced
    steps: list[Step] = field(default_factory=list)
    builds: list[BuildRecord] = field(default_factory=list)
    results: list[BuildResult] = field(default_factory=list)
    tried: set[tuple] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    accounting: tuple[Accounted, ...] = ()
    final_stage: FinalStage | None = None
    injected_backend: str | None = None  # the name of the backend the caller gave, which builds everything

    def project(self) -> Project:
        return analyse(self.root, dockerfile=self.options.dockerfile, context=self.options.context,
                       files=self.workspace.files)

    def context(self) -> Context:
        return Context(root=self.root, files=dict(self.workspace.files), project=self.project(), strategy=self.strategy)

    def emit(self, event: Event) -> None:
        if self.options.on_event:
            self.options.on_event(event)


RENDERED_HEADER = "# Written by dockerfix "


def rewrite_files(project: Project, build_plan: BuildPlan | None = None) -> dict[str, str]:
    """The verified multi-stage layout: Dockerfile and .dockerignore rendered from the project's plan."""
    build_plan = build_plan or plan(project)
    return {project.dockerfile_path: render_dockerfile(build_plan),
            project.dockerignore_path: render_dockerignore(project, build_plan)}


def _apply(state: _State, context: Context, finding: Finding, phase: Phase, build: int | None) -> bool:
    """Apply the rule's fix for `finding` unless tried before in this state; True when files changed."""
    rule = BY_ID[finding.rule]
    key = (finding.rule, finding.captures, state.workspace.fingerprint())
    if rule.fix is None or rule.applicability == "suggestion" or key in state.tried:
        return False
    state.tried.add(key)
    outcome = rule.fix(context, finding)
    if isinstance(outcome, Skip):
        state.emit(RuleSkipped(rule.id, outcome.reason))
        return False
    changed = {p: t for p, t in outcome.files.items() if state.workspace.read(p) != t}
    if not changed:
        return False
    dockerfile = context.dockerfile_path
    if dockerfile in changed:
        parse_dockerfile(dockerfile, changed[dockerfile])  # a fix that breaks the Dockerfile is a dockerfix bug
    state.workspace.apply(changed)
    _add_step(state, finding, phase, outcome.summary, build)
    state.emit(RuleApplied(rule.id, outcome.summary))
    return True


def _add_step(state: _State, finding: Finding, phase: Phase, solution: str, build: int | None) -> Step:
    rule = BY_ID[finding.rule]
    step = Step(number=len(state.steps) + 1, phase=phase, rule=rule.id, problem=rule.summary, symptom=finding.evidence,
                diagnosis=finding.message, cause=rule.explanation.strip(), solution=solution, build=build)
    state.steps.append(step)
    return step


def _rendered(dockerfile: DockerfileInfo) -> bool:
    """The layout dockerfix wrote (its header follows any parser directives it kept)."""
    return any(line.startswith(RENDERED_HEADER) for line in dockerfile.text.splitlines()[:5])


def plan_for_backend(project: Project, backend: str = "auto", *, compile_bytecode: bool = False) -> BuildPlan:
    """The layout as the backend that will build it wants it: cache mounts when BuildKit builds it. For "auto",
    the backend the build loop will choose (choose_backend) for the layout without them."""
    draft = plan(project, compile_bytecode=compile_bytecode)
    if backend == "auto":
        backend = choose_backend(backend, parse_dockerfile(project.dockerfile_path, render_dockerfile(draft)))[0]
    return replace(draft, cache_mounts=backend == "buildkit")


def _rewrite(state: _State, reason: str, symptom: tuple[str, ...] = (), build: int | None = None,
             failures: tuple[Finding, ...] = (), phase: Phase = "build") -> None:
    """Replace the Dockerfile and .dockerignore by the verified layout; `failures`: what the replaced state's
    last build showed. What the replaced files got wrong stays in the report, solved by the rewrite."""
    context = state.context()
    project = context.project
    state.strategy = "rewrite"
    if project.dockerfile and _rendered(project.dockerfile):
        # Already the layout: rendering it again would read dockerfix's own instructions as the user's.
        return
    build_plan = plan_for_backend(project, state.injected_backend or state.options.backend,
                                  compile_bytecode=state.options.compile_bytecode)
    files = rewrite_files(project, build_plan)
    changed = {p: t for p, t in files.items() if state.workspace.read(p) != t}
    state.accounting = build_plan.accounting
    state.final_stage = build_plan.final_stage
    if not changed:
        return
    state.before_rewrite = (dict(state.workspace.files), len(state.steps))
    replaced = " and ".join(sorted(changed))
    if project.dockerfile is not None:
        seen: set[tuple[str, str]] = set()
        found: list[tuple[Finding, Phase, int | None]] = [(f, "static", None) for f in static_findings(context)]
        found += [(f, phase, build) for f in failures]
        for finding, found_in, number in found:
            rule = BY_ID[finding.rule]
            if rule.kind == "report" or rule.fix is None or (finding.rule, finding.message) in seen:
                continue  # outside the replaced files: the final state's findings report it
            seen.add((finding.rule, finding.message))
            step = _add_step(state, finding, found_in, f"{SOLVED_BY_REWRITE}: {replaced} replaced by the verified layout",
                             number)
            state.replaced.add(step.number)
    state.workspace.apply(changed)
    state.steps.append(Step(number=len(state.steps) + 1, phase="rewrite", rule="rewrite",
                            problem="The Dockerfile does not follow a verified layout",
                            symptom=symptom, diagnosis=reason,
                            cause="A single-stage or hand-made layout mixes build tools into the image, installs "
                                  "dependencies in a way the lock does not control, or runs as root.",
                            solution=f"rewrote {replaced} into the multi-stage layout "
                                     f"(Python {project.python.version}, {project.manager}, non-root user, "
                                     "dependencies before sources)", build=build))


def _back_to_minimal(state: _State) -> None:
    """The user's own Dockerfile again, as it was before the rewrite; the rewrite's steps no longer apply."""
    assert state.before_rewrite is not None  # the rewrite came first: minimal follows it only in that order
    files, steps = state.before_rewrite
    state.workspace.files = dict(files)
    del state.steps[steps:]
    state.replaced = {n for n in state.replaced if n <= steps}
    state.strategy = "minimal"
    state.final_stage = None


# The builder's own line about a failed step: it says that the command failed, not why.
BUILDER_WRAPPER = re.compile(r"returned a non-zero code|did not complete successfully|failed to solve")


def _failure_summary(diagnosis: Diagnosis, record: BuildRecord) -> str:
    if diagnosis.findings:
        return f"{diagnosis.findings[0].rule}: {diagnosis.findings[0].message}"
    why = [line.strip() for line in diagnosis.relevant if not BUILDER_WRAPPER.search(line)]
    return (why[-1] if why else record.error) or "unknown failure"


def _blocked_by_own_fix(state: _State, diagnosis: Diagnosis) -> bool:
    """The build is environment-blocked on a base image that a fix of this repair put in, not one the user's
    Dockerfile names, and on another Python than the project's own choice: the block is the fix's, and the next
    strategy (which builds on the project's Python) may get through."""
    first = diagnosis.findings[0]
    image = first.captures.get("image") if BY_ID[first.rule].environment else None
    if not isinstance(image, str) or not image:
        return False
    project = state.project()
    tagged = PYTHON_TAG.match(image)
    if tagged is None or tagged.group("version") == project.python.version:
        return False  # the project itself asks for that Python (.python-version 3.14): every strategy needs it
    path = project.dockerfile_path
    try:
        text = state.workspace.original(path)  # the user's Dockerfile, before any edit of this repair
        original = parse_dockerfile(path, text) if text is not None else None
    except (OSError, InputError):
        return False
    return original is not None and image not in {stage.base for stage in original.stages}


def _take_over(state: _State, diagnosis: Diagnosis, record: BuildRecord, phase: Phase, *, blocked: bool = False) -> bool:
    """Hand the repair to the next strategy when the current one has no fix left (or, `blocked`, its fix asked for
    what this engine cannot give); False when none is left."""
    if not state.options.fallback or not state.untried:
        return False
    dockerfile = state.project().dockerfile_path
    why = f"{'build' if phase == 'build' else 'verification of build'} {record.number} failed for a reason no rule " \
          f"fixes ({_failure_summary(diagnosis, record)})" if not blocked else \
        f"build {record.number} needs what an edit asked for and this engine cannot give ({_failure_summary(diagnosis, record)})"
    if state.untried.pop(0) == "rewrite":
        state.history.append(f"the targeted edits of {dockerfile} ran out: {why}; the verified layout took over")
        _rewrite(state, "the targeted edits ran out; falling back to the verified layout", symptom=diagnosis.relevant,
                 build=record.number, failures=diagnosis.findings, phase=phase)
    else:
        state.history.append(f"the verified layout failed: {why}; went back to targeted edits of {dockerfile}")
        _back_to_minimal(state)
    state.emit(StrategyChanged(state.strategy, state.history[-1]))
    _static_pass(state)
    return True


def _strategy_reason(state: _State, status: Status) -> str:
    if status == "failed":
        outcome = f"the {state.strategy} strategy did not repair it either" if state.history else \
            f"the {state.strategy} strategy did not repair it"
    elif state.strategy == "rewrite":
        outcome = "the verified layout builds and verifies"
    elif status == "repaired":
        outcome = f"targeted edits of {state.project().dockerfile_path} make it build and verify"
    else:
        outcome = f"{state.project().dockerfile_path} builds and verifies as it is"
    return "; ".join([*state.history, outcome])


def _static_pass(state: _State) -> None:
    for _ in range(20):  # each round applies one fix; a finite catalog cannot need more
        context = state.context()
        findings = static_findings(context)
        if not any(_apply(state, context, f, "static", None) for f in findings):
            state.findings.extend(f for f in findings if f not in state.findings and
                                  (BY_ID[f.rule].fix is None or BY_ID[f.rule].applicability == "suggestion"))
            return


def _record(state: _State, result: BuildResult, backend_reason: str) -> BuildRecord:
    number = len(state.builds) + 1
    failed = result.failed.instruction if result.failed else None
    where = f"{state.project().dockerfile_path}:{failed.line} {failed.text.splitlines()[0]}" if failed else (
        result.failed.text if result.failed else None)
    record = BuildRecord(number, result.ok, result.seconds, result.backend, result.error, where, result.ran_steps,
                         result.cached_steps, backend_reason, state.strategy)
    state.builds.append(record)
    state.results.append(result)
    return record


def _editable_files(project: Project) -> list[str]:
    files = [project.dockerfile_path, project.dockerignore_path, *(p.path for p in [project.pyproject] if p),
             *(r.path for r in project.requirements)]
    return files + ([project.lock.path] if project.lock else [])


def repair(root: str | Path, options: Options = Options(), *, backend: BuildBackend | None = None,
           verifier: Verifier | None = None) -> RepairResult:
    """Repair the project at `root`: build, diagnose and fix until the image builds and verifies.

    `backend` builds (default: the one `options.backend` names); `verifier` checks each built image.
    """
    root = Path(root).resolve()
    order = STRATEGY_ORDER[options.strategy]
    state = _State(root=root, options=options, workspace=Workspace(root), strategy=order[0], untried=list(order[1:]))
    project = state.project()  # input errors surface here, before anything is built
    if options.write and not options.force:
        dirty = uncommitted(root, _editable_files(project))
        if dirty:
            raise DirtyTree(dirty)
    if project.dockerfile is None:
        state.strategy, state.untried = "rewrite", []
    injected_backend = backend
    state.injected_backend = backend.name if backend is not None else None
    check_image: Verifier = verifier or verify
    verification: Verification | None = None
    diagnosis: Diagnosis | None = None
    status: Status = "failed"
    message = ""
    kept_image: str | None = None
    try:
        if state.strategy == "rewrite":
            state.history.append(f"strategy {options.strategy} was requested" if project.dockerfile
                                 else "the project has no Dockerfile")
            _rewrite(state, "dockerfix writes the multi-stage layout first (strategy: rewrite)"
                     if project.dockerfile else "the project has no Dockerfile")
        _static_pass(state)
        while True:
            if len(state.builds) >= options.max_builds:
                message = f"stopped after {options.max_builds} builds (--max-builds)"
                break
            if time.monotonic() - state.started > options.timeout:
                message = f"stopped after {options.timeout:.0f} s (--timeout)"
                break
            context = state.context()
            dockerfile = context.project.dockerfile
            if dockerfile is None:
                raise InputError(context.dockerfile_path, None, "no Dockerfile to build")
            if injected_backend is not None:
                backend, backend_reason = injected_backend, "given by the caller"
            else:
                backend_name, backend_reason = choose_backend(options.backend, dockerfile)
                backend = get_backend(backend_name)
            state.emit(BuildStarted(len(state.builds) + 1, backend.name, backend_reason, dockerfile.path))
            built_root, overlay, built_dockerfile = context_inputs(root, context.project.context, state.workspace.files,
                                                                   dockerfile)
            result = backend.build(built_root, overlay, built_dockerfile, tag=new_tag(root),
                                   labels={MANAGED_LABEL: "1", RUN_LABEL: str(id(state))}, no_cache=options.no_cache,
                                   network=options.network,
                                   timeout=min(options.build_timeout, max(1.0, options.timeout - (time.monotonic() - state.started))),
                                   progress=lambda line: state.emit(BuildOutput(line)))
            unversioned = [s.base for s in dockerfile.stages if FLOATING_TAG.match(s.base)]
            if unversioned:  # what python:3 runs today is the image's to say, not the tag's
                context = replace(context, base_pythons=image_pythons(unversioned))
            record = _record(state, result, backend_reason)
            state.emit(BuildFinished(record.number, record.ok, record.seconds, record.failed_instruction))
            phase: Phase = "build"
            if result.ok:
                if not options.verify:
                    status, kept_image = "ok", result.image
                    break
                state.emit(VerificationStarted(result.image))
                cache = CacheProbe(root, dict(state.workspace.files), backend, options.build_timeout) \
                    if options.cache_check and not options.no_cache else None
                verification = check_image(context.project, result.image, http_path=options.http_probe, cache=cache)
                for check in verification.checks:
                    state.emit(CheckResult(check.name, check.passed, check.detail))
                if verification.passed:
                    status, kept_image = "ok", result.image
                    break
                diagnosis, phase = diagnose_verification(context, verification), "verify"
            else:
                # timeouts and engine errors are the backend's words, not the log's
                log = result.log if result.error in result.log else f"{result.log}\n{result.error}"
                diagnosis = diagnose(context, log)
            if diagnosis.conclusive and _blocked_by_own_fix(state, diagnosis) and \
                    _take_over(state, diagnosis, record, phase, blocked=True):
                # a fix asked for an image this engine lacks (python:3.7 for a Pipfile): another strategy may not;
                # should it fail too, the block is what the report leads with
                state.findings.extend(f for f in diagnosis.findings if f not in state.findings)
                continue
            if diagnosis.conclusive:
                state.findings.extend(diagnosis.findings)
                first = diagnosis.findings[0]
                message = (f"environment-blocked: {first.message}" if BY_ID[first.rule].environment
                           else f"the build failed for a reason no file edit removes: {first.message}")
                break
            if any(_apply(state, context, f, phase, record.number) for f in diagnosis.findings):
                continue
            state.findings.extend(f for f in diagnosis.findings if f not in state.findings)
            # A failure outside the Dockerfile (an application error) fails every strategy the same way.
            outside = bool(diagnosis.findings) and all(BY_ID[f.rule].kind == "report" for f in diagnosis.findings)
            if not outside and _take_over(state, diagnosis, record, phase):
                continue
            message = (f"{diagnosis.findings[0].rule}: {diagnosis.findings[0].message}" if outside  # the cause, named
                       else "no catalog rule repairs this failure" if diagnosis.findings else "unknown failure")
            break
    finally:
        for result in state.results:
            if result.image != kept_image or not options.keep_image:
                (injected_backend or get_backend(result.backend)).cleanup(result, keep_cache=options.keep_cache)
    if status == "ok":
        # The image works; what the static rules still find in the final state needs a change by hand (compose, .env).
        state.findings = [f for f in static_findings(state.context())
                          if BY_ID[f.rule].fix is None or BY_ID[f.rule].applicability == "suggestion"]
        reported = sorted({f.rule for f in state.findings
                           if BY_ID[f.rule].kind == "report" and BY_ID[f.rule].severity == "error"})
        if reported:
            status = "failed"
            message = "the image builds and verifies, but findings need changes dockerfix does not make: " + ", ".join(reported)
    if status == "ok" and state.workspace.changed():
        status = "repaired"
    blocking = next((f for f in state.findings if BY_ID[f.rule].environment), None)
    if status == "failed" and blocking is not None and not message.startswith("environment-blocked"):
        message = f"environment-blocked: {blocking.message}; without it, {message}"
    if status == "failed" and blocking is not None:
        # environment-blocked: no build got far enough to test an edit, so none is proposed; what the edits
        # would have answered stays in the report as findings
        state.findings = [*(Finding(s.rule, s.diagnosis, s.symptom) for s in state.steps if s.rule != "rewrite"),
                          *state.findings]
        state.steps, state.accounting, state.workspace, state.final_stage = [], (), Workspace(root), None
    if status == "failed":  # the rewrite replaced the files, but did not make them build and verify
        state.steps = [replace(s, solution=s.solution.replace(SOLVED_BY_REWRITE, "not solved: the rewrite failed too"))
                       if s.number in state.replaced else s for s in state.steps]
    written = False
    new_texts = {path: new for path, (_, new) in state.workspace.changed().items()}
    changed = tuple(new_texts)
    diff = state.workspace.diff()
    if status != "failed" and options.write and changed:
        state.workspace.write(force=options.force)
        written = True
    return RepairResult(
        status=status, root=root, strategy=state.strategy, steps=tuple(state.steps), builds=tuple(state.builds),
        verification=verification, changed_files=changed, diff=diff, written=written,
        findings=tuple(state.findings), unknown=diagnosis.relevant if diagnosis and status == "failed" else (),
        image=kept_image if options.keep_image else None,
        image_size=verification.image_size if verification else None,
        seconds=time.monotonic() - state.started, message=message,
        created_images=tuple(i for r in state.results for i in r.created_images) if options.keep_cache else (),
        created_cache=tuple(c for r in state.results for c in r.created_cache) if options.keep_cache else (), files=new_texts,
        requested=options.strategy, strategy_reason=_strategy_reason(state, status),
        accounting=state.accounting, final_stage=state.final_stage if state.strategy == "rewrite" else None,
        blocked=status == "failed" and any(BY_ID[f.rule].environment for f in state.findings),
    )
