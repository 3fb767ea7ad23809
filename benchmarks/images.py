"""Side by side (issue 14): dockerfix's rewrite against the manager's documented expert layout and `docker init`'s.

For each fixture project, three layouts are built on the same python:X.Y-slim base, with BuildKit
(`DOCKER_BUILDKIT=1 docker build`, dockerfix's BuildKit backend) throughout:
  rewrite      what dockerfix renders for the project when BuildKit builds it (`plan_for_backend(..., "buildkit")`:
               cache mounts), re-run after a change to templates/ or plan/;
  expert       uv's Docker guide multi-stage layout, Poetry's or PDM's equivalent, or a plain pip multi-stage venv
               (benchmarks/layouts/, in our own words);
  docker-init  `docker init`'s Python layout, written from its public description (benchmarks/layouts/).
Each layout is built once without the cache (cold), then rebuilt, with the cold build's cache, from three
variants of the project made in temporary copies: a source-only change, a version bump only, and one added
dependency (idna, in the manifest and in the lock, which is regenerated on the host with the manager's own tool
run by `uvx`). The dependency layer is the RUN step that installs the dependencies: the last of the RUN steps the
added dependency makes run again and the source-only change does not; the version bump reuses it when BuildKit's
log says `#N CACHED` for that step. Each step's cold time (BuildKit's `#N DONE 1.2s`) is kept in the JSON. Cache mounts get an id per run and layout
(the rewrite's too, added here), so a cold build starts without downloads cached by earlier runs. The rewrite is also
built cold with --compile-bytecode, for the size bytecode costs. Everything built is labelled (org.dockerfix.managed=1,
org.dockerfix.bench=images) and removed at the end, with the BuildKit cache records the builds made.

    python benchmarks/images.py [--only NAME ...] [--quick] [--write]

--quick: the cold build and the source-only rebuild only (no lock making). A full run of every project writes
benchmarks/results/images.{md,json}; a partial one (--only, --quick) prints its table, and writes only with --write.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import jinja2
import tomlkit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import dockerfix  # noqa: E402
from dockerfix.analyse.dockerfile import parse_dockerfile  # noqa: E402
from dockerfix.model import Project  # noqa: E402
from dockerfix.build import MANAGED_LABEL, BuildResult, new_tag  # noqa: E402
from dockerfix.build.buildkit import STEP, BuildKitBackend  # noqa: E402
from dockerfix.build.engine import engine_client  # noqa: E402
from dockerfix.repair import plan_for_backend, rewrite_files  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "projects"
LAYOUTS = Path(__file__).resolve().parent / "layouts"
RESULTS = ROOT / "benchmarks" / "results"
BENCH_LABEL = "org.dockerfix.bench"
LAYOUT_NAMES = ("rewrite", "expert", "docker-init")
SCENARIOS = ("source", "version", "dependency")
ADDED = "idna"  # a small pure-Python wheel
ADDED_PIN = "idna==3.10"  # for requirements files that pin without a lock tool
PDM_VERSION = "2.22.4"  # with the pins GUIDE.md names: unpinned PDM breaks against hishel 2.0.0
PDM_PINS = ("unearth<0.18", "hishel<0.2", "httpx==0.28.1")
# The .dockerignore of the expert and docker-init layouts: what both guides tell users to leave out.
LAYOUT_DOCKERIGNORE = ".git\n.venv\n**/__pycache__\n**/*.pyc\n.python-version\n"
EXPERT_SOURCE = {"uv": "uv's Docker guide, multi-stage", "poetry": "Poetry's Docker recipe, multi-stage",
                 "pdm": "PDM's multi-stage recipe"}
PIP_SOURCE = "plain pip multi-stage venv"

# Done-when thresholds of issue 14, for the rewrite against the best other layout of the same run.
COLD_RATIO_MAX = 1.1
DONE = re.compile(r"^#(\d+) DONE ([\d.]+)s$")
CACHED_STEP = re.compile(r"^#(\d+) CACHED$")
SOURCE_SHARE_MAX = 0.10


# ---------------------------------------------------------------- layouts (no engine)

@dataclass(frozen=True)
class LayoutFacts:
    """What the hand-written layouts need of a project: the same analysis dockerfix's rewrite starts from."""

    manager: str
    python: str
    command: tuple[str, ...]
    requirements: str | None  # the requirements file to install, when the project has one
    installable: bool  # has a [build-system] or a [project]/[tool.poetry] table pip can build
    build_packages: tuple[str, ...] = ()
    runtime_packages: tuple[str, ...] = ()
    port: int | None = None
    tool_version: str | None = None  # Poetry's version (from the lock's header) or PDM's

    @classmethod
    def of(cls, project: Project) -> LayoutFacts:
        pyproject = project.root / "pyproject.toml"
        installable = pyproject.is_file() and "build-system" in tomlkit.parse(pyproject.read_text())
        return cls(manager=project.manager, python=project.python.version,
                   command=tuple(project.entry.argv) if project.entry else ("python",),
                   requirements=project.requirements[0].path if project.requirements else None,
                   installable=installable, build_packages=tuple(project.system_packages.build),
                   runtime_packages=tuple(project.system_packages.runtime),
                   port=project.entry.port if project.entry else None, tool_version=tool_version(project))


def tool_version(project: Project) -> str | None:
    if project.manager == "poetry":
        lock = project.root / "poetry.lock"
        found = re.search(r"@generated by Poetry ([\w.]+)", lock.read_text()) if lock.is_file() else None
        return found.group(1) if found else "2.1.3"
    return PDM_VERSION if project.manager == "pdm" else None


_ENVIRONMENT = jinja2.Environment(loader=jinja2.FileSystemLoader(LAYOUTS), undefined=jinja2.StrictUndefined,
                                  keep_trailing_newline=True)


def render_layout(layout: str, facts: LayoutFacts, cache_id: str) -> str:
    """The Dockerfile of the `expert` or `docker-init` layout for a project with these facts."""
    if layout == "docker-init":
        template, source = "docker-init.Dockerfile.j2", "docker init's Python template"
    elif facts.manager in EXPERT_SOURCE:
        template, source = f"{facts.manager}.Dockerfile.j2", EXPERT_SOURCE[facts.manager]
    else:
        template, source = "pip.Dockerfile.j2", PIP_SOURCE
    text = _ENVIRONMENT.get_template(template).render(
        **{**asdict(facts), "command": json.dumps(list(facts.command))}, layout=layout, source=source, cache_id=cache_id,
        tomllib=facts.installable and tuple(map(int, facts.python.split("."))) >= (3, 11))
    return re.sub(r"\n{3,}", "\n\n", text).lstrip("\n")


CACHE_MOUNT = re.compile(r"--mount=type=cache,target=(\S+)")


def layout_files(layout: str, project: Project, cache_id: str, *, compile_bytecode: bool = False) -> dict[str, str]:
    """The Dockerfile and .dockerignore a layout builds the project with (the rewrite's come from dockerfix, rendered
    for BuildKit, its cache mounts given this run's id like the other layouts')."""
    if layout == "rewrite":
        files = rewrite_files(project, plan_for_backend(project, "buildkit", compile_bytecode=compile_bytecode))
        dockerfile = CACHE_MOUNT.sub(lambda m: f"--mount=type=cache,id={cache_id}{m.group(1).replace('/', '-')},"
                                               f"target={m.group(1)}", files[project.dockerfile_path])
        return {"Dockerfile": dockerfile, ".dockerignore": files[project.dockerignore_path]}
    return {"Dockerfile": render_layout(layout, LayoutFacts.of(project), cache_id), ".dockerignore": LAYOUT_DOCKERIGNORE}


# ---------------------------------------------------------------- project variants (host tools, no engine)

class LockUnavailable(Exception):
    """The manager's lock cannot be regenerated on this host; the variant is reported as not measured."""


def uv_binary() -> str:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if not found:
        raise LockUnavailable("uv is not installed (the nox session installs it)")
    return found


def host_python(version: str) -> str:
    """An interpreter of this minor version on the host (pyenv's, as GUIDE.md says uv needs here)."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found = sorted(pyenv.glob(f"{version}.*/bin/python"))
    if found:
        return str(found[-1])
    if which := shutil.which(f"python{version}"):
        return which
    raise LockUnavailable(f"no Python {version} on this host to lock with")


def relock(root: Path, project: Project) -> None:
    """Regenerate the project's lock with its own tool after a manifest edit (resolving only what changed)."""
    compiled = project.manager == "requirements" and (root / "requirements.in").is_file()
    if project.manager not in ("uv", "poetry", "pdm", "pipenv") and not compiled:
        return  # no lock: the manifest edit is the whole change
    python = host_python(project.python.version)
    uvx = [uv_binary(), "tool", "run", "--python", python]
    commands = {
        "uv": [uv_binary(), "lock", "--python", python],
        "poetry": uvx + ["--from", f"poetry=={tool_version(project)}", "poetry", "lock"]
                  + (["--no-update"] if (tool_version(project) or "2").startswith("1.") else []),
        "pdm": uvx + ["--from", f"pdm=={PDM_VERSION}"] + [arg for pin in PDM_PINS for arg in ("--with", pin)] + ["pdm", "lock"],
        "pipenv": uvx + ["pipenv", "lock", "--python", python],
    }
    if compiled:
        hashes = ["--generate-hashes"] if "--hash=" in (root / "requirements.txt").read_text() else []
        command = uvx + ["--from", "pip-tools", "pip-compile", "--quiet", *hashes, "--output-file=requirements.txt", "requirements.in"]
    else:
        command = commands[project.manager]
    env = {**{k: v for k, v in os.environ.items() if k != "PIP_FIND_LINKS"}, "PIP_CONFIG_FILE": os.devnull,  # PyPI only
           "UV_PYTHON_DOWNLOADS": "never", "PDM_CHECK_UPDATE": "false", "PIPENV_YES": "1",
           "PIPENV_VENV_IN_PROJECT": "", "PIPENV_IGNORE_VIRTUALENVS": "1"}
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise LockUnavailable(f"`{' '.join(command[-3:])}` failed: {(done.stderr or done.stdout).strip().splitlines()[-1:]}")
    shutil.rmtree(root / ".venv", ignore_errors=True)  # pipenv may leave one behind


def change_source(root: Path) -> None:
    """A source-only change: one line appended to the first package's __init__.py, or to the first top-level module
    of an application of bare modules (app.py)."""
    packages = [path for path in root.rglob("__init__.py") if ".venv" not in path.parts]
    module = min(packages or [path for path in root.glob("*.py") if path.name != "setup.py"])
    module.write_text(module.read_text() + "\nBENCH_SOURCE_CHANGE = 1\n")


def bump_version(root: Path, project: Project) -> None:
    pyproject = root / "pyproject.toml"
    document = tomlkit.parse(pyproject.read_text()) if pyproject.is_file() else tomlkit.document()
    table = document.get("project") if "version" in document.get("project", {}) else document.get("tool", {}).get("poetry")
    if table is None or "version" not in table:
        raise LockUnavailable("the project declares no version")
    table["version"] = bumped(str(table["version"]))
    pyproject.write_text(tomlkit.dumps(document))
    relock(root, project)


def bumped(version: str) -> str:
    parts = version.split(".")
    return ".".join(parts[:-1] + [str(int(parts[-1]) + 1)])


def add_dependency(root: Path, project: Project) -> None:
    pyproject = root / "pyproject.toml"
    if project.manager == "pipenv":
        pipfile = tomlkit.parse((root / "Pipfile").read_text())
        pipfile["packages"][ADDED] = "*"
        (root / "Pipfile").write_text(tomlkit.dumps(pipfile))
    elif project.manager == "requirements":
        target = root / ("requirements.in" if (root / "requirements.in").is_file() else (project.requirements[0].path))
        target.write_text(target.read_text().rstrip("\n") + f"\n{ADDED if target.suffix == '.in' else ADDED_PIN}\n")
    else:
        document = tomlkit.parse(pyproject.read_text())
        if "dependencies" in document.get("project", {}):
            document["project"]["dependencies"].append(ADDED)
        else:
            document["tool"]["poetry"]["dependencies"][ADDED] = "*"
        pyproject.write_text(tomlkit.dumps(document))
    relock(root, project)


def make_variant(scenario: str, base: Path, scratch: Path) -> Path:
    root = scratch / scenario / base.name
    shutil.copytree(base, root)
    project = dockerfix.analyse(root)
    {"source": lambda: change_source(root), "version": lambda: bump_version(root, project),
     "dependency": lambda: add_dependency(root, project)}[scenario]()
    return root


# ---------------------------------------------------------------- arithmetic of the report (no engine)

def ratio(value: float | None, best_other: float | None) -> float | None:
    """value / best_other, None when either is missing; a zero best other gives None too (no scale to compare)."""
    if value is None or not best_other:
        return None
    return round(value / best_other, 2)


def best_other(rows: dict[str, dict], layout: str, key: str) -> float | None:
    values = [row[key] for name, row in rows.items() if name != layout and row.get(key) is not None]
    return min(values) if values else None


def done_when(rows: dict[str, dict]) -> dict[str, bool | None]:
    """Issue 14's thresholds for the rewrite against the best other layout (None: not measured)."""
    rewrite = rows.get("rewrite", {})

    def check(value: float | None, limit: float | None, *, scale: float = 1.0) -> bool | None:
        return None if value is None or limit is None else value <= limit * scale

    return {
        "overhead_at_most_best_other": check(rewrite.get("overhead_bytes"), best_other(rows, "rewrite", "overhead_bytes")),
        "cold_at_most_1.1x_best_other": check(rewrite.get("cold_seconds"), best_other(rows, "rewrite", "cold_seconds"), scale=COLD_RATIO_MAX),
        "source_rebuild_at_most_10pct_of_cold": check(rewrite.get("source_seconds"), rewrite.get("cold_seconds"), scale=SOURCE_SHARE_MAX),
        "version_bump_reuses_dependency_layer": rewrite.get("version_reuses_dependencies"),
    }


def with_ratios(rows: dict[str, dict]) -> dict[str, dict]:
    """Each layout's row with its ratios to the best other layout of the same project."""
    keys = ("overhead_bytes", "layers", "cold_seconds", "source_seconds", "version_seconds", "dependency_seconds")
    return {name: {**row, "ratio_to_best_other": {key: ratio(row.get(key), best_other(rows, name, key)) for key in keys}}
            for name, row in rows.items()}


def dependency_step(dependency: BuildResult | None, source: BuildResult | None) -> str | None:
    """The dependency layer: the RUN step that installs the dependencies, i.e. the last of the RUN steps an added
    dependency made run again and a source-only change did not (a step preparing the manifests, like the rewrite's
    version mask, runs before it). None: the layout has no such step (one install of the project with its
    dependencies, which every change re-runs)."""
    if dependency is None or not dependency.ok or source is None or not source.ok:
        return None
    own = [step for step in dependency.ran_steps if step.upper().startswith("RUN") and step not in source.ran_steps]
    return own[-1] if own else None


@dataclass
class StepLog:
    """What BuildKit's plain-progress log says of each step: `#5 [builder 3/7] RUN ...`, then `#5 DONE 2.1s` or
    `#5 CACHED`. A step is known by its place (`builder 3/7`) across the builds of one layout, whose texts may
    differ (the rewrite's lock-less install names the added dependency in its RUN)."""

    seconds: dict[str, float] = field(default_factory=dict)  # text → seconds
    place: dict[str, str] = field(default_factory=dict)  # text → "builder 3/7"
    cached: set[str] = field(default_factory=set)  # places taken from the cache

    @classmethod
    def read(cls, lines: list[str]) -> StepLog:
        log, vertices = cls(), {}
        for line in lines:
            if match := STEP.match(line):
                vertex, stage, index, text = match.groups()
                vertices[vertex] = text
                log.place[text] = f"{stage or 'stage'} {index}"
            elif (done := DONE.match(line)) and done.group(1) in vertices:
                text = vertices[done.group(1)]
                log.seconds[text] = round(log.seconds.get(text, 0.0) + float(done.group(2)), 1)
            elif (cached := CACHED_STEP.match(line)) and cached.group(1) in vertices:
                log.cached.add(log.place[vertices[cached.group(1)]])
        return log


# ---------------------------------------------------------------- engine

@dataclass
class Builder:
    run: str
    backend: BuildKitBackend = field(default_factory=BuildKitBackend)
    results: list[BuildResult] = field(default_factory=list)
    steps: dict[int, StepLog] = field(default_factory=dict)  # id(result) → what its log says of each step

    def build(self, root: Path, files: dict[str, str], *, no_cache: bool) -> BuildResult:
        dockerfile = parse_dockerfile("Dockerfile", files["Dockerfile"])
        lines: list[str] = []
        result = self.backend.build(root, files, dockerfile, tag=new_tag(root), progress=lines.append,
                                    labels={MANAGED_LABEL: "1", BENCH_LABEL: f"images-{self.run}"}, no_cache=no_cache)
        self.results.append(result)
        self.steps[id(result)] = StepLog.read(lines)
        return result

    def cleanup(self) -> None:
        """Remove the images and BuildKit cache records of every build, newest first."""
        for result in reversed(self.results):
            self.backend.cleanup(result)
        self.results.clear()
        self.steps.clear()


def image_facts(image: str) -> tuple[int, int]:
    attrs = engine_client().images.get(image).attrs
    return attrs["Size"], len(attrs["RootFS"]["Layers"])


def runs_entry(image: str, project: Project) -> bool:
    """The image imports the entry module as its user (a check that the layout works, not dockerfix's verify)."""
    module = project.entry.module if project.entry and project.entry.module else None
    command = ["python", "-c", f"import {module}"] if module else ["python", "-c", "pass"]
    container = engine_client().containers.run(image, command, detach=True, network_disabled=True,
                                               labels={MANAGED_LABEL: "1", BENCH_LABEL: "images"})
    try:
        return container.wait(timeout=120).get("StatusCode") == 0
    finally:
        container.remove(force=True)


def measure_layout(builder: Builder, layout: str, trees: dict[str, Path | str], cache_id: str) -> dict:
    base = trees["base"]
    assert isinstance(base, Path)
    project = dockerfix.analyse(base)
    files = layout_files(layout, project, cache_id)
    row = cold_row(builder, project, files)
    if not row["cold_ok"]:
        return row
    rebuilt: dict[str, BuildResult] = {}
    for scenario in SCENARIOS:
        tree = trees.get(scenario)
        if not isinstance(tree, Path):
            row[f"{scenario}_seconds"], row[f"{scenario}_note"] = None, tree or "not measured (--quick)"
            continue
        result = builder.build(tree, layout_files(layout, dockerfix.analyse(tree), cache_id), no_cache=False)
        rebuilt[scenario] = result
        row[f"{scenario}_seconds"] = round(result.seconds, 1) if result.ok else None
        if not result.ok:
            row[f"{scenario}_note"] = f"build failed: {result.error}"
    dependency, version = rebuilt.get("dependency"), rebuilt.get("version")
    step = dependency_step(dependency, rebuilt.get("source"))
    row["dependency_step"] = step
    if step and dependency:
        place = builder.steps[id(dependency)].place.get(step)
        row["dependency_step_place"] = place
        row["dependency_step_cold_seconds"] = row["cold_steps"].get(place, {}).get("seconds")
    if version is not None and version.ok and dependency is not None and dependency.ok:
        # no step of its own: nothing a version bump could reuse
        row["version_reuses_dependencies"] = bool(step) and row.get("dependency_step_place") in builder.steps[id(version)].cached
        row["version_ran_steps"] = [text[:120] for text in version.ran_steps]  # the log's evidence
    else:
        row["version_reuses_dependencies"] = None
    return row


def cold_row(builder: Builder, project: Project, files: dict[str, str]) -> dict:
    """A build without the cache: its time per step, the image's size over the base, its layers, whether it runs."""
    cold = builder.build(project.root, files, no_cache=True)
    row: dict = {"cold_ok": cold.ok, "cold_seconds": round(cold.seconds, 1), "dockerfile": files["Dockerfile"],
                 "cold_steps": _by_place(builder.steps[id(cold)])}
    if not cold.ok:
        row["error"] = cold.error
        return row
    assert cold.image is not None
    size, layers = image_facts(cold.image)
    base_size, base_layers = image_facts(f"python:{project.python.version}-slim")
    row.update(image_bytes=size, overhead_bytes=size - base_size, layers=layers, own_layers=layers - base_layers,
               runs=runs_entry(cold.image, project))
    return row


def _by_place(log: StepLog) -> dict[str, dict]:
    """Each step's text and seconds by its place ("builder 3/7"), for the JSON."""
    return {log.place[text]: {"step": text[:120], "seconds": seconds} for text, seconds in log.seconds.items()}


def measure_bytecode(builder: Builder, base: Path, cache_id: str, rewrite: dict) -> dict:
    """The rewrite with --compile-bytecode, cold: what bytecode costs in size (and build time)."""
    project = dockerfix.analyse(base)
    row = cold_row(builder, project, layout_files("rewrite", project, cache_id, compile_bytecode=True))
    row.pop("dockerfile")
    if row["cold_ok"] and rewrite.get("overhead_bytes") is not None:
        row["size_cost_bytes"] = row["overhead_bytes"] - rewrite["overhead_bytes"]
    return row


def measure(name: str, builder: Builder, quick: bool) -> dict:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="dockerfix-bench-images-") as scratch_dir:
        scratch = Path(scratch_dir)
        base = scratch / "base" / name
        shutil.copytree(FIXTURES / name, base)
        project = dockerfix.analyse(base)
        trees: dict[str, Path | str] = {"base": base}
        for scenario in SCENARIOS[:1] if quick else SCENARIOS:
            try:
                trees[scenario] = make_variant(scenario, base, scratch)
            except LockUnavailable as exc:
                trees[scenario] = f"not measured: {exc}"
        rows: dict[str, dict] = {}
        bytecode: dict = {}
        for layout in LAYOUT_NAMES:
            try:
                rows[layout] = measure_layout(builder, layout, trees, f"bench-{builder.run}-{name}-{layout}")
                if layout == "rewrite":
                    bytecode = measure_bytecode(builder, base, f"bench-{builder.run}-{name}-bytecode", rows[layout])
            finally:
                builder.cleanup()
    rows = with_ratios(rows)
    return {"project": name, "manager": project.manager, "python": project.python.version,
            "base": f"python:{project.python.version}-slim", "layouts": rows, "done_when": done_when(rows),
            "bytecode": bytecode,
            "seconds": round(time.monotonic() - started)}


# ---------------------------------------------------------------- report

def _mb(value: int | None) -> str:
    return "–" if value is None else f"{value / 1e6:+.1f} MB" if value < 1e8 else f"{value / 1e6:.0f} MB"


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} s"


def _x(value: float | None) -> str:
    return "" if value is None else f" ({value:.2f}×)"


def _yes(value: bool | None) -> str:
    return "n/a" if value is None else "yes" if value else "no"


def markdown(meta: dict, projects: list[dict]) -> str:
    lines = [f"# Image layouts side by side ({meta['date']}, Docker {meta['engine']}, {meta['backend']})", "",
             "Three layouts per project on the same `python:X.Y-slim` base: dockerfix's rewrite, the manager's documented",
             "expert layout (uv guide / Poetry / PDM / plain pip venv, `benchmarks/layouts/`) and `docker init`'s Python",
             "layout. Overhead = image size minus the base's. Rebuilds use the cold build's cache. In brackets: the ratio",
             "to the best other layout of the same project and run. `deps reused` = the version-bump rebuild took the",
             "dependency layer from the cache (BuildKit's log: `CACHED`); the dependency layer is the RUN step that installs",
             "the dependencies: the last RUN step an added dependency re-runs and a source-only change does not (none: a",
             "layout that installs the project and its dependencies in one step has no layer to reuse, `no`).",
             f"Run: `{meta['command']}`, {meta['seconds'] / 60:.0f} min, {meta['projects_done']} projects.", "",
             "| project | layout | overhead | layers | cold build | source-only | version bump | +1 dependency | deps reused | runs |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for project in projects:
        for name, row in project["layouts"].items():
            r = row.get("ratio_to_best_other", {})
            if not row.get("cold_ok"):
                lines.append(f"| {project['project']} | {name} | build failed: {row.get('error', '')[:80]} | | {_s(row.get('cold_seconds'))} | | | | | |")
                continue
            lines.append(
                f"| {project['project']} ({project['manager']}, {project['python']}) | {name} | {_mb(row['overhead_bytes'])}{_x(r.get('overhead_bytes'))} | "
                f"{row['layers']} | {_s(row['cold_seconds'])}{_x(r.get('cold_seconds'))} | "
                f"{_s(row.get('source_seconds'))}{_x(r.get('source_seconds'))} | {_s(row.get('version_seconds'))}{_x(r.get('version_seconds'))} | "
                f"{_s(row.get('dependency_seconds'))}{_x(r.get('dependency_seconds'))} | {_yes(row.get('version_reuses_dependencies'))} | "
                f"{_yes(row.get('runs'))} |")
    lines += ["", "## Issue 14's \"Done when\", for the rewrite", "",
              "| project | overhead ≤ best other | cold ≤ 1.1× best other | source-only ≤ 10% of cold | version bump reuses deps |",
              "|---|---|---|---|---|"]
    verdict = {True: "pass", False: "**fail**", None: "n/a"}
    for project in projects:
        done = project["done_when"]
        lines.append(f"| {project['project']} | " + " | ".join(verdict[value] for value in done.values()) + " |")
    lines += ["", "## Bytecode (`--compile-bytecode`), for the rewrite", "",
              "An option: compiled ahead, a first start skips compiling the modules it imports, for this much image size.", "",
              "| project | overhead without | overhead with bytecode | size cost | cold build with bytecode | runs |",
              "|---|---|---|---|---|---|"]
    for project in projects:
        plain, compiled = project["layouts"].get("rewrite", {}), project.get("bytecode") or {}
        if not compiled.get("cold_ok"):
            why = f"build failed: {compiled.get('error', '')[:80]}" if compiled else "not built"
            lines.append(f"| {project['project']} | {_mb(plain.get('overhead_bytes'))} | {why} | | | |")
            continue
        lines.append(f"| {project['project']} | {_mb(plain.get('overhead_bytes'))} | {_mb(compiled['overhead_bytes'])} | "
                     f"{_mb(compiled.get('size_cost_bytes'))} | {_s(compiled['cold_seconds'])} | {_yes(compiled.get('runs'))} |")
    notes = sorted({f"{project['project']}: {scenario}: {row[f'{scenario}_note']}" for project in projects
                    for row in project["layouts"].values() for scenario in SCENARIOS if row.get(f"{scenario}_note")})
    if notes:
        lines += ["", "## Not measured", "", *[f"- {note}" for note in notes]]
    return "\n".join(lines) + "\n"


def write_results(stem: str, meta: dict, projects: list[dict]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{stem}.json").write_text(json.dumps({"meta": meta, "projects": projects}, indent=2) + "\n")
    (RESULTS / f"{stem}.md").write_text(markdown(meta, projects))


def merge(stems: list[str], output: str) -> None:
    """One report from runs made at the same time on the same engine (projects split between them)."""
    runs = [json.loads((RESULTS / f"{stem}.json").read_text()) for stem in stems if (RESULTS / f"{stem}.json").is_file()]
    projects: dict[str, dict] = {}
    for run in runs:
        for project in run["projects"]:
            projects.setdefault(project["project"], project)
    ordered = sorted(projects.values(), key=lambda project: _order(project["project"]))
    meta = {**runs[0]["meta"], "command": " + ".join(f"`{run['meta']['command']}`" for run in runs).strip("`"),
            "seconds": max(run["meta"]["seconds"] for run in runs), "projects_done": f"{len(ordered)} of {len(list(FIXTURES.iterdir()))}",
            "side_by_side_runs": len(runs)}
    write_results(output, meta, ordered)
    for stem in stems:
        if stem != output and (RESULTS / f"{stem}.json").is_file():
            (RESULTS / f"{stem}.json").unlink()
            (RESULTS / f"{stem}.md").unlink()


def _order(name: str) -> tuple[int, str]:
    """One project of each manager first, so a run cut short still covers the managers."""
    first = ("uvproj", "poetry2", "pdmproj", "piptools", "pipenvproj", "pep621")
    return (first.index(name) if name in first else len(first), name)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="a fixture project (repeatable)")
    parser.add_argument("--quick", action="store_true", help="cold build and source-only rebuild only")
    parser.add_argument("--write", action="store_true", help="write the results of a partial run too")
    parser.add_argument("--output", default="images", metavar="STEM", help="results file names (default: images)")
    parser.add_argument("--merge", nargs="+", metavar="STEM",
                        help="only merge the results of runs made side by side (first one wins) into --output")
    args = parser.parse_args(argv)
    if args.merge:
        merge(args.merge, args.output)
        return 0
    names = args.only or sorted((path.name for path in FIXTURES.iterdir() if path.is_dir()), key=_order)
    unknown = [name for name in names if not (FIXTURES / name).is_dir()]
    if unknown:
        parser.error(f"no fixture project {', '.join(unknown)} in {FIXTURES}")
    started = time.monotonic()
    builder = Builder(run=uuid.uuid4().hex[:8])
    write = args.write or not (args.only or args.quick)
    projects: list[dict] = []
    for name in names:
        print(f"bench-images: {name} ...", flush=True)
        projects.append(measure(name, builder, args.quick))
        meta = {"date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {platform.system()}",
                "engine": engine_client().version().get("Version"), "backend": "BuildKit (DOCKER_BUILDKIT=1 docker build)",
                "command": "python benchmarks/images.py " + " ".join(argv), "seconds": round(time.monotonic() - started),
                "projects_done": f"{len(projects)} of {len(names)}"}
        text = markdown(meta, projects)
        if write:  # after each project, so an interrupted run keeps what it measured
            RESULTS.mkdir(parents=True, exist_ok=True)
            write_results(args.output, meta, projects)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
