"""Runs inside the built image (any Python >= 3.8, standard library only) and prints one JSON line of check results.

argv[1] is a JSON object: {"packages": [...], "reached": [...]|null, "distributions": [...], "imported": [...],
"executable": str|null, "module": str|null, "run_module": bool, "script": str|null, "app_dirs": [...],
"ignored_imports": [{"module", "path", "importer", "pattern", "line"}, ...], "django_settings": str|null}.
`reached` holds the project packages the entry command's code imports (null: unknown), `imported` the top-level
modules the application's code imports (the entry's code when known); `app_dirs` the image directories that hold
the application's files. Each result is {"name", "passed", "detail", "output", "facts"}: the facts are typed on the
host by `dockerfix.checks` (which rules read); detail and output are for people.
"""

import contextlib
import glob
import importlib
import importlib.metadata
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

SPEC = json.loads(sys.argv[1])
RESULTS = []


def check(name, passed, detail, output="", **facts):
    RESULTS.append({"name": name, "passed": bool(passed), "detail": detail, "output": output[-6000:], "facts": facts})


def top_level_modules(distribution):
    """Import names a distribution provides, from its metadata (top_level.txt, else its RECORD)."""
    dist = importlib.metadata.distribution(distribution)
    names = (dist.read_text("top_level.txt") or "").split()
    if not names:
        for path in dist.files or ():
            first = path.parts[0]
            if first.endswith((".dist-info", ".data")) or first == "..":
                continue
            name = first[:-3] if first.endswith(".py") else first
            if name.isidentifier() and name != "__pycache__":
                names.append(name)
    return sorted({n for n in names if n.isidentifier() and not n.startswith("_")})


def attempt(action):
    """Empty when `action()` returns; else what it printed (warnings logged on the way) and its traceback."""
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            action()
        return ""
    except BaseException:  # noqa: BLE001 - SystemExit and friends from a package's import-time code count as failures too
        return printed.getvalue()[-3000:] + traceback.format_exc()


def try_import(name):
    """Empty when `name` imports; else what the import printed and its traceback."""
    return attempt(lambda: importlib.import_module(name))


SLOW_IMPORT_SECONDS = 10.0  # seed S004-7: a client created at import time blocked start-up for minutes
failures, slow, timings = [], [], []
# A Django project's modules, and its apps' (django-autoslug reads settings at import), import only once Django is
# set up with the settings module the project names for itself, as manage.py and wsgi.py do.
DJANGO_SETTINGS = SPEC.get("django_settings")
if DJANGO_SETTINGS:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DJANGO_SETTINGS)
    error = attempt(lambda: importlib.import_module("django").setup())
    if error:
        failures.append({"module": DJANGO_SETTINGS, "error": error})
# A project module the entry command's code never imports (a leftover models.py beside the app.py that runs) is a
# note when it fails; with what runs unknown (REACHED null), every module counts.
REACHED = SPEC.get("reached")
unreached = []
for package in SPEC["packages"]:
    print(f"dockerfix-probe: importing {package}", file=sys.stderr, flush=True)  # names the culprit if it hangs
    started = time.monotonic()
    error = try_import(package)
    seconds = time.monotonic() - started
    timings.append(f"{package}: {seconds:.2f} s")
    if error:
        (failures if REACHED is None or package in REACHED else unreached).append({"module": package, "error": error})
    elif seconds > SLOW_IMPORT_SECONDS:
        slow.append({"package": package, "seconds": round(seconds, 1)})
check("imports-project", not failures, (f"{len(SPEC['packages'])} project package(s) import" if not failures
      else f"{len(failures)} project package(s) fail to import")
      + "".join(f"; {f['module']} fails to import, but the entry command's code does not import it" for f in unreached),
      "\n".join(f"import {f['module']}\n{f['error']}" for f in failures + unreached), count=len(SPEC["packages"]),
      failures=failures, unused=unreached)
check("import-time", not slow, f"project imports take at most {SLOW_IMPORT_SECONDS:.0f} s each" if not slow
      else f"{len(slow)} project package(s) take over {SLOW_IMPORT_SECONDS:.0f} s to import",
      "\n".join([f"{s['package']} took {s['seconds']:.1f} s to import" for s in slow] or timings),
      limit=SLOW_IMPORT_SECONDS, slow=slow)

# A dependency's module that fails to import counts when the application imports it, or when no module of its
# distribution imports (the distribution is unusable, whoever loads it: a driver SQLAlchemy imports by name),
# unless the distribution is for other operating systems only (comtypes: "Operating System :: Microsoft ::
# Windows"), frozen with the requirements on a developer's machine. Otherwise (a legacy module of an old library
# that nothing imports, the module of a program that provides it to the code it runs) it is a note.
IMPORTED = set(SPEC.get("imported", ()))


NOT_INSTALLED = "ModuleNotFoundError: No distribution named '{}' is installed"


def canonical(name):
    return "-".join(part for part in name.lower().replace("_", "-").replace(".", "-").split("-") if part)


def foreign_systems(distribution):
    """The operating systems a distribution's classifiers name, when none of them is Linux, POSIX or independent."""
    classifiers = importlib.metadata.metadata(distribution).get_all("Classifier") or []
    systems = [c.split("::", 1)[1].strip() for c in classifiers if c.startswith("Operating System ::")]
    native = ("Linux", "POSIX", "OS Independent", "Unix")
    return ", ".join(systems) if systems and not any(n in s for s in systems for n in native) else None


def own_programs(distribution):
    """The executables a distribution installs that are programs of their own (uWSGI's compiled `uwsgi`, whose
    `uwsgi` module exists only inside the server), not the console-script wrappers that import its modules."""
    dist = importlib.metadata.distribution(distribution)
    wrappers = {e.name for e in dist.entry_points if e.group in ("console_scripts", "gui_scripts")}
    return [p.name for p in dist.files or () if p.parts[0] == ".." and p.parent.name == "bin" and p.name not in wrappers]


failures, unused, count = [], [], 0
for distribution in SPEC["distributions"]:
    try:
        modules = top_level_modules(distribution)
    except importlib.metadata.PackageNotFoundError:
        # declared, not installed: a note when the entry command's code is known and imports nothing of that name
        # (requirements.txt lists Flask-SQLAlchemy for a models.py that app.py never imports)
        needed = REACHED is None or canonical(distribution) in {canonical(name) for name in IMPORTED}
        (failures if needed else unused).append({"module": distribution, "distribution": distribution, "systems": None,
                                                 "error": NOT_INSTALLED.format(distribution)})
        continue
    errors = {module: try_import(module) for module in modules}
    count += len(modules)
    usable = any(not error for error in errors.values()) or bool(own_programs(distribution))
    systems = None if usable else foreign_systems(distribution)
    for module, error in errors.items():
        if error:
            failure = {"module": module, "distribution": distribution, "error": error, "systems": systems}
            (failures if module in IMPORTED or not (usable or systems) else unused).append(failure)
notes = "".join(f"; {f['distribution']} is declared but not installed, and the entry command's code does not import it"
                if f["error"] == NOT_INSTALLED.format(f["distribution"]) else
                f"; {f['module']} (from {f['distribution']}{', for ' + f['systems'] + ' only' if f['systems'] else ''}) "
                "fails to import, but the application does not import it" for f in unused)
check("imports-dependencies", not failures, (f"{count} module(s) of {len(SPEC['distributions'])} dependencies import"
      if not failures else f"{len(failures)} dependency import(s) fail") + notes,
      "\n".join(f"import {f['module']} (from {f['distribution']})\n{f['error']}" for f in failures + unused),
      count=count, failures=failures, unused=unused)


def dependency_closure(distributions):
    """The declared distributions and, recursively, what their metadata requires (markers ignored: a superset)."""
    seen, todo = set(), [canonical(d) for d in distributions]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        todo += [canonical(m.group(0)) for m in (re.match(r"\s*[A-Za-z0-9][A-Za-z0-9._-]*", r) for r in requires) if m]
    return seen


# pip check judges every installed distribution; a tool's (PDM's virtualenv in the system site-packages, shadowed
# by the application's own pins on PYTHONPATH) is a note: only what the application's dependencies require counts
pip = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True)
lines = pip.stdout.strip().splitlines() if pip.returncode else []
closure = dependency_closure(SPEC["distributions"]) if SPEC["distributions"] else None
problems = [line for line in lines if closure is None or canonical(line.split(" ")[0]) in closure]
pip_ok = not problems  # an image without pip prints no problem lines either
tools = [line for line in lines if line not in problems]
check("pip-check", pip_ok, (problems[-1] if problems else "pip check ran") + "".join(
      f"; {line.split(' ')[0]} (not a dependency of the application): {line}" for line in tools),
      pip.stdout + pip.stderr, problems=[] if pip_ok else problems)

# Where installers put console scripts off the default PATH: venvs, pip --user (seed S003-4).
BIN_DIRS = ("/opt/*/bin", "/opt/*/*/bin", "/venv/bin", "/*/.venv/bin", "/*/*/.venv/bin", "/home/*/.local/bin",
            "/root/.local/bin", os.path.join(os.getcwd(), ".venv/bin"), os.path.expanduser("~/.local/bin"))


def installed_elsewhere(name):
    found = []
    for pattern in BIN_DIRS:
        for folder in sorted(glob.glob(pattern)):
            path = os.path.join(folder, name)
            if os.path.isfile(path) and os.access(path, os.X_OK) and path not in found:
                found.append(path)
    return found


def find_spec(name):
    try:
        return importlib.util.find_spec(name)
    except BaseException:  # noqa: BLE001 - a parent package that fails to import: the imports checks report that
        return None


executable, module, script = SPEC.get("executable"), SPEC.get("module"), SPEC.get("script")
problems, entry = [], {"path": os.environ.get("PATH", "")}
if executable and not executable.startswith(("/bin/sh", "sh")) and shutil.which(executable) is None and not os.path.exists(executable):
    entry["missing_executable"] = executable
    entry["installed_at"] = installed_elsewhere(os.path.basename(executable))
    # in the words of the seed reports' shells, for people (rules read the facts)
    problems.append(f"{executable}: not found on PATH={entry['path']}"
                    + "".join(f"\n{executable} is installed at {path}" for path in entry["installed_at"]))
if script and not os.path.isfile(script):
    entry["missing_script"] = os.path.abspath(script)
    problems.append(f"{os.path.basename(executable or 'python')}: can't open file {entry['missing_script']!r}: "
                    "[Errno 2] No such file or directory")
if module:
    found = find_spec(module)
    if found is None:
        entry["missing_module"], entry["module_error"] = module, try_import(module)
        problems.append(f"module {module} cannot be imported\n{entry['module_error']}")
    # looked for on disk, not imported: a package whose import fails (configuration it reads) still has its __main__
    elif SPEC.get("run_module") and found.submodule_search_locations is not None and not any(
            name.startswith("__main__.") for folder in found.submodule_search_locations
            if os.path.isdir(folder) for name in os.listdir(folder)):
        entry["package_without_main"] = module
        problems.append(f"python -m {module}: {module} is a package with no __main__ module, so it cannot be run")
check("entry-resolves", not problems, "the entry command's executable and module resolve" if not problems
      else "the entry command does not resolve", "\n".join(problems), **entry)

missing = [item for item in SPEC.get("ignored_imports", ())
           if find_spec(item["module"]) is None and not os.path.exists(item["path"])]
check("dockerignore-imports", not missing, "every project module the code imports is in the image" if not missing
      else f"{len(missing)} imported project module(s) are missing: .dockerignore drops them",
      "\n".join(f"{i['module']} ({i['path']}, imported by {i['importer']}) is not in the image: .dockerignore:{i['line']} "
                f"({i['pattern']}) keeps it out of the build context" for i in missing), missing=missing)

uid = os.getuid()
check("non-root", uid != 0, f"runs as uid {uid}" if uid else "runs as root (uid 0)", uid=uid)
home = os.path.expanduser("~")
try:
    with tempfile.NamedTemporaryFile(dir=home):
        pass
    home_error = ""
except OSError as exc:
    home_error = str(exc)
check("home-writable", not home_error, f"HOME={home} is not writable: {home_error}" if home_error
      else f"HOME={home} exists and is writable", home=home, error=home_error)

SECRET_FILES = (".env", ".netrc", ".npmrc", ".pypirc", "id_rsa", "id_ed25519", "id_ecdsa")
SECRET_SUFFIXES = (".key", ".p12", ".pfx")
TEMPLATES = (".example", ".sample", ".template", ".dist")
# Installed code and the interpreter's library are not the application's files (certifi's cacert.pem lives there):
# venvs, PDM's PEP 582 __pypackages__, site-packages.
NOT_APPLICATION = (".venv", "venv", "__pypackages__", "node_modules", ".git", "__pycache__", "site-packages", "dist-packages")


def holds_private_key(path):
    """A .pem holds a private key, or only public certificates (the CA bundles every image carries)."""
    try:
        with open(path, "rb") as handle:
            return b"PRIVATE KEY" in handle.read(1_000_000)
    except OSError:
        return False


def looks_secret(path):
    """Files that hold credentials by convention; templates of them (.env.example) do not."""
    name = os.path.basename(path)
    if name.endswith(TEMPLATES):
        return False
    if name.endswith(".pem"):
        return holds_private_key(path)
    return name in SECRET_FILES or name.startswith(".env.") or name.endswith(SECRET_SUFFIXES)


APP_DIRS = SPEC.get("app_dirs") or ([os.getcwd()] if os.getcwd() != "/" else [])


def application_files():
    """The files under the image directories that hold the application (not / nor the interpreter's library)."""
    for top in APP_DIRS:
        if os.path.isfile(top):
            yield top
        for folder, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if d not in NOT_APPLICATION and not (d.startswith("python") and d[6:7].isdigit())]
            for name in files:
                yield os.path.join(folder, name)


errors, secrets, compiled = [], [], 0
for path in dict.fromkeys(application_files()):
    if looks_secret(path):
        secrets.append(os.path.abspath(path))
    if path.endswith(".py"):
        compiled += 1
        try:
            with open(path, "rb") as handle:
                compile(handle.read(), path, "exec")
        except SyntaxError as exc:
            errors.append({"file": exc.filename or path, "line": exc.lineno, "kind": type(exc).__name__,
                           "message": exc.msg, "text": (exc.text or "").strip()})
        except (OSError, ValueError) as exc:
            errors.append({"file": path, "line": None, "kind": type(exc).__name__, "message": str(exc)})
check("byte-compile", not errors, "the sources compile" if not errors else f"{len(errors)} source file(s) do not compile",
      "\n".join(f'  File "{e["file"]}", line {e["line"]}\n    {e.get("text", "")}\n{e["kind"]}: {e["message"]}'
                for e in errors), files=compiled, errors=errors)

check("no-secrets", not secrets, "no credential files among the application's files" if not secrets
      else f"{len(secrets)} credential file(s) baked into the image",
      "\n".join(f"secret file: {os.path.relpath(p)}" for p in secrets), paths=secrets, searched=APP_DIRS)

print(json.dumps(RESULTS))
