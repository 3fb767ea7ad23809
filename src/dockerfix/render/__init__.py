"""Stage 3, render: a `BuildPlan` → Dockerfile and .dockerignore texts, from the jinja2 files in templates/."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import jinja2

from dockerfix.version import __version__
from dockerfix.analyse.dockerfile import parse_dockerfile
from dockerfix.analyse.dockerignore import excluding_pattern, parse_dockerignore
from dockerfix.model import Project
from dockerfix.plan import BuildPlan
from dockerfix.plan.safe import label_value, shell_quote

# Patterns of the old .dockerignore that the template already covers or that broke builds are not carried over.
DROPPED_PATTERNS = re.compile(r"^(\*\.lock|\*\*/\*\.lock|\*\.toml|\*\.txt|\*\.md|\*|\*\*)$")


def templates_dir() -> Path:
    """templates/ ships inside the wheel as dockerfix/templates; in a source checkout it is at the top level."""
    packaged = Path(__file__).resolve().parent.parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[3] / "templates"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # Dockerfiles, not HTML: values are validated and quoted by plan.safe instead
    )
    env.filters["shell_quote"] = shell_quote
    env.filters["label_value"] = label_value
    env.filters["tojson"] = lambda value: json.dumps(value)
    return env


def _tidy(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_dockerfile(plan: BuildPlan) -> str:
    text = _tidy(environment().get_template("Dockerfile.j2").render(plan=plan, version=__version__))
    parse_dockerfile("Dockerfile (rendered)", text)  # a template bug must never reach the user's tree
    return text


def needed_paths(project: Project, plan: BuildPlan) -> list[str]:
    """Files and directories the build must see: manifests, the backend's readme/license, the project's code, the
    files the final stage copies for its entry command."""
    paths = list(plan.installer.manifests) + [source for source, _ in plan.runtime_copies]
    if project.pyproject:
        paths += [p for p in (project.pyproject.readme, *project.pyproject.license_files) if p]
    base = "src/" if project.layout == "src" else ""
    paths += [f"{base}{name}" for name in project.import_packages if (project.root / f"{base}{name}").exists()]
    paths += [f"{base}{name}.py" for name in project.import_packages if (project.root / f"{base}{name}.py").exists()]
    return list(dict.fromkeys(p for p in paths if (project.root / p).exists()))


def render_dockerignore(project: Project, plan: BuildPlan) -> str:
    template = environment().get_template("dockerignore.j2")
    original = [p for p, _ in project.dockerignore.patterns] if project.dockerignore else []
    carried = [p for p in original if not DROPPED_PATTERNS.match(p)]
    draft = template.render(version=__version__, original=carried, keep=[])
    ignore = parse_dockerignore(".dockerignore", draft)
    keep = [path for path in needed_paths(project, plan) if excluding_pattern(ignore, path)]
    return _tidy(template.render(version=__version__, original=carried, keep=keep))
