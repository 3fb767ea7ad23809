"""parse_requirements: pip's reading rules, includes, and an InputError (never a traceback) for bad input."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockerfix.analyse.requirements import parse_requirements
from dockerfix.errors import InputError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def by_name(requirements_file):
    return {r.name: r for r in requirements_file.requirements}


# ---- a real pip-compile output ------------------------------------------------------------------------------


def test_pip_compile_output_with_hashes_on_continuation_lines():
    parsed = parse_requirements(FIXTURES / "requirements" / "pip-tools", "requirements.txt")
    assert parsed.compiled_by_pip_tools
    assert parsed.hashed
    click, six = parsed.requirements
    assert (click.name, click.specifier, click.marker, click.origin) == (
        "click", "==8.5.1", 'python_version >= "3.9"', "requirements.txt:7")
    assert click.pinned
    assert click.hashes == (
        "sha256:8bb5376d2006950386f8c6427613334a2acadc5f559cb80e638d00b4df957e37",
        "sha256:9bbfada76703fd1d784b83eea012e3e8c6a001a876543ef104fa56aaaeb072b4",
    )
    assert (six.name, six.specifier, six.origin, len(six.hashes)) == ("six", "==1.17.0", "requirements.txt:11", 2)


def test_the_pip_compile_input_is_not_marked_compiled():
    parsed = parse_requirements(FIXTURES / "requirements" / "pip-tools", "requirements.in")
    assert not parsed.compiled_by_pip_tools
    assert not parsed.hashed
    assert [r.name for r in parsed.requirements] == ["six", "click"]


# ---- line syntax --------------------------------------------------------------------------------------------


def test_comments_blank_lines_and_continuations(tmp_path):
    write(tmp_path, {"requirements.txt": (
        "# a comment\n"
        "\n"
        "requests[socks,security] >= 2.31 ; python_version >= \"3.8\"   # trailing comment\n"
        "six \\\n"
        "  ==1.16.0\n"
        "attrs#not-a-comment\n"  # '#' not preceded by whitespace does not start a comment...
    )})
    with pytest.raises(InputError) as error:
        parse_requirements(tmp_path, "requirements.txt")
    assert error.value.line == 6  # ...so this line is not a valid requirement
    (tmp_path / "requirements.txt").write_text("\n".join((tmp_path / "requirements.txt").read_text().splitlines()[:5]))
    requests, six = parse_requirements(tmp_path, "requirements.txt").requirements
    assert (requests.name, requests.specifier, requests.extras, requests.marker) == (
        "requests", ">=2.31", ("security", "socks"), 'python_version >= "3.8"')
    assert (six.specifier, six.origin) == ("==1.16.0", "requirements.txt:4")


def test_a_comment_line_ends_a_continuation(tmp_path):
    write(tmp_path, {"requirements.txt": "numpy==1.26.4 \\\n    # via pandas\nsix\n"})
    assert [r.name for r in parse_requirements(tmp_path, "requirements.txt").requirements] == ["numpy", "six"]


def test_index_options(tmp_path):
    write(tmp_path, {"requirements.txt": (
        "--index-url https://first.example/simple\n"
        "-i https://final.example/simple\n"
        "--extra-index-url=https://extra.example/simple\n"
        "--extra-index https://extra.example/simple\n"  # an unambiguous prefix, as optparse allows
        "--find-links ./wheels\n"
        "-f https://download.example/wheels.html\n"
        "--pre\n"
        "--no-binary :all:\n"
        "--only-binary=numpy,scipy\n"
        "--prefer-binary\n"
        "--trusted-host example.org\n"
        "six\n"
    )})
    parsed = parse_requirements(tmp_path, "requirements.txt")
    assert parsed.index_url == "https://final.example/simple"
    assert parsed.extra_index_urls == ("https://extra.example/simple",)
    assert [r.name for r in parsed.requirements] == ["six"]
    assert not parsed.hashed


def test_editables_direct_references_and_local_paths(tmp_path):
    write(tmp_path, {"requirements.txt": (
        "-e .\n"
        "-e ./pkg[dev,test]\n"
        "--editable git+https://github.com/pallets/click.git@8.1.7#egg=click\n"
        "./local_pkg\n"
        "../sibling/dist/foo-1.0-py3-none-any.whl\n"
        "flask @ https://github.com/pallets/flask/archive/refs/tags/3.0.0.zip\n"
        "https://files.example/pkgs/attrs-23.1.0.tar.gz ; sys_platform == \"linux\"\n"
        "git+https://github.com/psf/black@24.1.0#egg=black[jupyter]\n"
    )})
    requirements = parse_requirements(tmp_path, "requirements.txt").requirements
    summary = [(r.name, r.url, r.extras, r.marker) for r in requirements]
    assert summary == [
        ("", ".", (), None),  # a directory: only its own metadata knows the name
        ("", "./pkg", ("dev", "test"), None),
        ("click", "git+https://github.com/pallets/click.git@8.1.7#egg=click", (), None),
        ("", "./local_pkg", (), None),
        ("foo", "../sibling/dist/foo-1.0-py3-none-any.whl", (), None),
        ("flask", "https://github.com/pallets/flask/archive/refs/tags/3.0.0.zip", (), None),
        ("attrs", "https://files.example/pkgs/attrs-23.1.0.tar.gz", (), 'sys_platform == "linux"'),
        ("black", "git+https://github.com/psf/black@24.1.0#egg=black[jupyter]", ("jupyter",), None),
    ]


def test_require_hashes_alone_turns_hash_mode_on(tmp_path):
    write(tmp_path, {"requirements.txt": "--require-hashes\nsix==1.16.0\n"})
    assert parse_requirements(tmp_path, "requirements.txt").hashed


# ---- includes -----------------------------------------------------------------------------------------------


def test_includes_are_followed_relative_to_the_including_file(tmp_path):
    write(tmp_path, {
        "requirements.txt": "-r requirements/base.txt\n-c constraints.txt\nflask\n",
        "requirements/base.txt": "--requirement ../common.txt\nurllib3<3\n",
        "common.txt": "idna==3.7\n",
        "constraints.txt": "urllib3==2.2.1\n-r common.txt\n",
    })
    parsed = parse_requirements(tmp_path, "requirements.txt")
    assert [(r.name, r.origin) for r in parsed.requirements] == [
        ("idna", "common.txt:1"), ("urllib3", "requirements/base.txt:2"), ("flask", "requirements.txt:3")]
    # Constraint files (and what they include) constrain; they are not requirements, only includes.
    assert parsed.includes == ("requirements/base.txt", "common.txt", "constraints.txt")


def test_a_diamond_include_is_read_once(tmp_path):
    write(tmp_path, {"requirements.txt": "-r a.txt\n-r b.txt\n", "a.txt": "-r c.txt\n", "b.txt": "-r c.txt\n",
                     "c.txt": "six\n"})
    assert [r.origin for r in parse_requirements(tmp_path, "requirements.txt").requirements] == ["c.txt:1"]


def test_a_missing_include_names_the_including_file_and_line(tmp_path):
    write(tmp_path, {"requirements.txt": "six\n-r requirements/dev.txt\n"})
    with pytest.raises(InputError) as error:
        parse_requirements(tmp_path, "requirements.txt")
    assert (error.value.path, error.value.line) == ("requirements.txt", 2)
    assert "requirements/dev.txt does not exist" in error.value.message


def test_an_include_cycle_is_an_input_error(tmp_path):
    write(tmp_path, {"requirements.txt": "-r sub/a.txt\n", "sub/a.txt": "six\n-r ../requirements.txt\n"})
    with pytest.raises(InputError) as error:
        parse_requirements(tmp_path, "requirements.txt")
    assert (error.value.path, error.value.line) == ("sub/a.txt", 2)
    assert "requirements.txt -> sub/a.txt -> requirements.txt" in error.value.message


def test_remote_includes_are_recorded_not_followed(tmp_path):
    write(tmp_path, {"requirements.txt": "-r https://example.org/requirements.txt\nsix\n"})
    parsed = parse_requirements(tmp_path, "requirements.txt")
    assert parsed.includes == ("https://example.org/requirements.txt",)


# ---- malformed input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "line", "message"), [
    ("six\nflask==\n", 2, "not a valid requirement: 'flask=='"),
    ("six\n\nrequests >= 2 ; python_version >< '3'\n", 3, "not a valid requirement"),
    ("six --hash=md5:abcd\n", 1, "pip accepts only sha256, sha384, sha512 hashes"),
    ("six --hash=abcd\n", 1, "expected a hash name and value"),
    ("--frobnicate\n", 1, "pip does not accept the option --frobnicate"),
    ("-x foo\n", 1, "pip does not accept the option -x"),
    ("-r\n", 1, "--requirement needs a value"),
    ("--pre=yes\n", 1, "--pre takes no value"),
    ("six --hash='sha256:ab\n", 1, "cannot read the options"),
    ("-e six\n", 1, "an editable must be a local path or a VCS URL"),
    ("git+https://example.org/x.git#egg=$$$\n", 1, "is not a project name"),
    ("https://example.org/x-1.0.tar.gz ; os_name =! 'nt'\n", 1, "not a valid environment marker"),
])
def test_malformed_lines(tmp_path, text, line, message):
    write(tmp_path, {"requirements.txt": text})
    with pytest.raises(InputError) as error:
        parse_requirements(tmp_path, "requirements.txt")
    assert (error.value.path, error.value.line) == ("requirements.txt", line)
    assert message in error.value.message


@pytest.mark.parametrize(("fixture", "line"), [
    ("locks/poetry18/poetry.lock", 3),  # "[[package]]" after the header comment and a blank line
    ("locks/uv/uv.lock", 1),  # "version = 1"
    ("locks/pdm/pyproject.toml", 1),  # "[project]"
])
def test_toml_given_as_a_requirements_file(tmp_path, fixture, line):
    """uv says "Unexpected '['"; dockerfix says what the file is, so its catalog can recognise the mistake."""
    shutil.copy(FIXTURES / fixture, tmp_path / Path(fixture).name)
    write(tmp_path, {"requirements.txt": f"six\n-r {Path(fixture).name}\n"})
    with pytest.raises(InputError) as error:
        parse_requirements(tmp_path, "requirements.txt")
    assert (error.value.path, error.value.line) == (Path(fixture).name, line)
    assert error.value.message == "is TOML, not a requirements file"


def test_not_utf8(tmp_path):
    (tmp_path / "requirements.txt").write_bytes(b"six\nna\xefve==1.0\n")
    with pytest.raises(InputError) as error:
        parse_requirements(tmp_path, "requirements.txt")
    assert error.value.line == 2


def test_a_missing_file(tmp_path):
    with pytest.raises(InputError) as error:
        parse_requirements(tmp_path, "requirements.txt")
    assert error.value.path == "requirements.txt"


# ---- property: nothing but InputError -----------------------------------------------------------------------

# Pieces of real requirements-file syntax, so that random texts reach the interesting code paths.
_FRAGMENTS = ["\n", " ", "\\", "\\\n", "#", " # via x", "-r ", "-c ", "-e ", "--hash=", "sha256:", "md5:",
              "-r other.txt", "-c other.txt", "-r requirements.txt", "--index-url ", "--pre", "--extra-index-url=",
              "six", "click[dev]", "==1.0", ">=2", "; python_version < '3.9'", " @ ", "https://x.org/a-1.0.tar.gz",
              "git+https://g.org/r.git#egg=", "./pkg", ".", "[", "]", "'", '"', "=", "version = 1", "[tool.poetry]",
              "\x00", "\r", "\ufeff", "\udcff"]
_TEXTS = st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=8)), max_size=30).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(main=_TEXTS, other=_TEXTS)
def test_arbitrary_text_raises_nothing_but_input_error(main, other):
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        # surrogatepass: lone surrogates become bytes that are not UTF-8, which must be an InputError too
        (root / "requirements.txt").write_bytes(main.encode("utf-8", "surrogatepass"))
        (root / "other.txt").write_bytes(other.encode("utf-8", "surrogatepass"))
        with contextlib.suppress(InputError):  # anything else fails the test
            parse_requirements(root, "requirements.txt")
