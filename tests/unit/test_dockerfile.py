import pytest

from dockerfix.analyse.dockerfile import command_argv, exec_form, needs_buildkit, parse_dockerfile, split_copy
from dockerfix.errors import InputError
from dockerfix.transform.dockerfile import insert_after, insert_before, move_after, remove_instruction, replace_instruction

TEXT = """# syntax-free
ARG PY=3.11
FROM python:${PY}-slim AS builder
RUN apt-get update && \\
    apt-get install -y gcc
FROM python:3.11-slim
COPY --from=builder /opt/venv /opt/venv
CMD ["python", "-m", "app"]
"""


def test_stages_and_lines():
    info = parse_dockerfile("Dockerfile", TEXT)
    assert [s.name for s in info.stages] == ["builder", None]
    assert info.stages[0].base == "python:${PY}-slim"
    run = info.stages[0].instructions[1]
    assert (run.keyword, run.line, run.end_line) == ("RUN", 4, 5)
    assert info.instructions[0].stage == -1  # ARG before the first FROM
    assert info.last("CMD").value == '["python", "-m", "app"]'


@pytest.mark.parametrize("text, line, message", [
    ("", None, "is empty"),
    ("RUN echo hi\n", 1, "before the first FROM"),
    ("FROM python:3.12-slim\nFROBNICATE x\n", 2, "unknown instruction"),
    ("FROM a b c d\n", 1, "cannot read FROM"),
    ("# only a comment\n", None, "no FROM"),
])
def test_malformed_dockerfiles_name_file_and_line(text, line, message):
    with pytest.raises(InputError) as caught:
        parse_dockerfile("docker/Dockerfile", text)
    assert caught.value.path == "docker/Dockerfile"
    assert caught.value.line == line
    assert message in caught.value.message


def test_exec_and_shell_forms():
    assert exec_form('["uvicorn", "app:app"]') == ("uvicorn", "app:app")
    assert exec_form("uvicorn app:app") is None
    assert command_argv("uvicorn app:app") == ("/bin/sh", "-c", "uvicorn app:app")


def test_split_copy():
    assert split_copy("--chown=app:app pyproject.toml poetry.lock /app/") == (
        {"chown": "app:app"}, ["pyproject.toml", "poetry.lock"], "/app/")
    assert split_copy('["a b", "c"]') == ({}, ["a b"], "c")


def test_line_edits_keep_everything_else():
    info = parse_dockerfile("Dockerfile", TEXT)
    run = info.stages[0].instructions[1]
    replaced = replace_instruction(TEXT, run, "RUN true")
    assert "RUN true" in replaced and "gcc" not in replaced and replaced.startswith("# syntax-free\n")
    assert insert_before(TEXT, run, "ENV A=1").splitlines()[3] == "ENV A=1"
    assert insert_after(TEXT, run, "ENV A=1").splitlines()[5] == "ENV A=1"
    assert "apt-get" not in remove_instruction(TEXT, run)
    cmd = info.last("CMD")
    moved = move_after(TEXT, run, cmd)
    assert moved.splitlines()[-2:] == ["RUN apt-get update && \\", "    apt-get install -y gcc"]
    parse_dockerfile("Dockerfile", moved)


@pytest.mark.parametrize(("text", "needs"), [
    ("FROM python:3.11-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r r.txt\n", "Dockerfile:2 RUN --mount"),
    ("FROM python:3.11-slim\nRUN --network=none make\n", "Dockerfile:2 RUN --network"),
    ("# syntax=docker/dockerfile:1.7\nFROM python:3.11-slim\n", "Dockerfile:1 # syntax=docker/dockerfile:1.7"),
    ("#escape=`\n# Syntax = docker/dockerfile:1\nFROM python:3.11-slim\n", "Dockerfile:2 # Syntax = docker/dockerfile:1"),
    ("FROM python:3.11-slim\nCOPY --link app /app\n", "Dockerfile:2 COPY --link"),
    ("FROM python:3.11-slim\nADD --chmod=755 run.sh /\n", "Dockerfile:2 ADD --chmod"),
    ("FROM python:3.11-slim\nRUN cat > /etc/x <<EOF\n", "Dockerfile:2 RUN <<heredoc"),
    # what the classic builder builds: --chown/--from, a directive that is not syntax, syntax after a comment,
    # a shell here-string and arithmetic shifts
    ("FROM python:3.11-slim AS b\nFROM python:3.11-slim\nCOPY --chown=1:1 --from=b /a /a\n", None),
    ("# escape=\\\nFROM python:3.11-slim\n", None),
    ("# a comment\n# syntax=docker/dockerfile:1\nFROM python:3.11-slim\n", None),
    ("FROM python:3.11-slim\nRUN bash -c 'cat <<< x' && echo $((1<<2))\n", None),
])
def test_needs_buildkit(text, needs):
    assert needs_buildkit(parse_dockerfile("Dockerfile", text)) == needs
