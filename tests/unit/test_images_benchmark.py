"""The image-layout benchmark's engine-free parts (benchmarks/images.py): the hand-written layouts render, on the
project's base, as the guides describe; the project variants change only what they say; the ratios and issue 14's
thresholds are computed as the report states. The builds themselves run only in `nox -s bench-images`."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

import dockerfix
from dockerfix.analyse.dockerfile import parse_dockerfile
from dockerfix.build import BuildResult

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("images_benchmark", ROOT / "benchmarks" / "images.py")
assert _spec and _spec.loader
images = importlib.util.module_from_spec(_spec)
sys.modules["images_benchmark"] = images
_spec.loader.exec_module(images)

FIXTURES = ROOT / "tests" / "fixtures" / "projects"


def _facts(name: str):
    return images.LayoutFacts.of(dockerfix.analyse(FIXTURES / name))


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
@pytest.mark.parametrize("layout", ["expert", "docker-init"])
def test_every_layout_parses_on_the_projects_own_base_and_runs_unprivileged(name: str, layout: str) -> None:
    facts = _facts(name)
    text = images.render_layout(layout, facts, "cid")
    info = parse_dockerfile("Dockerfile", text)
    assert {stage.base for stage in info.stages} == {f"python:{facts.python}-slim"}
    assert "USER app" in text and text.rstrip().endswith("CMD " + images.json.dumps(list(facts.command)))
    assert "{{" not in text and "\n\n\n" not in text


def test_the_uv_layout_follows_the_guide_and_the_docker_init_one_its_template() -> None:
    uv = images.render_layout("expert", _facts("uvproj"), "run1-uvproj")
    assert "uv sync --locked --no-install-project --no-dev" in uv and "UV_COMPILE_BYTECODE=1" in uv
    assert "--mount=type=cache,id=run1-uvproj-uv,target=/root/.cache/uv" in uv  # per-run id: a cold build is cold
    assert uv.index("--no-install-project") < uv.index("COPY . /app") < uv.index("--no-editable")
    init = images.render_layout("docker-init", _facts("piptools"), "cid")
    assert len(parse_dockerfile("Dockerfile", init).stages) == 1 and "--uid 10001 appuser" in init
    assert "--mount=type=bind,source=requirements.txt,target=requirements.txt" in init
    pg = images.render_layout("expert", _facts("psycopg2src"), "cid")
    builder, final = pg.split("\nFROM ")[1:]
    assert "libpq-dev" in builder and "libpq5" in final and "libpq-dev" not in final
    assert "poetry==1.8.5" in images.render_layout("expert", _facts("poetry1"), "cid")  # the lock's own Poetry


def test_variants_change_only_what_they_say(tmp_path: Path) -> None:
    root = tmp_path / "pep621"
    shutil.copytree(FIXTURES / "pep621", root)
    project = dockerfix.analyse(root)
    images.bump_version(root, project)  # no lock: no tool runs
    assert 'version = "0.1.1"' in (root / "pyproject.toml").read_text()
    images.add_dependency(root, project)
    assert dockerfix.analyse(root).python.version == project.python.version
    assert '"idna"' in (root / "pyproject.toml").read_text()
    images.change_source(root)
    assert "BENCH_SOURCE_CHANGE" in (root / "src" / "svc_pep621" / "__init__.py").read_text()
    plain = tmp_path / "psycopg2src"
    shutil.copytree(FIXTURES / "psycopg2src", plain)
    with pytest.raises(images.LockUnavailable, match="no version"):
        images.bump_version(plain, dockerfix.analyse(plain))
    images.add_dependency(plain, dockerfix.analyse(plain))
    assert (plain / "requirements.txt").read_text().splitlines()[-1] == images.ADDED_PIN
    assert images.bumped("1.9") == "1.10"
    bare = tmp_path / "flaskreq"
    shutil.copytree(FIXTURES / "flaskreq", bare)
    images.change_source(bare)  # no package: the app's module
    assert "BENCH_SOURCE_CHANGE" in (bare / "app.py").read_text()


def test_ratios_and_done_when_against_the_best_other_layout() -> None:
    rows: dict[str, dict] = {
        "rewrite": {"overhead_bytes": 2_000_000, "cold_seconds": 33.0, "source_seconds": 3.0, "version_reuses_dependencies": True},
        "expert": {"overhead_bytes": 2_000_000, "cold_seconds": 30.0, "source_seconds": 4.0},
        "docker-init": {"overhead_bytes": 9_000_000, "cold_seconds": 50.0, "source_seconds": None},
    }
    ratios = images.with_ratios(rows)
    assert ratios["rewrite"]["ratio_to_best_other"]["cold_seconds"] == 1.1
    assert ratios["expert"]["ratio_to_best_other"]["cold_seconds"] == round(30 / 33, 2)
    assert ratios["docker-init"]["ratio_to_best_other"]["source_seconds"] is None
    assert images.done_when(rows) == {"overhead_at_most_best_other": True, "cold_at_most_1.1x_best_other": True,
                                      "source_rebuild_at_most_10pct_of_cold": True, "version_bump_reuses_dependency_layer": True}
    rows["rewrite"].update(overhead_bytes=2_000_001, cold_seconds=33.1, source_seconds=3.4, version_reuses_dependencies=None)
    assert images.done_when(rows) == {"overhead_at_most_best_other": False, "cold_at_most_1.1x_best_other": False,
                                      "source_rebuild_at_most_10pct_of_cold": False, "version_bump_reuses_dependency_layer": None}
    assert images.ratio(1.0, 0) is None and images.ratio(None, 2.0) is None


def test_the_dependency_layer_is_the_install_an_added_dependency_reruns_and_a_source_change_does_not() -> None:
    mask, install, project = 'RUN ["python", "-c", "mask"]', "RUN uv sync --no-install-project", "RUN uv sync"
    dependency = BuildResult(ok=True, backend="buildkit", log="",
                             ran_steps=("COPY pyproject.toml uv.lock ./", mask, install, "COPY . .", project))
    source = BuildResult(ok=True, backend="buildkit", log="", ran_steps=("COPY . .", project))
    assert images.dependency_step(dependency, source) == install  # not the mask before it, not the project after it
    one_step = BuildResult(ok=True, backend="buildkit", log="", ran_steps=("COPY . .", "RUN pip install ."))
    assert images.dependency_step(one_step, one_step) is None  # docker init's: no layer of its own
    assert images.dependency_step(BuildResult(ok=False, backend="buildkit", log=""), source) is None
    cold = images.StepLog.read(["#5 [manifests 3/3] " + mask, "#5 DONE 0.3s", "#7 [builder 4/6] " + install,
                                "#7 sha256:0123 done", "#7 DONE 12.5s", "#8 [builder 6/6] RUN uv sync", "#8 CACHED"])
    assert cold.seconds == {mask: 0.3, install: 12.5} and cold.place[install] == "builder 4"
    assert cold.cached == {"builder 6"}  # known by place: the same step of another build may read differently


def test_the_rewrite_builds_for_buildkit_with_this_runs_cache_ids() -> None:
    files = images.layout_files("rewrite", dockerfix.analyse(FIXTURES / "poetry2"), "run1-poetry2-rewrite")
    assert "--mount=type=cache,id=run1-poetry2-rewrite-root-.cache-uv,target=/root/.cache/uv" in files["Dockerfile"]
    assert "--mount=type=cache,target=" not in files["Dockerfile"] and set(files) == {"Dockerfile", ".dockerignore"}
    compiled = images.layout_files("rewrite", dockerfix.analyse(FIXTURES / "poetry2"), "c", compile_bytecode=True)
    assert "compileall" in compiled["Dockerfile"] and "compileall" not in files["Dockerfile"]


def test_the_report_shows_what_bytecode_costs_beside_the_rewrite() -> None:
    row = {"cold_ok": True, "overhead_bytes": 500_000, "layers": 6, "cold_seconds": 7.0, "source_seconds": 2.0,
           "version_reuses_dependencies": True, "runs": True}
    project = {"project": "notesapi", "manager": "uv", "python": "3.12", "layouts": {"rewrite": row},
               "done_when": images.done_when({"rewrite": row}),
               "bytecode": {"cold_ok": True, "overhead_bytes": 4_500_000, "size_cost_bytes": 4_000_000,
                            "cold_seconds": 9.0, "runs": True}}
    meta = {"date": "d", "engine": "e", "backend": "b", "command": "c", "seconds": 60, "projects_done": "1 of 1"}
    text = images.markdown(meta, [project])
    assert "| notesapi | +0.5 MB | +4.5 MB | +4.0 MB | 9.0 s | yes |" in text
    assert "| notesapi | +0.5 MB | not built | | | |" in images.markdown(meta, [{**project, "bytecode": {}}])
