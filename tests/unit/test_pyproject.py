import pytest

from dockerfix.analyse.pyproject import parse_pyproject
from dockerfix.errors import InputError

PEP621 = """[project]
name = "web-app"
version = "1.0"
requires-python = ">=3.10"
readme = "README.md"
dependencies = [
    "fastapi>=0.110",
    "uvicorn[standard]",
]
[project.optional-dependencies]
email = ["email-validator"]
[project.scripts]
web-app = "web_app.cli:main"
[dependency-groups]
dev = ["pytest"]
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"
"""

POETRY1 = """[tool.poetry]
name = "svc"
version = "0.2.0"
description = ""
authors = ["a <a@b.c>"]
readme = "README.rst"
packages = [{ include = "svc", from = "src" }]

[tool.poetry.dependencies]
python = "^3.10"
requests = { version = "^2.31", extras = ["socks"] }
psycopg2 = "2.9.9"
optional-thing = { version = "*", optional = true }

[tool.poetry.group.dev.dependencies]
pytest = "^8"

[tool.poetry.scripts]
svc = "svc.main:run"
"""


def write(tmp_path, text):
    (tmp_path / "pyproject.toml").write_text(text)
    return parse_pyproject(tmp_path)


def test_pep621(tmp_path):
    p = write(tmp_path, PEP621)
    assert p.name == "web-app" and p.requires_python == ">=3.10"
    assert [(r.name, r.specifier, r.extras) for r in p.dependencies] == [("fastapi", ">=0.110", ()), ("uvicorn", "", ("standard",))]
    assert p.dependencies[0].origin == "pyproject.toml:7"
    assert dict(p.groups)["extra:email"][0].name == "email-validator"
    assert dict(p.groups)["dev"][0].name == "pytest"
    assert p.scripts[0].target == "web_app.cli:main"
    assert p.readme == "README.md" and p.build_backend == "hatchling.build"


def test_poetry1(tmp_path):
    p = write(tmp_path, POETRY1)
    assert p.requires_python == ">=3.10,<4.0"
    assert {r.name: r.specifier for r in p.dependencies} == {"requests": "<3.0,>=2.31", "psycopg2": "==2.9.9"}
    assert p.dependencies[0].extras == ("socks",)
    assert "poetry" in p.tools and p.packages == ("src/svc",) and p.readme == "README.rst"


@pytest.mark.parametrize("text, line", [("[project\nname='x'\n", 1), ("[project]\nname = 'x'\ndependencies = ['ok', 'not valid !!']\n", 3)])
def test_malformed_pyproject_names_line(tmp_path, text, line):
    with pytest.raises(InputError) as caught:
        write(tmp_path, text)
    assert caught.value.path == "pyproject.toml" and caught.value.line == line


def test_empty_and_binary_pyproject(tmp_path):
    with pytest.raises(InputError, match="is empty"):
        write(tmp_path, "")
    (tmp_path / "pyproject.toml").write_bytes(b"\x00\x01binary")
    with pytest.raises(InputError, match="binary"):
        parse_pyproject(tmp_path)
