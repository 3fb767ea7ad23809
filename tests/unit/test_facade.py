"""The library's documented surface (`import dockerfix`): every public name documented, the README's example run
(with a fake backend and verifier: no engine) and type-checked."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
import importlib
from pathlib import Path

import dockerfix
from dockerfix.build import BuildResult
from dockerfix.checks import Check, Verification

# the module, not the facade's function of the same name (`dockerfix.repair`)
repair_module = importlib.import_module("dockerfix.repair")

ROOT = Path(__file__).resolve().parents[2]
README_EXAMPLE = re.search(r"```python\n(import dockerfix\n.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)


class GreenBackend:
    name = "fake"

    def build(self, root, overlay, dockerfile, *, tag, labels, no_cache=False, timeout=None, network=None,
              progress=None) -> BuildResult:
        return BuildResult(ok=True, backend=self.name, log="Successfully built", image=tag)

    def cleanup(self, result, *, keep_cache=False) -> None:
        pass


def test_every_public_name_is_documented_and_the_package_is_typed():
    for name in dockerfix.__all__:
        if name != "__version__":
            assert (getattr(dockerfix, name).__doc__ or "").strip(), name
    assert (Path(dockerfix.__file__).parent / "py.typed").is_file()


def test_repair_takes_the_callers_backend_and_verifier(tmp_path):
    (tmp_path / "requirements.txt").write_text("six==1.17.0\n")
    (tmp_path / "Dockerfile").write_text('FROM python:3.11-slim\nRUN useradd -m app\nUSER app\nCMD ["python", "-c", "1"]\n')
    verified: list[str] = []

    def verifier(project, image, **options) -> Verification:
        verified.append(image)
        return Verification(True, (Check("imports-project", True, "ok"),))

    result = dockerfix.repair(tmp_path, dockerfix.Options(strategy="minimal", write=False), backend=GreenBackend(),
                              verifier=verifier)
    assert result.status == "ok" and len(verified) == 1 and result.builds[0].backend == "fake"


def test_the_readme_example_runs(monkeypatch):
    assert README_EXAMPLE, "the README has no `import dockerfix` example"
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(repair_module, "get_backend", lambda name: GreenBackend())
    monkeypatch.setattr(repair_module, "verify", lambda project, image, **options: Verification(
        True, (Check("imports-project", True, "ok"),)))
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(README_EXAMPLE.group(1), "README.md", "exec"), {})
    assert "DF001" in printed.getvalue() and "repaired" in printed.getvalue()


def test_the_readme_example_type_checks(tmp_path):
    assert README_EXAMPLE
    example = tmp_path / "example.py"
    example.write_text(README_EXAMPLE.group(1))
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", str(example)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
