"""How each dependency manager installs a project in the builder stage, as data.

Every installer follows the same shape (the uv Docker guide's and Poetry FAQ's layering): copy only the
manifests, install the locked dependencies into /opt/venv, then copy the sources and install the project
itself without dependencies. So a source-only change reuses the dependency layer.
Tools (Poetry, PDM, Pipenv) live in their own venv (/opt/tools) so they never end up in the final image.
The project's venv has no pip: pip runs from the base image and installs into it (PIP_PYTHON, pip >= 22.3).
`caches` are the directories a BuildKit cache mount keeps between builds.
The rewrite's builder (`with_uv`) has uv for the lock managers: `uv tool install` puts the tool in /opt/tools and
`uv pip` installs the exported pins, several times faster than pip cold. Standing alone in a user's Dockerfile
(transform.install_flow) the same commands run with pip, which every python image has.
"""

from __future__ import annotations

from dataclasses import dataclass

from dockerfix.model import LockFile, Project

# Poetry that reads each lock-file format, used when the lock's header does not name its Poetry version.
POETRY_FOR_LOCK_FORMAT = {"1.1": "1.8.5", "2.0": "1.8.5", "2.1": "2.1.4"}
# Today's unpinned PDM breaks against hishel 2 (`no attribute 'SyncSqliteStorage'`); this set works.
PDM_TOOLS = ("pdm==2.22.4", "unearth<0.18", "hishel<0.2", "httpx==0.28.1")
PIPENV_TOOLS = ("pipenv==2024.4.1",)
EXPORTED = "/tmp/requirements.txt"
PIP_CACHE = "/root/.cache/pip"
UV_CACHE = "/root/.cache/uv"
PDM_CACHE = "/root/.cache/pdm"
UV_PIP = "uv pip"


@dataclass(frozen=True)
class Installer:
    manager: str
    tools: tuple[str, ...]  # pip requirements of the tool venv, empty when pip alone does the job
    manifests: tuple[str, ...]  # files copied before the dependency install
    install_dependencies: str  # shell command run after the manifests are copied
    uses_uv_image: bool = False  # the uv manager: `uv sync` installs from uv.lock
    caches: tuple[str, ...] = (PIP_CACHE,)
    pip: str = "pip"  # what installs requirements and the project: "uv pip" in a builder that has uv

    @property
    def needs_uv(self) -> bool:
        """The builder copies uv from its image: uv's own projects, and the lock managers' tools and pins."""
        return self.uses_uv_image or self.pip == UV_PIP


def poetry_version(project: Project) -> str:
    return poetry_version_for_lock(project.lock)


def poetry_version_for_lock(lock: LockFile | None) -> str:
    """The Poetry that wrote `lock` (its header), else one that reads its lock format."""
    if lock and lock.tool_version:
        return lock.tool_version
    return POETRY_FOR_LOCK_FORMAT.get(lock.format_version if lock and lock.format_version else "2.0", "1.8.5")


def _poetry_tools(version: str) -> tuple[str, ...]:
    # Poetry >= 2 no longer bundles `export` (seed S000-6); 1.2–1.8 ship it through this plugin already.
    return (f"poetry=={version}",) if version.startswith("1.") else (f"poetry=={version}", "poetry-plugin-export")


def installer_for(project: Project, requirement_lines: tuple[str, ...], *, with_uv: bool = False) -> Installer:
    """`requirement_lines` are the validated, quoted run-time requirements (used when there is no lock);
    `with_uv`: the rewrite's builder, which has uv for the lock managers (Poetry, PDM, Pipenv)."""
    manager = project.manager
    lock = project.lock.path if project.lock else None
    pip, caches = (UV_PIP, (UV_CACHE,)) if with_uv else ("pip", (PIP_CACHE,))
    if manager == "poetry" and lock:
        version = poetry_version(project)
        return Installer(
            manager, _poetry_tools(version), ("pyproject.toml", lock),
            f"/opt/tools/bin/poetry export --only main --format requirements.txt --output {EXPORTED}"
            f" && {pip} install --no-deps --require-hashes -r {EXPORTED}", caches=caches, pip=pip,
        )
    if manager == "uv":
        return Installer(manager, (), ("pyproject.toml", "uv.lock"),
                         "uv sync --frozen --no-dev --no-install-project", uses_uv_image=True, caches=(UV_CACHE,))
    if manager == "pdm" and project.lock and "inherit_metadata" not in project.lock.strategy:
        # `pdm export` refuses a lock without environment markers ("Can't export a lock file without environment
        # markers"); `pdm sync` installs it as it is, into the venv PDM_PYTHON names (over a stale .pdm-python).
        return Installer(manager, PDM_TOOLS, ("pyproject.toml", "pdm.lock"),
                         'PDM_PYTHON="$VIRTUAL_ENV/bin/python" /opt/tools/bin/pdm sync --prod --no-self --no-editable',
                         caches=(PDM_CACHE, *caches), pip=pip)
    if manager == "pdm":
        return Installer(manager, PDM_TOOLS, ("pyproject.toml", "pdm.lock"),
                         f"/opt/tools/bin/pdm export --prod --format requirements --output {EXPORTED}"
                         f" && {pip} install --no-deps --require-hashes -r {EXPORTED}", caches=caches, pip=pip)
    if manager == "pipenv":
        manifests = ("Pipfile", "Pipfile.lock") if project.lock else ("Pipfile",)
        return Installer(manager, PIPENV_TOOLS, manifests,
                         f"/opt/tools/bin/pipenv requirements > {EXPORTED} && {pip} install -r {EXPORTED}",
                         caches=caches, pip=pip)
    # requirements files and lock-less pyproject: pip's own resolver and messages, which the catalog's rules read
    if manager == "requirements" and project.requirements:
        req = project.requirements[0]
        flags = "--require-hashes " if req.hashed else ""
        return Installer(manager, (), (req.path, *req.includes), f"pip install {flags}-r {req.path}")
    deps = " ".join(requirement_lines)
    return Installer("pip", (), ("pyproject.toml",) if project.pyproject else (),
                     f"pip install {deps}" if deps else "true")
