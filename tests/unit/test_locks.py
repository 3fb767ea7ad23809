"""Lock file parsers, on lock files the real tools wrote (tests/fixtures/locks/*, see each pyproject/Pipfile there):

poetry11: Poetry 1.1.15 (lock-version 1.1)     poetry18: Poetry 1.8.5 (lock-version 2.0)
poetry21: Poetry 2.1.3, [project] table        poetry21-legacy: Poetry 2.1.3, [tool.poetry] only (2.1)
uv: uv 0.13.9 (version 1, revision 5)          pdm: PDM 2.22.4 (lock_version 4.5.0)
pipenv: pipenv 2026.10.3 (pipfile-spec 6)
Each locks six (main) and click (dev, which pulls in colorama on Windows).
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from dockerfix.analyse.locks import (
    find_lock,
    parse_lock,
    parse_pdm_lock,
    parse_pipfile_lock,
    parse_poetry_lock,
    parse_uv_lock,
    poetry_content_hash_matches,
)
from dockerfix.model import LockedPackage
from dockerfix.errors import InputError

LOCKS = Path(__file__).resolve().parent.parent / "fixtures" / "locks"
SIX_WHEEL = "six-1.17.0-py2.py3-none-any.whl"
POETRY_FIXTURES = ["poetry11", "poetry18", "poetry21", "poetry21-legacy"]


def copy_fixture(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(LOCKS / name, tmp_path / name))


def packages(lock) -> dict[str, LockedPackage]:
    return {p.name: p for p in lock.packages}


def dev_flags(lock) -> dict[str, bool]:
    return {p.name: p.dev for p in lock.packages}


# ---- Poetry -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fixture", "tool_version", "format_version", "python"), [
    ("poetry11", None, "1.1", "^3.9"),  # Poetry 1.1 wrote no header
    ("poetry18", "1.8.5", "2.0", "^3.9"),
    ("poetry21", "2.1.3", "2.1", ">=3.9"),
    ("poetry21-legacy", "2.1.3", "2.1", "^3.9"),
])
def test_poetry_locks(fixture, tool_version, format_version, python):
    lock = parse_poetry_lock(LOCKS / fixture, "poetry.lock")
    assert (lock.kind, lock.path, lock.tool_version, lock.format_version) == (
        "poetry", "poetry.lock", tool_version, format_version)
    assert lock.python_constraint == python
    assert lock.lists_files and lock.hashed
    assert len(lock.content_hash) == 64
    six = packages(lock)["six"]
    assert (six.version, six.wheels, six.sdist, six.source) == ("1.17.0", (SIX_WHEEL,), True, "pypi")
    # 1.1 says category = "dev", 2.1 says groups = ["dev"], 2.0 says neither: the pyproject's main
    # dependencies (six) do not pull click or colorama in.
    assert dev_flags(lock) == {"click": True, "colorama": True, "six": False}


def test_poetry_2_writes_markers_and_groups():
    colorama = packages(parse_poetry_lock(LOCKS / "poetry21", "poetry.lock"))["colorama"]
    assert colorama.marker == 'platform_system == "Windows"'


def test_poetry_per_group_markers_are_joined(tmp_path):
    root = copy_fixture("poetry21", tmp_path)
    lock_file = root / "poetry.lock"
    lock_file.write_text(lock_file.read_text().replace(
        'groups = ["dev"]\nmarkers = "platform_system == \\"Windows\\""',
        'groups = ["main", "dev"]\n'
        'markers = {main = "sys_platform == \\"win32\\"", dev = "platform_system == \\"Windows\\""}'))
    colorama = packages(parse_poetry_lock(root, "poetry.lock"))["colorama"]
    assert colorama.marker == '(sys_platform == "win32") or (platform_system == "Windows")'
    assert not colorama.dev


def test_poetry_lock_2_0_without_pyproject_cannot_tell_dev(tmp_path):
    root = copy_fixture("poetry18", tmp_path)
    (root / "pyproject.toml").unlink()
    assert not any(p.dev for p in parse_poetry_lock(root, "poetry.lock").packages)


def test_poetry_source_of_a_private_index(tmp_path):
    root = copy_fixture("poetry18", tmp_path)
    lock_file = root / "poetry.lock"
    lock_file.write_text(lock_file.read_text().replace("https://pypi.org/simple", "https://pkgs.example/simple"))
    assert packages(parse_poetry_lock(root, "poetry.lock"))["six"].source == "https://pkgs.example/simple"


# ---- Poetry content hash ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", POETRY_FIXTURES)
def test_content_hash_of_an_untouched_project_matches(fixture):
    lock = parse_poetry_lock(LOCKS / fixture, "poetry.lock")
    assert poetry_content_hash_matches(LOCKS / fixture, lock) is True


@pytest.mark.parametrize("fixture", POETRY_FIXTURES)
def test_content_hash_of_a_project_with_a_dependency_added_after_locking_does_not_match(fixture, tmp_path):
    root = copy_fixture(fixture, tmp_path)
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text()
    if "[project]" in text:
        text = text.replace('dependencies = ["six>=1.16"]', 'dependencies = ["six>=1.16", "idna>=3"]')
    else:
        text = text.replace('six = "^1.16"', 'six = "^1.16"\nidna = "^3.7"')
    assert text != pyproject.read_text()
    pyproject.write_text(text)
    assert poetry_content_hash_matches(root, parse_poetry_lock(root, "poetry.lock")) is False


@pytest.mark.parametrize("fixture", POETRY_FIXTURES)
def test_content_hash_ignores_what_poetry_does_not_hash(fixture, tmp_path):
    root = copy_fixture(fixture, tmp_path)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('description = "dockerfix test fixture"', 'description = "new"'))
    assert poetry_content_hash_matches(root, parse_poetry_lock(root, "poetry.lock")) is True


def test_content_hash_cannot_be_judged_for_an_unknown_poetry_or_another_tool(tmp_path):
    lock = parse_poetry_lock(LOCKS / "poetry21", "poetry.lock")
    unknown_poetry = replace(lock, tool_version="3.0.0")
    unknown_format = replace(lock, tool_version=None, format_version="9.9")
    assert poetry_content_hash_matches(LOCKS / "poetry21", unknown_poetry) is None
    assert poetry_content_hash_matches(LOCKS / "poetry21", unknown_format) is None
    assert poetry_content_hash_matches(LOCKS / "uv", parse_uv_lock(LOCKS / "uv", "uv.lock")) is None
    root = copy_fixture("poetry21", tmp_path)
    (root / "pyproject.toml").unlink()
    assert poetry_content_hash_matches(root, lock) is None


# ---- uv, PDM, Pipenv ----------------------------------------------------------------------------------------


def test_uv_lock():
    lock = parse_uv_lock(LOCKS / "uv", "uv.lock")
    assert (lock.kind, lock.format_version, lock.python_constraint, lock.content_hash) == ("uv", "1.5", ">=3.9", None)
    assert lock.lists_files and lock.hashed
    # The project itself (source = { editable = "." }) is not a dependency; click is locked twice (forked by Python).
    assert [(p.name, p.version, p.marker) for p in lock.packages] == [
        ("click", "8.1.8", "python_full_version < '3.10'"),
        ("click", "8.5.1", "python_full_version >= '3.10'"),
        ("colorama", "0.4.6", None),
        ("six", "1.17.0", None),
    ]
    assert dev_flags(lock) == {"click": True, "colorama": True, "six": False}
    six = packages(lock)["six"]
    assert (six.wheels, six.sdist, six.source) == ((SIX_WHEEL,), True, "pypi")


def test_uv_virtual_project_and_wheel_filename(tmp_path):
    root = copy_fixture("uv", tmp_path)
    lock_file = root / "uv.lock"
    text = lock_file.read_text().replace('source = { editable = "." }', 'source = { virtual = "." }')
    six_url = ("https://files.pythonhosted.org/packages/b7/ce/149a00dd41f10bc29e5921b496af8b574d8413afcd5e30dfa0ed46c2"
               "cc5e/six-1.17.0-py2.py3-none-any.whl")
    assert six_url in text
    # A wheel url that does not end in the file name: uv then writes `filename`.
    text = text.replace(f'url = "{six_url}"', f'url = "https://mirror.example/download?id=1", filename = "{SIX_WHEEL}"')
    lock_file.write_text(text)
    lock = parse_uv_lock(root, "uv.lock")
    assert "tiny-uv" not in packages(lock)
    assert packages(lock)["six"].wheels == (SIX_WHEEL,)


def test_pdm_lock():
    lock = parse_pdm_lock(LOCKS / "pdm", "pdm.lock")
    assert (lock.kind, lock.format_version, lock.python_constraint) == ("pdm", "4.5.0", ">=3.9")
    assert lock.content_hash == "sha256:50cd21e693dcaa27efc69c9cee2131584e648282d84ad41019d3f438fe155437"
    assert lock.lists_files and lock.hashed
    assert dev_flags(lock) == {"click": True, "colorama": True, "six": False}
    assert packages(lock)["colorama"].marker == 'platform_system == "Windows"'
    assert packages(lock)["six"].wheels == (SIX_WHEEL,)


def test_pipfile_lock():
    lock = parse_pipfile_lock(LOCKS / "pipenv", "Pipfile.lock")
    assert (lock.kind, lock.format_version, lock.python_constraint) == ("pipenv", "6", "3.12")
    assert lock.content_hash == "6e9ed9b19b45fefa265c08570fe2db929ee1e5f1bdf0a667cc9d983a7e59b028"
    assert not lock.lists_files and lock.hashed
    assert [(p.name, p.version, p.dev, p.source, p.wheels) for p in lock.packages] == [
        ("six", "1.17.0", False, "pypi", ()), ("click", "8.5.1", True, "pypi", ())]
    assert packages(lock)["click"].marker == "python_version >= '3.10'"


def test_pipfile_lock_skips_the_project_itself_and_keeps_vcs_entries(tmp_path):
    root = copy_fixture("pipenv", tmp_path)
    lock_file = root / "Pipfile.lock"
    lock_file.write_text(lock_file.read_text().replace(
        '"default": {',
        '"default": {\n        "tiny": {"editable": true, "path": "."},\n'
        '        "black": {"git": "https://github.com/psf/black.git", "ref": "abc123"},'))
    lock = parse_pipfile_lock(root, "Pipfile.lock")
    assert [(p.name, p.version, p.source) for p in lock.packages][:2] == [
        ("black", "", "git"), ("six", "1.17.0", "pypi")]


# ---- dispatch and discovery ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("fixture", "name", "kind"), [
    ("poetry18", "poetry.lock", "poetry"), ("uv", "uv.lock", "uv"), ("pdm", "pdm.lock", "pdm"),
    ("pipenv", "Pipfile.lock", "pipenv"),
])
def test_parse_lock_and_find_lock(fixture, name, kind):
    assert parse_lock(LOCKS / fixture, name).kind == kind
    found = find_lock(LOCKS / fixture)
    assert found is not None and (found.kind, found.path) == (kind, name)


def test_find_lock_prefers_poetry_then_uv(tmp_path):
    shutil.copy(LOCKS / "uv" / "uv.lock", tmp_path)
    shutil.copy(LOCKS / "pdm" / "pdm.lock", tmp_path)
    assert find_lock(tmp_path).kind == "uv"
    shutil.copy(LOCKS / "poetry18" / "poetry.lock", tmp_path)
    assert find_lock(tmp_path).kind == "poetry"


def test_no_lock(tmp_path):
    assert find_lock(tmp_path) is None


def test_parse_lock_of_an_unknown_file(tmp_path):
    with pytest.raises(InputError, match="is not a lock file dockerfix reads"):
        parse_lock(tmp_path, "requirements.lock")


# ---- malformed input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fixture", "name"), [
    ("poetry18", "poetry.lock"), ("uv", "uv.lock"), ("pdm", "pdm.lock"),
])
def test_bad_toml_is_reported_at_its_line(tmp_path, fixture, name):
    root = copy_fixture(fixture, tmp_path)
    lines = (root / name).read_text().splitlines()
    lines[6] = 'version = "8.1.8'  # line 7: an unterminated string
    (root / name).write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as error:
        parse_lock(root, name)
    assert (error.value.path, error.value.line) == (name, 7)
    assert "is not valid TOML" in error.value.message


@pytest.mark.parametrize("name", ["poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock"])
def test_empty_lock(tmp_path, name):
    (tmp_path / name).write_text("\n  \n")
    with pytest.raises(InputError) as error:
        parse_lock(tmp_path, name)
    assert error.value.path == name and error.value.message == "is empty"


def test_a_package_without_a_name_is_reported_at_its_table(tmp_path):
    root = copy_fixture("poetry18", tmp_path)
    lock_file = root / "poetry.lock"
    lock_file.write_text(lock_file.read_text().replace('name = "six"\n', ""))
    with pytest.raises(InputError) as error:
        parse_poetry_lock(root, "poetry.lock")
    header_lines = [n for n, line in enumerate(lock_file.read_text().splitlines(), 1) if line == "[[package]]"]
    assert (error.value.line, error.value.message) == (header_lines[2], "an entry has no `name`")


def test_a_mistyped_field(tmp_path):
    root = copy_fixture("pdm", tmp_path)
    lock_file = root / "pdm.lock"
    lock_file.write_text(lock_file.read_text().replace('groups = ["default"]', 'groups = "default"'))
    with pytest.raises(InputError, match="`groups` is not an array of strings"):
        parse_pdm_lock(root, "pdm.lock")


def test_bad_json_is_reported_at_its_line(tmp_path):
    root = copy_fixture("pipenv", tmp_path)
    lock_file = root / "Pipfile.lock"
    lines = lock_file.read_text().splitlines()
    assert lines[8] == "        },"
    lines[8] = "        }"  # line 9 loses its comma
    lock_file.write_text("\n".join(lines))
    with pytest.raises(InputError) as error:
        parse_pipfile_lock(root, "Pipfile.lock")
    assert (error.value.path, error.value.line) == ("Pipfile.lock", 10)  # JSON notices at the next key
    assert "is not valid JSON" in error.value.message


def test_pipfile_lock_that_is_not_an_object(tmp_path):
    (tmp_path / "Pipfile.lock").write_text("[1, 2]\n")
    with pytest.raises(InputError, match="is not a JSON object"):
        parse_pipfile_lock(tmp_path, "Pipfile.lock")
