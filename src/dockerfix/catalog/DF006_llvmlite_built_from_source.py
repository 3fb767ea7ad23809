"""pip builds llvmlite from source because no llvmlite wheel fits the image's Python, and the build fails.

What it catches: `RuntimeError: Could not find a llvm-config binary` (seed S000-7), `RuntimeError: Building
llvmlite requires LLVM 14, got '20.1.3'` (S000-8, and S000-9 where LLVM_CONFIG was set but did not reach
the build), or pip's summary `Failed building wheel for llvmlite` / `Failed to build installable wheels for
some pyproject.toml based projects (llvmlite)` (today's setuptools fails in llvmlite's build script even
before it looks for LLVM).
Why it breaks: each llvmlite release publishes wheels for the Pythons that existed when it was released
(0.42.0: CPython 3.9–3.12). On a newer Python pip falls back to the sdist, whose build needs LLVM's
development files of exactly one major version, found through `llvm-config`, and a C++ compiler; slim
images have neither, and a build isolated by pip sees only what is set in its own RUN.
The fix: preferably the Python version, not LLVM. The FROM tags move to the newest Python that the
project's constraints allow and for which every locked package has a wheel (the analysis' choice; for a
pinned requirements file the index is asked). Only when no allowed Python has wheels does the stage get the
LLVM that release needs: a RUN installing the table's build packages (`llvm-14-dev`, compilers) before the
install, and `export LLVM_CONFIG=/usr/bin/llvm-config-14` at the start of the install's own RUN.
"""

from __future__ import annotations

import re

from dockerfix import tables
from dockerfix.analyse.failed_step import failed_run
from dockerfix.catalog.rule import Context, Finding, Fix, Location, Rule, Skip, evidence_lines, regex
from dockerfix.catalog.source_build import pinned_version, python_with_wheel
from dockerfix.transform import apt
from dockerfix.transform.dockerfile import replace_instruction, source_lines
from dockerfix.transform.python_version import retag_python, stage_python

ID = "DF006"
PACKAGE = "llvmlite"
LLVM_DEV = re.compile(r"^llvm-(?P<major>\d+)-dev$")


def from_log(context: Context, match: re.Match[str], log: str) -> Finding | None:
    dockerfile = context.project.dockerfile
    if dockerfile is None or dockerfile.final_stage is None:
        return None
    run = failed_run(dockerfile, log)
    stage = dockerfile.stages[run.stage] if run else dockerfile.final_stage
    current = stage_python(dockerfile, stage, context.base_pythons) or ""
    need = (match.groupdict().get("need") or "")
    version = pinned_version(context.project, PACKAGE) or "?"
    return Finding(ID, f"llvmlite {version} has no wheel for Python {current or '(unknown)'}, so pip built it from "
                       "source, which needs LLVM", evidence=evidence_lines(log, match),
                   location=Location(context.dockerfile_path, run.line) if run else None,
                   captures={"current": current, "llvm": need})


def _install_llvm(context: Context, finding: Finding) -> Fix | Skip:
    dockerfile = context.project.dockerfile
    runs = [i for i in (dockerfile.instructions if dockerfile else ()) if i.keyword == "RUN"
            and re.search(r"\b(?:pip|poetry|uv|pdm|pipenv)\b", i.value)]
    libs = tables.system_libs(PACKAGE)
    if dockerfile is None or not runs or libs is None:
        return Skip("no install step to give LLVM to")
    target = next((i for i in runs if "llvmlite" in i.value), None) or next(
        (i for i in runs if re.search(r"\binstall\b|\bsync\b", i.value)), runs[-1])
    stage = apt.stage_of(dockerfile, target)
    if not apt.has_apt(dockerfile, stage):
        return Skip(f"the stage's base image ({apt.base_image(dockerfile, stage)}) has no apt to install LLVM with")
    packages = list(libs.build)
    need = finding.capture("llvm")
    if need:
        packages = [f"llvm-{need}-dev" if LLVM_DEV.match(p) else p for p in packages]
    major = next((LLVM_DEV.match(p).group("major") for p in packages if LLVM_DEV.match(p)), None)  # type: ignore[union-attr]
    if major is None:
        return Skip("the system-library table names no LLVM for llvmlite")
    config = f"/usr/bin/llvm-config-{major}"
    text = context.dockerfile_text
    source = source_lines(text, target)
    if "LLVM_CONFIG=" not in source:
        text = replace_instruction(text, target, re.sub(r"^RUN\s+", f"RUN export LLVM_CONFIG={config} && ", source, count=1))
    if not set(packages) <= apt.stage_packages(stage):
        text = apt.insert_install_before(text, dockerfile, target, packages)
    return Fix({context.dockerfile_path: text},
               f"no allowed Python has an llvmlite wheel: installed {' '.join(packages)} before the install and set "
               f"LLVM_CONFIG={config} in the install's own RUN (a variable set elsewhere does not reach pip's build)")


def fix(context: Context, finding: Finding) -> Fix | Skip:
    dockerfile = context.project.dockerfile
    if dockerfile is None:
        return Skip("no Dockerfile")
    current = finding.capture("current")
    python = python_with_wheel(context.project, PACKAGE)
    if current and python and python != current:
        text, changed = retag_python(context.dockerfile_text, dockerfile, current, python,
                                      floating=context.base_pythons)
        if changed:
            return Fix({context.dockerfile_path: text},
                       f"moved the image to Python {python}, for which llvmlite has a wheel, instead of building it: "
                       + "; ".join(changed) + (f" (Python {context.project.python.reason})" if context.project.lock else ""))
    return _install_llvm(context, finding)


RULE = Rule(
    id=ID,
    name="llvmlite-built-from-source",
    kind="build",
    summary="llvmlite has no wheel for the image's Python and its source build fails",
    explanation=__doc__,
    seeds=("S000-7", "S000-8", "S000-9"),
    case="s000-7-llvmlite-no-wheel",
    log=regex(r"Building llvmlite requires LLVM (?P<need>\d+)(?:\.\d+)*, got",
              r"Could not find a `?llvm-config`? binary",
              r"(?:Failed building wheel for|Failed to build|Could not build wheels for) llvmlite\b",
              r"based projects \((?:[\w.-]+, )*llvmlite[,)]",
              r"llvmlite \([\w.]+\) not supporting PEP 517 builds"),
    from_log=from_log,
    fix=fix,
)
