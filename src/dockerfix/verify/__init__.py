"""Stage 7, verify: prove the built image works, with checks run inside it (no network, time-bounded).

One container runs `probe.py` (shipped beside this file) for the checks that need only Python: imports of the
project's packages and of every declared dependency, `pip check`, the entry command resolving (its
executable on PATH, its module importable, the script it runs present), no imported project module dropped by
`.dockerignore`, a non-root user with a writable HOME, the sources byte-compiling. A second container starts
the image's own command, as a person would: a server must stay up (and, with an HTTP path, answer that page,
asked from inside the container since it has no network), any other command must exit 0 or keep running. The
optional cache check rebuilds the project with one source file touched and fails when the dependency install
runs again. Each check has an id, a result, typed facts (what run-time diagnosis reads, `dockerfix.checks`) and
words for people.
"""

from __future__ import annotations

import contextlib
import json
import posixpath
import re
import shlex
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import requests
import urllib3
from docker.errors import APIError, DockerException, NotFound
from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName

from dockerfix.analyse.dockerignore import excluding_pattern
from dockerfix.analyse.image_paths import application_dirs
from dockerfix.analyse.imports import (
    environment_reads,
    django_settings_module,
    environment_settings,
    Reach,
    entry_reach,
    ignored_imports,
    imported_modules,
    required_environment,
)
from dockerfix.model import EntryCommand, Project
from dockerfix.build import MANAGED_LABEL, BuildBackend, docker_host, new_tag
from dockerfix.build.engine import engine_client
from dockerfix.analyse.install_steps import first_dependency_installs, same_step
from dockerfix.analyse.withheld import withheld_file
from dockerfix.checks import (
    CacheRebuild,
    Check,
    EntryRun,
    Facts,
    HttpAnswer,
    Imports,
    ProbeRun,
    RerunInstall,
    Verification,
    check_from_json,
)
from dockerfix.errors import EngineUnavailable

__all__ = ["CacheProbe", "Check", "Verification", "cache_check", "server_port", "verify"]

PROBE = Path(__file__).with_name("probe.py")
CHECK_TIMEOUT_SECONDS = 120
SERVER_UP_SECONDS = 4
ENTRY_RUN_SECONDS = 8  # a one-shot command that fails on start-up (an import in __main__) fails within this
HTTP_WAIT_SECONDS = 10  # how long the HTTP probe retries while the server is still binding its port
DEFAULT_PORT = 8000
TIMED_OUT = 124  # the exit status `timeout` uses
IMPORTING = re.compile(r"^dockerfix-probe: importing (\S+)$", re.MULTILINE)
CACHE_MARK = "\n# dockerfix cache check: a source-only change\n"
# Run inside the container by `docker exec`: the container has no network, but its loopback answers.
HTTP_PROBE = """
import sys, time, urllib.error, urllib.request
url, deadline = sys.argv[1], time.monotonic() + float(sys.argv[2])
while True:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            print(response.status, response.read(300).decode("utf-8", "replace"))
        break
    except urllib.error.HTTPError as error:
        print(error.code, error.read(300).decode("utf-8", "replace"))
        break
    except OSError as error:
        if time.monotonic() > deadline:
            print(0, error)
            break
        time.sleep(0.5)
"""
# What a program prints when it cannot reach the network, which verification cuts off: not the image's fault.
# ... and a database server the deployment runs beside the image, reached through its local socket when no host is
# configured (libpq, old and new wording; MySQL's client)
NETWORK_ERRORS = re.compile(r"Temporary failure in name resolution|Name or service not known|Network is unreachable|"
                            r"nodename nor servname|getaddrinfo failed|Connection refused|No route to host|"
                            r"connection to server on socket \S+ failed|connections on Unix domain socket|"
                            r"Can't connect to local MySQL server through socket")


@dataclass(frozen=True)
class CacheProbe:
    """What the cache check needs to rebuild the project: the tree, the edited texts over it, a backend."""

    root: Path
    files: Mapping[str, str]
    backend: BuildBackend
    timeout: float = 1200.0
    warm: bool = False  # build the untouched tree first (when the image under test was not built from it just now)


def _wait(container: Any, timeout: float) -> int | None:
    """The container's exit status, or None when it is still running after `timeout` seconds.

    Only the wait's own time limit means "still running"; an engine that stops answering is reported as such.
    """
    try:
        return int(container.wait(timeout=timeout).get("StatusCode", 1))
    except requests.exceptions.ReadTimeout:
        return None
    except requests.exceptions.ConnectionError as exc:
        if any(isinstance(arg, urllib3.exceptions.ReadTimeoutError) for arg in exc.args):
            return None  # the same time limit, reached inside the connection pool (requests wraps it so there)
        raise EngineUnavailable(docker_host(), f"the engine stopped answering during verification: {exc}") from exc


def _run(client: Any, image: str, command: list[str], *, timeout: float, entrypoint: list[str] | None = None,
         user: str | None = None) -> tuple[int, str]:
    """Run a command in a fresh container (no network) and return (exit status, output); always removes it."""
    container = client.containers.create(image, command=command, entrypoint=entrypoint, network_disabled=True,
                                         labels={MANAGED_LABEL: "1"}, user=user or "", detach=True)
    try:
        container.start()
        status = _wait(container, timeout)
        if status is None:
            output = container.logs().decode("utf-8", "replace")
            container.kill()
            return TIMED_OUT, f"timed out after {timeout:.0f} s\n{output[-4000:]}"
        return status, container.logs().decode("utf-8", "replace")
    finally:
        _remove(container)


def _remove(container: Any) -> None:
    try:
        container.remove(force=True)
    except NotFound:
        pass  # removed already (a test session's cleanup of labelled containers)


def _runs_module(entry: EntryCommand) -> bool:
    """`python -m MODULE`: the module is run, so a package needs a __main__ module."""
    words = " ".join(entry.entrypoint + entry.argv)
    return entry.module is not None and re.search(rf"(?:^|\s)-m\s+{re.escape(entry.module)}(?:\s|$)", words) is not None


MACHINES = {"amd64": "x86_64", "arm64": "aarch64", "386": "i686", "arm": "armv7l", "ppc64le": "ppc64le",
            "s390x": "s390x"}  # Docker's Architecture names → platform.machine()


def marker_environment(attrs: Mapping[str, Any]) -> dict[str, str] | None:
    """The PEP 508 marker environment of the image's Python, from the official images' PYTHON_VERSION (None when
    the image does not say which Python it has)."""
    env = dict(item.partition("=")[::2] for item in (attrs.get("Config") or {}).get("Env") or ())
    full = env.get("PYTHON_VERSION", "")
    if not re.fullmatch(r"\d+\.\d+(\.\d+)?\S*", full):
        return None
    machine = MACHINES.get(attrs.get("Architecture", ""), attrs.get("Architecture", ""))
    return {"python_version": ".".join(full.split(".")[:2]), "python_full_version": full, "os_name": "posix",
            "sys_platform": "linux", "platform_system": "Linux", "platform_machine": machine,
            "implementation_name": "cpython", "platform_python_implementation": "CPython", "extra": ""}


def installed_dependencies(project: Project, environment: Mapping[str, str] | None) -> list[str]:
    """The declared dependencies pip installs into this image: those without a marker, and those whose marker holds
    in the image's environment (`backports.zoneinfo; python_version < "3.9"` is not installed on 3.12). With the
    environment unknown, a marked dependency is not expected."""
    names = set()
    for requirement in project.dependencies:
        if not requirement.marker:
            names.add(requirement.name)
            continue
        try:
            if environment is not None and Marker(requirement.marker).evaluate(dict(environment)):
                names.add(requirement.name)
        except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName):
            continue  # a marker pip could not evaluate either installs nothing
    return sorted(names)


def entry_code(project: Project, django_settings: str | None) -> Reach | None:
    """The project code the entry command runs: the module it imports and the .py files it names (`python app.py`,
    `streamlit run main.py`), with what they import. None when that is unknown: no entry command, none of its files
    in the project, or a Django project (its settings load apps by name)."""
    entry = project.entry
    if entry is None or django_settings is not None:
        return None
    app_dirs = application_dirs(project)
    words = [*entry.entrypoint, *entry.argv]
    if words[:2] == ["/bin/sh", "-c"] and len(words) == 3:
        try:
            words = shlex.split(words[2])
        except ValueError:  # unbalanced quotes: no file names to read
            words = []
    scripts = []
    for word in words:
        if not word.endswith(".py"):
            continue
        for folder in app_dirs:
            if word.startswith(f"{folder}/"):
                word = word[len(folder) + 1:]
                break
        scripts.append(posixpath.normpath(word))
    bases = [b for b in dict.fromkeys([project.context, project.source]) if b != "."]
    scripts += [posixpath.join(base, script) for base in bases for script in list(scripts)]
    return entry_reach(project.root, project.dockerignore, [entry.module] if entry.module else [], scripts,
                       ["", *bases])


def _probe_spec(project: Project, environment: Mapping[str, str] | None = None) -> dict[str, Any]:
    entry = project.entry
    django_settings = django_settings_module(project.root / project.source, project.dockerignore)
    reach = entry_code(project, django_settings)
    return {
        "packages": list(project.import_packages),
        "reached": sorted(reach.packages) if reach else None,
        "distributions": installed_dependencies(project, environment),
        # what the entry command itself runs counts too: `uvicorn app:api` needs the uvicorn distribution
        "imported": sorted((reach.imports if reach else imported_modules(project.root, project.dockerignore))
                           | {w for w in (project.entry.executable if project.entry else None,) if w}),
        "executable": entry.executable if entry else None,
        "module": entry.module if entry else None,
        "run_module": _runs_module(entry) if entry else False,
        "script": entry.script if entry else None,
        "app_dirs": application_dirs(project),
        "ignored_imports": [asdict(i) for i in ignored_imports(project.root, project.dockerignore)],
        "django_settings": django_settings,
    }


def verify(project: Project, image: str, *, timeout: float = CHECK_TIMEOUT_SECONDS, http_path: str | None = None,
           cache: CacheProbe | None = None) -> Verification:
    """Run the checks in `image`; `http_path` ("/health") also requests that page from a server, `cache` adds the
    cache check (one more build)."""
    started = time.monotonic()
    client = engine_client()
    checks: list[Check] = []
    try:
        inspected = client.images.get(image).attrs
    except DockerException:
        inspected = {}
    spec = json.dumps(_probe_spec(project, marker_environment(inspected)))
    status, output = _run(client, image, ["python", "-c", PROBE.read_text(), spec], entrypoint=[], timeout=timeout)
    try:
        checks += [check_from_json(r) for r in json.loads(output.strip().splitlines()[-1])]
    except (json.JSONDecodeError, IndexError, KeyError, TypeError):
        announced = IMPORTING.findall(output) if status == TIMED_OUT else []
        hung = announced[-1] if announced else None  # the probe announces each import: the last never returned
        detail = f"the verification probe did not run (exit {status})" + (
            f": importing {hung} did not finish within {timeout:.0f} s" if hung else "")
        checks.append(Check("probe", False, detail, output[-4000:], ProbeRun(status, hung, output[-4000:])))
    environment = _image_environment(inspected)
    checks = [_configured(project, c, environment) for c in checks]
    if project.entry is not None and all(c.passed for c in checks):
        launch = Launch(list(project.entry.argv), dict(project.entry.environment)) if project.entry.deployment else Launch()
        environment |= set(launch.environment)
        checks += [_configured(project, c, environment) for c in (
            _server_checks(client, image, http_path, server_port(project), launch) if project.entry.server
            else [_entry_run_check(client, image, launch)])]
    if cache is not None:
        checks.append(cache_check(project, cache))
    size, layers = inspected.get("Size"), len(inspected.get("RootFS", {}).get("Layers", [])) if inspected else None
    return Verification(passed=all(c.passed for c in checks), checks=tuple(checks), image_size=size, layers=layers,
                        seconds=time.monotonic() - started)


TRACEBACK_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+), in ', re.MULTILINE)
CONFIGURABLE = ("imports-project", "entry-starts", "entry-runs")
SYSTEM_EXIT = re.compile(r"^SystemExit\b", re.MULTILINE)
MISSING_FILE = re.compile(r"^FileNotFoundError: \[Errno 2\] [^:\n]*: '(?P<path>[^'\n]+)'", re.MULTILINE)


def _image_environment(attrs: Mapping[str, Any]) -> set[str]:
    """The names of the environment variables the image sets (its ENV)."""
    return {item.partition("=")[0] for item in (attrs.get("Config") or {}).get("Env") or ()}


def _project_file(project: Project, image_path: str) -> Path | None:
    """The project file an image path is a copy of (`/app/config.py` → config.py), matched by its trailing parts;
    None for the files of Python and of installed packages."""
    if "site-packages" in image_path or "/lib/python" in image_path or not image_path.endswith(".py"):
        return None
    parts = image_path.strip("/").split("/")
    base = project.root / project.source
    for start in range(len(parts)):
        candidate = base.joinpath(*parts[start:])
        if candidate.is_file():
            return candidate
    return None


def unset_configuration(project: Project, printed: str, environment: set[str],
                        settings: Mapping[str, tuple[str, ...]] | None = None) -> tuple[str, ...]:
    """The environment variables that the innermost project frame of a traceback reads and the image does not set
    (`subs_list = env.get("subs_list").split(",")` with no subs_list): the program stopped for want of configuration.
    Empty when the traceback ends elsewhere, or its line reads no variable the image lacks."""
    for image_path, line in reversed(TRACEBACK_FRAME.findall(printed)):
        path = _project_file(project, image_path)
        if path is not None:
            return tuple(name for name in environment_reads(path, int(line), settings) if name not in environment)
    return ()


def withheld_files(project: Project, printed: str) -> tuple[str, ...]:
    """The project file whose absence ended a traceback (`FileNotFoundError: ... 'config.yaml'`) when the repository
    withholds it on purpose (.gitignore, or only a template ships): a deployment provides it. Empty otherwise."""
    missing = MISSING_FILE.findall(printed)
    withheld = withheld_file(project.root, project.root / project.source, missing[-1]) if missing else None
    return (withheld,) if withheld else ()


def _configured(project: Project, check: Check, environment: set[str]) -> Check:
    """A failed import or entry run whose every traceback stops at the project reading an environment variable the
    image does not set passes, saying which: a deployment gives it (`docker run -e`), an image cannot. So does one
    that stops opening a file the repository withholds on purpose (a gitignored `config.yaml`), and an entry that
    exits non-zero with no traceback, naming a variable the code requires and the image does not set (a program
    that checks its own configuration)."""
    if check.passed or check.name not in CONFIGURABLE or check.facts is None:
        return check
    settings = environment_settings(project.root / project.source, project.dockerignore)

    def unset(printed: str) -> tuple[str, ...]:
        found = unset_configuration(project, printed, environment, settings) + withheld_files(project, printed)
        if not found and (not TRACEBACK_FRAME.search(printed) or SYSTEM_EXIT.search(printed)):
            # a program that checks its own configuration and exits (sys.exit), naming what it lacks
            required = required_environment(project.root / project.source, project.dockerignore) - environment
            found = tuple(sorted(n for n in required if re.search(rf"\b{re.escape(n)}\b", printed)))
        return found

    if isinstance(check.facts, Imports) and check.facts.failures:
        missing = [unset(f.error) for f in check.facts.failures]
        facts: Facts = replace(check.facts, unconfigured=tuple(dict.fromkeys(n for m in missing for n in m)))
    elif isinstance(check.facts, EntryRun) and check.facts.exit_code not in (None, 0):
        missing = [unset(check.facts.output)]
        facts = replace(check.facts, unconfigured=missing[0])
    else:
        return check
    if not all(missing):
        return check
    names = ", ".join(dict.fromkeys(n for m in missing for n in m))
    return replace(check, passed=True, facts=facts,
                   detail=f"{check.detail}, for want of configuration the image does not hold ({names}): "
                          "verified without it, as a deployment would give it")


def server_port(project: Project) -> int:
    """The port the server listens on: from its command line (--port, --bind host:port), else EXPOSE, else 8000."""
    if project.entry is not None and project.entry.port is not None:
        return project.entry.port
    exposed = project.dockerfile.all("EXPOSE") if project.dockerfile else ()
    for instruction in exposed:
        if match := re.match(r"(\d+)", instruction.value):
            return int(match.group(1))
    return DEFAULT_PORT


@dataclass(frozen=True)
class Launch:
    """How verification starts the entry: the image's own command (None), or the command and environment its
    deployment gives."""
    command: list[str] | None = None
    environment: Mapping[str, str] = field(default_factory=dict)


def _start(client: Any, image: str, name: str, launch: Launch) -> tuple[Any, Check | None]:
    """A container of the image's own command (or the one its deployment gives), started (no network); or the check
    that says it cannot start."""
    container = client.containers.create(image, command=launch.command, environment=dict(launch.environment),
                                         network_disabled=True, labels={MANAGED_LABEL: "1"}, detach=True)
    try:
        container.start()
    except APIError as exc:  # `exec: "uvicorn": executable file not found in $PATH`
        refused = str(exc.explanation or exc)
        return container, Check(name, False, "the entry command cannot start", refused, EntryRun(0.0, refused=refused))
    return container, None


@contextlib.contextmanager
def _owned(container: Any) -> Iterator[None]:
    """Remove the container afterwards; one that vanishes meanwhile (another process cleaning the engine's labelled
    containers) ends verification as a lost engine would, not as a failed check."""
    try:
        yield
    except NotFound as exc:
        raise EngineUnavailable(docker_host(), f"the verification container {container.short_id} was removed by "
                                               "another process during verification") from exc
    finally:
        _remove(container)


# CPython's OSError text for EACCES; coreutils' (mkdir, touch: the path quoted) and dash's redirection (unquoted)
DENIED = re.compile(r"PermissionError: \[Errno 13\] Permission denied: '(?P<python>[^']+)'"
                    r"|cannot (?:create|touch|open)(?: directory| regular file)? '?(?P<shell>/[^':\s]+)'?: Permission denied")


def denied_paths(logs: str) -> tuple[str, ...]:
    """The paths the command was refused writing, as its errors printed them, in order."""
    return tuple(dict.fromkeys(m.group("python") or m.group("shell") for m in DENIED.finditer(logs)))


def _server_checks(client: Any, image: str, http_path: str | None, port: int, launch: Launch) -> list[Check]:
    """Start the image's own command (or its deployment's); a server that exits within a few seconds did not start."""
    container, refused = _start(client, image, "entry-starts", launch)
    with _owned(container):
        if refused is not None:
            return [refused]
        time.sleep(SERVER_UP_SECONDS)
        container.reload()
        logs = container.logs().decode("utf-8", "replace")
        if container.status != "running":
            code = container.attrs.get("State", {}).get("ExitCode")
            return [Check("entry-starts", False, f"the entry command exited with status {code} within {SERVER_UP_SECONDS} s",
                          logs[-4000:], EntryRun(SERVER_UP_SECONDS, exit_code=code, output=logs[-4000:],
                                                 denied=denied_paths(logs)))]
        checks = [Check("entry-starts", True, f"the entry command is still running after {SERVER_UP_SECONDS} s",
                        logs[-2000:], EntryRun(SERVER_UP_SECONDS, output=logs[-2000:]))]
        if http_path:
            checks.append(_http_check(container, http_path, port))
        return checks


def _entry_run_check(client: Any, image: str, launch: Launch) -> Check:
    """Run the image's own (non-server) command briefly: it must exit 0, or still be running when the time is up.

    Failing to reach the network is forgiven, since verification cuts it off; the import error that only shows when
    the entry module runs (a name used in `__main__.py`) is not.
    """
    container, refused = _start(client, image, "entry-runs", launch)
    with _owned(container):
        if refused is not None:
            return refused
        code = _wait(container, ENTRY_RUN_SECONDS)
        logs = container.logs().decode("utf-8", "replace")[-4000:]
        if code is None:
            return Check("entry-runs", True, f"the entry command is still running after {ENTRY_RUN_SECONDS} s", logs,
                         EntryRun(ENTRY_RUN_SECONDS, output=logs))
        offline = code != 0 and NETWORK_ERRORS.search(logs) is not None
        facts = EntryRun(ENTRY_RUN_SECONDS, exit_code=code, output=logs, needs_network=offline,
                         denied=denied_paths(logs) if code else ())
        if code == 0 or offline:
            return Check("entry-runs", True, "the entry command ran and exited with status 0" if code == 0 else
                         f"the entry command exited with status {code} reaching the network, which verification cuts off",
                         logs, facts)
        return Check("entry-runs", False, f"the entry command exited with status {code}", logs, facts)


def _http_check(container: Any, path: str, port: int) -> Check:
    url = f"http://127.0.0.1:{port}/{path.lstrip('/')}"
    result = container.exec_run(["python", "-c", HTTP_PROBE, url, str(HTTP_WAIT_SECONDS)], demux=False)
    text = (result.output or b"").decode("utf-8", "replace").strip()
    status_text, _, body = text.partition(" ")
    status = int(status_text) if status_text.isdigit() else 0
    if 200 <= status < 400:
        return Check("http-probe", True, f"GET {url} answered {status}", body, HttpAnswer(url, status, body))
    if status == 0:
        logs = container.logs().decode("utf-8", "replace")[-2000:]
        return Check("http-probe", False, f"GET {url}: no answer within {HTTP_WAIT_SECONDS} s", f"{body or text}\n{logs}",
                     HttpAnswer(url, 0, body or text, logs))
    return Check("http-probe", False, f"GET {url} answered {status}", body, HttpAnswer(url, status, body))


def _touchable_source(project: Project, files: Mapping[str, str]) -> str | None:
    """A .py file of the project's own code that the build context carries: the file the cache check edits."""
    base = project.root / "src" if project.layout == "src" else project.root
    candidates = [p for name in project.import_packages for p in (sorted((base / name).rglob("*.py")) or [base / f"{name}.py"])]
    candidates += sorted(project.root.glob("*.py"))
    for path in candidates:
        relpath = path.relative_to(project.root).as_posix()
        if path.is_file() and excluding_pattern(project.dockerignore, relpath) is None:
            return relpath
    return None


def cache_check(project: Project, cache: CacheProbe) -> Check:
    """Rebuild with one source file changed: the first dependency install of each stage must come from the cache."""
    dockerfile = project.dockerfile
    installs = first_dependency_installs(dockerfile) if dockerfile else []
    source = _touchable_source(project, cache.files)
    if dockerfile is None or not installs or source is None:
        skipped = "no Dockerfile" if dockerfile is None else "no dependency install step" if not installs \
            else "no source file of the project in the build context"
        return Check("cache", True, f"skipped: {skipped}", facts=CacheRebuild(skipped=skipped))
    text = cache.files.get(source)
    if text is None:
        text = (cache.root / source).read_text(errors="replace")
    overlay = {**cache.files, source: text.rstrip("\n") + "\n" + CACHE_MARK}
    warmed = cache.backend.build(cache.root, dict(cache.files), dockerfile, tag=new_tag(cache.root),
                                 labels={MANAGED_LABEL: "1"}, timeout=cache.timeout) if cache.warm else None
    if warmed is not None and not warmed.ok:
        cache.backend.cleanup(warmed, keep_cache=False)
        return Check("cache", False, f"the project does not build: {warmed.error}", warmed.log[-3000:],
                     CacheRebuild(source, build_error=warmed.error))
    result = cache.backend.build(cache.root, overlay, dockerfile, tag=new_tag(cache.root), labels={MANAGED_LABEL: "1"},
                                 timeout=cache.timeout)
    try:
        if not result.ok:
            return Check("cache", False, f"the rebuild after a change to {source} failed: {result.error}",
                         result.log[-3000:], CacheRebuild(source, build_error=result.error))
        reran = tuple(RerunInstall(dockerfile.path, i.line, i.text.splitlines()[0]) for i in installs
                      if any(same_step(step, i) for step in result.ran_steps))
        if not reran:
            return Check("cache", True, f"a change to {source} reused the dependency install layer(s) "
                                        f"({result.seconds:.0f} s rebuild)", "\n".join(result.ran_steps), CacheRebuild(source))
        lines = [f"dependency install re-ran after a source-only change to {source}: {i.dockerfile}:{i.line} {i.text}"
                 for i in reran]
        return Check("cache", False, f"a change to {source} re-ran the dependency install ({result.seconds:.0f} s rebuild)",
                     "\n".join(lines), CacheRebuild(source, reran))
    finally:
        for built in (result, warmed):  # the cache layers the image under test shares have children, and stay
            if built is not None:
                cache.backend.cleanup(built, keep_cache=False)
