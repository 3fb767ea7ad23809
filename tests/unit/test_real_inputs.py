"""Valid input seen on real projects (issue 12): modern Dockerfile syntax, compose merge tags, Poetry's multiple
constraints. Each is read and analysed, never refused as bad input, and never crashes."""

import pytest

from dockerfix.analyse.compose import parse_compose
from dockerfix.analyse.dockerfile import parse_dockerfile, split_copy
from dockerfix.analyse.pyproject import parse_pyproject
from dockerfix.cli import main
from dockerfix.errors import InputError
from dockerfix.transform.declare import Edit, edit_pyproject_text
from dockerfix.transform.dockerfile import replace_instruction

MODERN = """\
# syntax=docker/dockerfile:1.7
# check=skip=JSONArgsRecommended
FROM python:3.11-slim
RUN --mount=type=cache,target=/root/.cache/pip pip install attrs
RUN <<EOF
set -e
pip install requests
EOF
COPY --link --chmod=755 <<EOT /usr/local/bin/hello
#!/bin/sh
echo hello
EOT
RUN <<-EOF bash
\techo tabbed
\tEOF
RUN python - <<'PY' && echo done
print("x")
PY
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/x /x
COPY . /app
CMD ["python", "-m", "app"]
"""


def test_heredocs_are_read_as_one_instruction_each():
    info = parse_dockerfile("docker/Dockerfile", MODERN)
    spans = [(i.keyword, i.line, i.end_line) for i in info.instructions]
    assert spans == [("FROM", 3, 3), ("RUN", 4, 4), ("RUN", 5, 8), ("COPY", 9, 12), ("RUN", 13, 15), ("RUN", 16, 18),
                     ("ADD", 19, 19), ("COPY", 20, 20), ("CMD", 21, 21)]
    run = info.instructions[2]
    assert run.value == "set -e\npip install requests"  # `RUN <<EOF` alone runs the document
    assert run.text == "RUN <<EOF\nset -e\npip install requests\nEOF"
    assert info.instructions[4].value == "<<-EOF bash\necho tabbed\nEOF"
    assert info.instructions[5].value == "python - <<'PY' && echo done\nprint(\"x\")\nPY"
    assert split_copy(info.instructions[3].value) == ({"link": "", "chmod": "755"}, [], "/usr/local/bin/hello")


def test_a_run_command_without_its_flags():
    from dockerfix.analyse.dockerfile import run_flags

    assert run_flags("--mount=type=cache,target=/root/.cache/pip --network=host pip install -r r.txt") == \
        ("--mount=type=cache,target=/root/.cache/pip --network=host", "pip install -r r.txt")
    assert run_flags("pip install --no-cache-dir .") == ("", "pip install --no-cache-dir .")


def test_directives_and_what_needs_buildkit():
    info = parse_dockerfile("Dockerfile", MODERN)
    assert info.directives == (("syntax", "docker/dockerfile:1.7"), ("check", "skip=JSONArgsRecommended"))
    assert info.needs_buildkit
    assert {what for _, what in info.buildkit_features} == {
        "RUN --mount", "RUN with a here-document (<<)", "COPY with a here-document (<<)", "COPY --link", "COPY --chmod",
        "ADD --checksum"}
    plain = parse_dockerfile("Dockerfile", "# syntax=docker/dockerfile:1\nFROM python:3.11-slim\nRUN echo '<<EOF'\n")
    assert not plain.needs_buildkit and plain.directives == (("syntax", "docker/dockerfile:1"),)


def test_buildkit_platform_args_need_buildkit():
    info = parse_dockerfile("Dockerfile", "FROM --platform=$BUILDPLATFORM python:3.11-slim AS build\n"
                                          "FROM --platform=linux/amd64 python:3.11-slim\n")
    assert info.buildkit_features == ((1, "FROM --platform=$BUILDPLATFORM"),)


def test_a_directive_after_a_comment_is_a_comment():
    info = parse_dockerfile("Dockerfile", "# hello\n# syntax=docker/dockerfile:1\nFROM python:3.11-slim\n")
    assert info.directives == ()


def test_backtick_escape():
    info = parse_dockerfile("Dockerfile", "# escape=`\nFROM python:3.11-slim\nRUN echo a `\n    && echo b\nCMD [\"python\"]\n")
    assert [(i.keyword, i.line, i.end_line) for i in info.instructions] == [("FROM", 2, 2), ("RUN", 3, 4), ("CMD", 5, 5)]


def test_an_unclosed_heredoc_is_bad_input_with_its_line():
    with pytest.raises(InputError) as caught:
        parse_dockerfile("Dockerfile", "FROM python:3.11-slim\nRUN <<EOF\necho hi\n")
    assert caught.value.line == 2 and "never closed" in caught.value.message


def test_an_edit_replaces_the_whole_heredoc():
    info = parse_dockerfile("Dockerfile", MODERN)
    edited = replace_instruction(MODERN, info.instructions[2], "RUN pip install requests")
    again = parse_dockerfile("Dockerfile", edited)
    assert "set -e" not in edited and [i.keyword for i in again.instructions][:4] == ["FROM", "RUN", "RUN", "COPY"]


def test_compose_merge_tags(tmp_path):
    (tmp_path / "compose.override.yaml").write_text(
        "services:\n  web:\n    build: {context: ., dockerfile: docker/Dockerfile}\n"
        "    ports: !override\n      - \"8000:8000\"\n    environment: !reset []\n"
        "    command: !override [\"python\", \"-m\", \"app\"]\n    healthcheck: !reset null\n")
    (service,) = parse_compose(tmp_path, "compose.override.yaml")
    assert service.dockerfile == "docker/Dockerfile" and service.ports == (("8000", "8000"),)
    assert service.environment == () and service.command == "python -m app" and not service.healthcheck


POETRY_MULTI = """\
[tool.poetry]
name = "svc"
version = "0.1.0"

[tool.poetry.dependencies]
python = "^3.9"
numpy = [
    {version = "^1.26", python = "<3.10"},
    {version = "^2", python = ">=3.10"},
]
attrs = [{version = "^23", optional = true}]
"""


def test_poetry_multiple_constraints_are_one_requirement_each(tmp_path):
    (tmp_path / "pyproject.toml").write_text(POETRY_MULTI)
    found = [(r.name, r.specifier, r.marker) for r in parse_pyproject(tmp_path).dependencies]  # type: ignore[union-attr]
    assert found == [("numpy", "<2.0,>=1.26", 'python_version < "3.10"'), ("numpy", "<3,>=2", 'python_version >= "3.10"')]


def test_an_edit_of_a_multiple_constraints_dependency_keeps_each_constraint():
    edited = edit_pyproject_text(POETRY_MULTI, [Edit("numpy", ">=1.26")])
    assert edited.count('python = "<3.10"') == 1 and edited.count('version = ">=1.26"') == 2


@pytest.mark.parametrize("command", ["analyse", "check"])
def test_documented_commands_read_modern_input(tmp_path, command, capsys):
    (tmp_path / "pyproject.toml").write_text(POETRY_MULTI)
    (tmp_path / "Dockerfile").write_text(MODERN)
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    build: .\n    ports: !override [\"8000:8000\"]\n")
    assert main([command, str(tmp_path)]) in (0, 1)
    assert "internal error" not in capsys.readouterr().err


def _tree(root, files: dict[str, str]):
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


DOCKERFILE = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"-m\", \"app\"]\n"


@pytest.mark.parametrize(("files", "expected"), [
    ({"Dockerfile": DOCKERFILE, "docker/Dockerfile": DOCKERFILE}, "Dockerfile"),
    ({"docker/Dockerfile": DOCKERFILE, "backend/Dockerfile": DOCKERFILE}, "docker/Dockerfile"),
    ({"deploy/Dockerfile.runtime": DOCKERFILE}, "deploy/Dockerfile.runtime"),
    ({"backend/app.dockerfile": DOCKERFILE, "tests/Dockerfile": DOCKERFILE}, "backend/app.dockerfile"),
    ({"Dockerfile.dev": DOCKERFILE, "Dockerfile.prod": DOCKERFILE}, "Dockerfile.prod"),
    ({"docker/app/Dockerfile": DOCKERFILE, "Dockerfile.j2": "{{ nope }}"}, "docker/app/Dockerfile"),
])
def test_dockerfiles_are_found_where_projects_keep_them(tmp_path, files, expected):
    from dockerfix.analyse import analyse

    project = analyse(_tree(tmp_path, {"requirements.txt": "six\n", **files}))
    assert project.dockerfile is not None and project.dockerfile.path == expected
    assert project.context == "." and project.source == "."


def test_compose_names_the_dockerfile_and_the_context(tmp_path):
    from dockerfix.analyse import analyse

    _tree(tmp_path, {"requirements.txt": "six\n", "Dockerfile": DOCKERFILE, "docker/x": DOCKERFILE,
                     "compose.yaml": "services:\n  web:\n    build: {context: ., dockerfile: docker/x}\n"})
    project = analyse(tmp_path)
    assert project.dockerfile.path == "docker/x" and project.context == "."  # type: ignore[union-attr]


def test_dockerfile_and_context_options(tmp_path):
    from dockerfix.analyse import analyse

    _tree(tmp_path, {"svc/requirements.txt": "six\n", "svc/build/app.df": DOCKERFILE})
    project = analyse(tmp_path, dockerfile="./svc/build/app.df", context="svc")
    assert (project.dockerfile.path, project.context, project.source) == ("svc/build/app.df", "svc", "svc")  # type: ignore[union-attr]
    assert project.dockerignore_path == "svc/.dockerignore" and project.requirements[0].path == "svc/requirements.txt"
    with pytest.raises(InputError, match="does not exist"):
        analyse(tmp_path, dockerfile="docker/Dockerfile")
    with pytest.raises(InputError, match="outside the project"):
        analyse(tmp_path, context="..")


MONOREPO = {
    "frontend/package.json": "{}\n",
    "backend/pyproject.toml": '[project]\nname = "svc"\nversion = "1"\ndependencies = ["six==1.17.0"]\n\n'
                              '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
    "backend/svc/__init__.py": "import six\n",
    "backend/Dockerfile": "FROM python:3.11-slim\nWORKDIR /srv\nCOPY backend/pyproject.toml ./\nCOPY backend/svc ./svc\n"
                          "RUN pip install .\nCMD [\"python\", \"-m\", \"svc\"]\n",
}


def test_a_monorepo_project_is_the_one_the_dockerfile_copies(tmp_path):
    from dockerfix.analyse import analyse

    project = analyse(_tree(tmp_path, MONOREPO))
    assert (project.dockerfile.path, project.context, project.source) == ("backend/Dockerfile", ".", "backend")  # type: ignore[union-attr]
    assert project.pyproject.path == "backend/pyproject.toml" and project.import_packages == ("svc",)  # type: ignore[union-attr]
    assert [r.origin for r in project.dependencies] == ["backend/pyproject.toml:4"]


def test_the_rewrite_of_a_monorepo_project_edits_its_dockerfile_and_copies_its_folder(tmp_path, capsys):
    _tree(tmp_path, MONOREPO)
    assert main(["rewrite", str(tmp_path)]) == 0
    text = (tmp_path / "backend" / "Dockerfile").read_text()
    assert not (tmp_path / "Dockerfile").exists()
    assert 'COPY ["backend/pyproject.toml", "./"]' in text and "COPY backend/ ." in text
    assert "backend/" not in text.rsplit("\nFROM ", 1)[1]  # installed into the venv: the final stage needs no sources
    assert "pip install --no-deps ." in text


def test_a_context_folder_is_what_the_backend_builds(tmp_path):
    from dockerfix.analyse import analyse
    from dockerfix.build.context import OUTSIDE_DOCKERFILE, context_inputs

    _tree(tmp_path, {"svc/requirements.txt": "six\n", "docker/Dockerfile": DOCKERFILE})
    project = analyse(tmp_path, context="svc")
    root, overlay, dockerfile = context_inputs(tmp_path, project.context, {"svc/requirements.txt": "attrs\n"},
                                               project.dockerfile)  # type: ignore[arg-type]
    assert root == tmp_path / "svc" and dockerfile.path == OUTSIDE_DOCKERFILE
    assert overlay == {"requirements.txt": "attrs\n", OUTSIDE_DOCKERFILE: DOCKERFILE}


def test_rules_read_copy_sources_in_compose_s_context(tmp_path):
    from dockerfix.analyse import analyse
    from dockerfix.catalog import BY_ID
    from dockerfix.model import Context, Fix
    from dockerfix.diagnose import static_findings

    _tree(tmp_path, {"compose.yaml": "services:\n  api:\n    build: ./backend\n",
                     "backend/Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt app.py ./\n"
                                           "RUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n",
                     "backend/requirements.txt": "six\n", "backend/app.py": "import six\n",
                     "backend/.dockerignore": "*.txt\n"})
    project = analyse(tmp_path)
    assert (project.context, project.source, project.dockerignore_path) == ("backend", "backend", "backend/.dockerignore")
    context = Context(root=tmp_path, files={}, project=project, strategy="minimal")
    findings = {f.rule: f for f in static_findings(context)}
    assert "DF027" not in findings and findings["DF001"].capture("path") == "requirements.txt"
    fix = BY_ID["DF001"].fix(context, findings["DF001"])  # type: ignore[misc]
    assert isinstance(fix, Fix) and set(fix.files) == {"backend/.dockerignore"}


def test_a_utf16_requirements_file_is_read_as_pip_reads_it(tmp_path):
    from dockerfix.analyse import analyse

    (tmp_path / "requirements.txt").write_bytes("six==1.17.0\r\nattrs\r\n".encode("utf-16"))  # with its BOM
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    assert [r.name for r in analyse(tmp_path).dependencies] == ["six", "attrs"]


def test_the_copied_manifest_names_the_project_before_a_copied_folder(tmp_path):
    from dockerfix.analyse import analyse

    _tree(tmp_path, {"shared/setup.py": "", "api/requirements.txt": "six\n",
                     "api/Dockerfile": "FROM python:3.11-slim\nCOPY shared /shared\nCOPY api/requirements.txt .\n"})
    assert analyse(tmp_path).source == "api"


@pytest.mark.parametrize("log", [
    "the engine refused the build: dockerfile parse error line 16: unknown instruction: PRINT(\"X\")",
    "#5 ERROR: failed to solve with frontend dockerfile.v0: failed to create LLB definition: Dockerfile parse error "
    "line 9: Unknown flag: link",
    "the engine refused the build: the --mount option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/",
])
def test_a_builder_that_predates_the_syntax_is_reported_as_such(tmp_path, log):
    from dockerfix.analyse import analyse
    from dockerfix.model import Context
    from dockerfix.diagnose import diagnose

    _tree(tmp_path, {"Dockerfile": MODERN, "requirements.txt": "six\n"})
    diagnosis = diagnose(Context(root=tmp_path, files={}, project=analyse(tmp_path)), log)
    assert [f.rule for f in diagnosis.findings] == ["DF090"] and diagnosis.conclusive
    assert "line 5: RUN with a here-document" in diagnosis.findings[0].message


def test_an_unknown_instruction_in_a_plain_dockerfile_is_not_the_builder_s_age(tmp_path):
    from dockerfix.analyse import analyse
    from dockerfix.model import Context
    from dockerfix.diagnose import diagnose

    _tree(tmp_path, {"Dockerfile": DOCKERFILE, "requirements.txt": "six\n"})
    diagnosis = diagnose(Context(root=tmp_path, files={}, project=analyse(tmp_path)),
                         "the engine refused the build: dockerfile parse error line 2: unknown instruction: FROBNICATE")
    assert "DF090" not in [f.rule for f in diagnosis.findings]


def test_a_folder_copied_under_its_own_name_is_a_package_of_the_project_above(tmp_path):
    """`COPY backend /app/backend` + `uvicorn backend.main:app`: backend/ holds the requirements but is a
    (namespace) package of the root project; `COPY src/ .` would make src/ the project instead."""
    from dockerfix.analyse import analyse

    dockerfile = ("FROM python:3.12-slim\nWORKDIR /app\nCOPY backend /app/backend\nCOPY backend/requirements.txt .\n"
                  "RUN pip install -r requirements.txt\nCMD [\"uvicorn\", \"backend.main:app\"]\n")
    _tree(tmp_path, {"setup/Dockerfile": dockerfile, "backend/requirements.txt": "fastapi\n",
                     "backend/main.py": "from .api import router\n", "backend/api.py": "router = 1\n",
                     "tools/helper.py": "x = 1\n"})
    project = analyse(tmp_path)
    assert (project.source, project.import_packages) == (".", ("backend",))
    assert [r.path for r in project.requirements] == ["backend/requirements.txt"]
    flattened = tmp_path / "flat"
    _tree(flattened, {"Dockerfile": dockerfile.replace("COPY backend /app/backend", "COPY backend/ .")
                      .replace("backend.main:app", "main:app"),
                      "backend/requirements.txt": "fastapi\n", "backend/main.py": "x = 1\n"})
    assert analyse(flattened).source == "backend"
    # the rewrite's own `COPY . .` no longer copies backend/ by name: the command still names it as a package
    rewritten = tmp_path / "rewritten"
    _tree(rewritten, {"Dockerfile": dockerfile.replace("COPY backend /app/backend", "COPY . ."),
                      "backend/requirements.txt": "fastapi\n", "backend/main.py": "x = 1\n"})
    assert analyse(rewritten).source == "."
