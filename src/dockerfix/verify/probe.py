"""Runs inside the built image (any Python >= 3.8, standard library only) and prints one JSON line of check results.

argv[1] is a JSON object: {"packages": [...], "distributions": [...], "executable": str|null, "module": str|null,
"script": str|null, "ignored_imports": [{"module", "path", "importer", "pattern", "line"}, ...]}.
"""

import contextlib
import glob
import importlib
import importlib.metadata
import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

SPEC = json.loads(sys.argv[1])
RESULTS = []


def check(name, passed, detail, output=""):
    RESULTS.append({"name": name, "passed": bool(passed), "detail": detail, "output": output[-6000:]})


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
    return sorted(set(n for n in names if n.isidentifier() and not n.startswith("_")))


def try_import(name):
    """Empty when `name` imports; else what the import printed (warnings logged on the way) and its traceback."""
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            importlib.import_module(name)
        return ""
    except BaseException:  # SystemExit and friends from a package's import-time code count as failures too
        return printed.getvalue()[-3000:] + traceback.format_exc()


SLOW_IMPORT_SECONDS = 10.0  # seed S004-7: a client created at import time blocked start-up for minutes
failures, slow, timings = [], [], []
for package in SPEC["packages"]:
    print(f"dockerfix-probe: importing {package}", file=sys.stderr, flush=True)  # names the culprit if it hangs
    started = time.monotonic()
    error = try_import(package)
    seconds = time.monotonic() - started
    timings.append(f"{package}: {seconds:.2f} s")
    if error:
        failures.append(f"import {package}\n{error}")
    elif seconds > SLOW_IMPORT_SECONDS:
        slow.append(f"slow import: {package} took {seconds:.1f} s to import")
check("imports-project", not failures, f"{len(SPEC['packages'])} project package(s) import" if not failures
      else f"{len(failures)} project package(s) fail to import", "\n".join(failures))
check("import-time", not slow, f"project imports take at most {SLOW_IMPORT_SECONDS:.0f} s each" if not slow
      else f"{len(slow)} project package(s) take over {SLOW_IMPORT_SECONDS:.0f} s to import",
      "\n".join(slow or timings))

failures, count = [], 0
for distribution in SPEC["distributions"]:
    try:
        modules = top_level_modules(distribution)
    except importlib.metadata.PackageNotFoundError:
        failures.append(f"distribution {distribution} is not installed\nModuleNotFoundError: No distribution named '{distribution}'")
        continue
    for module in modules:
        count += 1
        error = try_import(module)
        if error:
            failures.append(f"import {module} (from {distribution})\n{error}")
check("imports-dependencies", not failures, f"{count} module(s) of {len(SPEC['distributions'])} dependencies import"
      if not failures else f"{len(failures)} dependency import(s) fail", "\n".join(failures))

pip = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True)
check("pip-check", pip.returncode == 0 or "No module named pip" in pip.stderr, pip.stdout.strip().splitlines()[-1]
      if pip.stdout.strip() else "pip check ran", pip.stdout + pip.stderr)

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


executable, module, script = SPEC.get("executable"), SPEC.get("module"), SPEC.get("script")
problems = []
if executable and not executable.startswith(("/bin/sh", "sh")) and shutil.which(executable) is None and not os.path.exists(executable):
    elsewhere = installed_elsewhere(os.path.basename(executable))
    problems.append(f"{executable}: not found on PATH={os.environ.get('PATH')}"
                    + "".join(f"\n{executable} is installed at {path}" for path in elsewhere))
if script and not os.path.isfile(script):
    problems.append(f"{os.path.basename(executable or 'python')}: can't open file {os.path.abspath(script)!r}: "
                    "[Errno 2] No such file or directory")
if module:
    try:
        found = importlib.util.find_spec(module)
    except BaseException:
        found = None
    if found is None:
        error = try_import(module)
        problems.append(f"module {module} cannot be imported\n{error}")
check("entry-resolves", not problems, "the entry command's executable and module resolve" if not problems
      else "the entry command does not resolve", "\n".join(problems))

missing = []
for item in SPEC.get("ignored_imports", ()):
    try:
        found = importlib.util.find_spec(item["module"]) is not None
    except BaseException:  # a parent package that fails to import: the imports checks report that
        found = False
    if not found and not os.path.exists(item["path"]):
        missing.append(f"ModuleNotFoundError: {item['module']} ({item['path']}, imported by {item['importer']}) is not in "
                       f"the image: .dockerignore:{item['line']} ({item['pattern']}) keeps it out of the build context")
check("dockerignore-imports", not missing, "every project module the code imports is in the image" if not missing
      else f"{len(missing)} imported project module(s) are missing: .dockerignore drops them", "\n".join(missing))

uid = os.getuid()
check("non-root", uid != 0, f"runs as uid {uid}" if uid else "runs as root (uid 0)")
home = os.path.expanduser("~")
try:
    with tempfile.NamedTemporaryFile(dir=home):
        pass
    home_ok, home_detail = True, f"HOME={home} exists and is writable"
except OSError as exc:
    home_ok, home_detail = False, f"HOME={home} is not writable: {exc}"
check("home-writable", home_ok, home_detail)

SECRET_FILES = (".env", ".netrc", ".npmrc", ".pypirc", "id_rsa", "id_ed25519", "id_ecdsa")
SECRET_SUFFIXES = (".pem", ".key", ".p12", ".pfx")
TEMPLATES = (".example", ".sample", ".template", ".dist")


def looks_secret(name):
    """Files that hold credentials by convention; templates of them (.env.example) do not."""
    if name.endswith(TEMPLATES):
        return False
    return name in SECRET_FILES or name.startswith(".env.") or name.endswith(SECRET_SUFFIXES)


errors, secrets = [], []
for folder, dirs, files in os.walk(os.getcwd()):
    dirs[:] = [d for d in dirs if d not in (".venv", "venv", "node_modules", ".git", "__pycache__")]
    secrets += [os.path.relpath(os.path.join(folder, name)) for name in files if looks_secret(name)]
    for name in files:
        if name.endswith(".py"):
            path = os.path.join(folder, name)
            try:
                with open(path, "rb") as handle:
                    compile(handle.read(), path, "exec")
            except SyntaxError as exc:
                errors.append(f'  File "{exc.filename}", line {exc.lineno}\n    {(exc.text or "").strip()}\nSyntaxError: {exc.msg}')
            except (OSError, ValueError) as exc:
                errors.append(f"{path}: {exc}")
check("byte-compile", not errors, "the sources compile" if not errors else f"{len(errors)} source file(s) do not compile",
      "\n".join(errors))

check("no-secrets", not secrets, "no credential files in the image's working directory" if not secrets
      else f"{len(secrets)} credential file(s) baked into the image", "\n".join(f"secret file: {p}" for p in secrets))

print(json.dumps(RESULTS))
