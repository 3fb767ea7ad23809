"""Wheel coverage and the choice of Python (seed S000-7: llvmlite without a wheel for the chosen Python)."""

from __future__ import annotations

import json
import urllib.error
from pathlib import Path

import pytest

from dockerfix.analyse import analyse, wheels
from dockerfix.model import LockedPackage, LockFile
from dockerfix.analyse.wheels import (
    PythonTooOld,
    choose_python,
    image_platform,
    packages_without_wheels,
    poetry_constraint_to_pep440,
    release_platform,
    wheel_covers,
    wheel_files_from_index,
)
from dockerfix.errors import InputError
from dockerfix.tables.python_versions import buildable_pythons

PYTHONS = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]

# The wheels PyPI has for these releases (from https://pypi.org/simple/llvmlite/).
_PLATFORMS = ["macosx_10_9_x86_64", "macosx_11_0_arm64", "manylinux_2_17_aarch64.manylinux2014_aarch64",
              "manylinux_2_17_x86_64.manylinux2014_x86_64", "win_amd64"]
LLVMLITE_0_41_1 = tuple(f"llvmlite-0.41.1-cp{v}-cp{v}-{p}.whl" for v in (38, 39, 310, 311) for p in _PLATFORMS)
LLVMLITE_0_42_0 = tuple(f"llvmlite-0.42.0-cp{v}-cp{v}-{p}.whl" for v in (39, 310, 311, 312) for p in _PLATFORMS)
SIX = LockedPackage("six", "1.17.0", wheels=("six-1.17.0-py2.py3-none-any.whl",), sdist=True)


def lock_of(*packages: LockedPackage, lists_files: bool = True) -> LockFile:
    return LockFile(kind="poetry", path="poetry.lock", packages=packages, lists_files=lists_files)


def llvmlite(version: str, files: tuple[str, ...], **fields) -> LockedPackage:
    return LockedPackage("llvmlite", version, wheels=files, sdist=True, **fields)


# ---- wheel_covers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("filename", "covered"), [
    ("llvmlite-0.42.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", {"3.12"}),
    ("cryptography-42.0.5-cp39-abi3-manylinux_2_28_x86_64.whl", {"3.9", "3.10", "3.11", "3.12", "3.13"}),
    ("numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", {"3.11"}),
    ("psycopg2_binary-2.9.9-cp38-cp38-manylinux1_x86_64.whl", {"3.8"}),  # legacy alias of manylinux_2_5
    ("orjson-3.10.0-cp312-cp312-manylinux_2_39_x86_64.whl", {"3.12"}),  # python:3.12-slim is trixie: glibc 2.41
    ("llvmlite-0.42.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl", set()),
    ("cryptography-42.0.5-cp39-abi3-musllinux_1_2_x86_64.whl", set()),
    ("llvmlite-0.42.0-cp312-cp312-macosx_11_0_arm64.whl", set()),
    ("llvmlite-0.42.0-cp312-cp312-win_amd64.whl", set()),
    ("cryptography-42.0.5-pp310-pypy310_pp73-manylinux_2_28_x86_64.whl", set()),
    ("six-1.17.0-py2.py3-none-any.whl", set(PYTHONS)),
    ("click-8.1.8-py3-none-any.whl", set(PYTHONS)),
    ("mypy_extensions-1.0.0-py3-none-manylinux_2_17_x86_64.whl", set(PYTHONS)),
    ("not-a-wheel.tar.gz", set()),
])
def test_wheel_covers(filename, covered):
    assert {python for python in PYTHONS if wheel_covers(filename, python)} == covered


def test_each_python_is_judged_on_its_images_debian_release():
    assert image_platform("3.8") == release_platform("bookworm") == "manylinux_2_36_x86_64"
    assert image_platform("3.14") == release_platform("trixie") == "manylinux_2_41_x86_64"
    assert not wheel_covers("orjson-3.10.0-cp38-cp38-manylinux_2_39_x86_64.whl", "3.8")  # python:3.8-slim: bookworm
    assert not wheel_covers("orjson-3.10.0-cp312-cp312-manylinux_2_39_x86_64.whl", "3.12",
                            platform=release_platform("bookworm"))
    assert wheel_covers("orjson-3.10.0-cp314-cp314-manylinux_2_41_x86_64.whl", "3.14")


def test_wheel_covers_another_platform():
    wheel = "cryptography-42.0.5-cp39-abi3-musllinux_1_2_x86_64.whl"
    assert wheel_covers(wheel, "3.12", platform="musllinux_1_2_x86_64")
    assert not wheel_covers(wheel, "3.12", platform="musllinux_1_1_x86_64")


# ---- packages_without_wheels --------------------------------------------------------------------------------


def test_packages_without_wheels():
    lock = lock_of(SIX, llvmlite("0.42.0", LLVMLITE_0_42_0))
    assert packages_without_wheels(lock, "3.12") == ()
    assert packages_without_wheels(lock, "3.13") == ("llvmlite",)
    assert packages_without_wheels(lock, "3.8") == ("llvmlite",)


def test_dev_packages_count_only_when_asked():
    lock = lock_of(SIX, llvmlite("0.42.0", LLVMLITE_0_42_0, dev=True))
    assert packages_without_wheels(lock, "3.13") == ()
    assert packages_without_wheels(lock, "3.13", include_dev=True) == ("llvmlite",)


def test_packages_whose_marker_excludes_the_python_do_not_count():
    lock = lock_of(llvmlite("0.41.1", LLVMLITE_0_41_1, marker="python_version < '3.12'"),
                   llvmlite("0.42.0", LLVMLITE_0_42_0, marker="python_full_version >= '3.12'"),
                   LockedPackage("pywin32", "306", wheels=("pywin32-306-cp312-cp312-win_amd64.whl",),
                                 marker="sys_platform == 'win32'"))
    assert [packages_without_wheels(lock, python) for python in PYTHONS] == [
        (), (), (), (), (), ("llvmlite",)]


def test_packages_without_files_cannot_be_judged():
    # A path or VCS dependency: the lock lists no file; it is built whatever the Python.
    lock = lock_of(LockedPackage("mylib", "0.1.0", source="directory"))
    assert packages_without_wheels(lock, "3.12") == ()


def test_sdist_only_packages_have_no_wheel_anywhere():
    lock = lock_of(LockedPackage("docopt", "0.6.2", sdist=True))
    assert packages_without_wheels(lock, "3.12") == ("docopt",)


def test_locks_without_file_names_ask_the_index():
    asked = []

    def index(name, version):
        asked.append((name, version))
        return {"llvmlite": LLVMLITE_0_42_0, "six": SIX.wheels}.get(name)  # None: unknown (offline, not on PyPI)

    lock = lock_of(LockedPackage("six", "1.17.0", source="pypi"), LockedPackage("llvmlite", "0.42.0", source="pypi"),
                   LockedPackage("private", "1.0", source="pypi"), LockedPackage("black", "", source="git"),
                   lists_files=False)
    assert packages_without_wheels(lock, "3.13", index=index) == ("llvmlite",)
    assert asked == [("six", "1.17.0"), ("llvmlite", "0.42.0"), ("private", "1.0")]


# ---- wheel_files_from_index ---------------------------------------------------------------------------------


def simple_page(*filenames: str) -> bytes:
    """A PEP 691 JSON project page."""
    return json.dumps({"meta": {"api-version": "1.1"}, "name": "llvmlite",
                       "files": [{"filename": f, "url": f"https://files.example/{f}", "hashes": {}} for f in filenames]
                       }).encode()


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("DOCKERFIX_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "wheels"


def test_wheel_files_from_index_filters_the_release_and_caches_it(cache_dir):
    urls = []

    def fetch(url):
        urls.append(url)
        return simple_page(*LLVMLITE_0_41_1, "llvmlite-0.41.1.tar.gz", *LLVMLITE_0_42_0, "llvmlite-0.42.0.tar.gz")

    assert wheel_files_from_index("LLVMLite", "0.42.0", fetch=fetch) == LLVMLITE_0_42_0
    assert urls == ["https://pypi.org/simple/llvmlite/"]
    assert json.loads((cache_dir / "llvmlite" / "0.42.0.json").read_text()) == list(LLVMLITE_0_42_0)

    def offline(url):
        raise AssertionError("the cache should have answered")

    assert wheel_files_from_index("llvmlite", "0.42.0", fetch=offline) == LLVMLITE_0_42_0


def test_a_release_with_only_an_sdist_has_no_wheels(cache_dir):
    assert wheel_files_from_index("docopt", "0.6.2", fetch=lambda url: simple_page("docopt-0.6.2.tar.gz")) == ()


@pytest.mark.parametrize("failure", [
    urllib.error.URLError("no route to host"),
    TimeoutError("timed out"),
    urllib.error.HTTPError("https://pypi.org/simple/private/", 404, "Not Found", {}, None),  # type: ignore[arg-type]
])
def test_unknown_when_the_index_cannot_answer(cache_dir, failure):
    def fetch(url):
        raise failure

    assert wheel_files_from_index("private", "1.0", fetch=fetch) is None
    assert not cache_dir.exists()


def test_unknown_when_the_release_is_not_on_the_index(cache_dir):
    assert wheel_files_from_index("llvmlite", "9.9.9", fetch=lambda url: simple_page(*LLVMLITE_0_42_0)) is None
    assert wheel_files_from_index("llvmlite", "0.42.0", fetch=lambda url: b"<html>not json</html>") is None


@pytest.mark.parametrize(("name", "version"), [("../../etc", "1.0"), ("six", "../../1.0"), ("six", "latest")])
def test_names_and_versions_no_index_has_are_unknown(cache_dir, name, version):
    def fetch(url):
        raise AssertionError("nothing to ask")

    assert wheel_files_from_index(name, version, fetch=fetch) is None


def test_offline_pypi_costs_one_timeout_not_one_per_package(monkeypatch, cache_dir):
    attempts = []

    def unreachable(request, timeout):
        attempts.append((request.full_url, request.get_header("Accept"), timeout))
        raise urllib.error.URLError("offline")

    monkeypatch.setattr(wheels.urllib.request, "urlopen", unreachable)
    monkeypatch.setattr(wheels, "_pypi", wheels._PyPI())
    assert wheel_files_from_index("six", "1.17.0") is None
    assert wheel_files_from_index("click", "8.1.8") is None
    assert attempts == [("https://pypi.org/simple/six/", "application/vnd.pypi.simple.v1+json", 5)]


# ---- choose_python ------------------------------------------------------------------------------------------


def test_choose_311_when_a_package_has_wheels_only_up_to_cp311():
    lock = lock_of(SIX, llvmlite("0.41.1", LLVMLITE_0_41_1))
    choice = choose_python(PYTHONS, [("pyproject.toml:7", ">=3.9,<4.0")], lock)
    assert (choice.version, choice.without_wheels) == ("3.11", ())
    assert choice.constraints == (("pyproject.toml:7", ">=3.9,<4.0"),)
    assert choice.reason == ("3.11: newest version allowed by pyproject.toml:7 (>=3.9,<4.0) for which every locked "
                             "package has a wheel (llvmlite 0.41.1 has none for 3.12 or 3.13)")


def test_choose_312_for_llvmlite_0_42():
    lock = lock_of(SIX, llvmlite("0.42.0", LLVMLITE_0_42_0))
    choice = choose_python(PYTHONS, [("pyproject.toml:7", ">=3.9")], lock)
    assert choice.version == "3.12"
    assert choice.reason.endswith("(llvmlite 0.42.0 has none for 3.13)")


def test_the_newest_allowed_when_everything_has_wheels():
    lock = lock_of(SIX, llvmlite("0.42.0", LLVMLITE_0_42_0))
    choice = choose_python(PYTHONS, [("pyproject.toml:7", ">=3.9,<3.12")], lock)
    assert choice.version == "3.11"
    assert choice.reason == ("3.11: newest version allowed by pyproject.toml:7 (>=3.9,<3.12) for which every locked "
                             "package has a wheel")


def test_without_a_lock_or_constraints_the_newest():
    choice = choose_python(PYTHONS, [], None)
    assert (choice.version, choice.reason) == ("3.13", "3.13: newest version dockerfix can build")


def test_when_no_version_has_every_wheel_the_fewest_source_builds():
    lock = lock_of(LockedPackage("docopt", "0.6.2", sdist=True), llvmlite("0.42.0", LLVMLITE_0_42_0))
    choice = choose_python(PYTHONS, [], lock)
    assert (choice.version, choice.without_wheels) == ("3.12", ("docopt",))
    assert choice.reason == ("3.12: newest version dockerfix can build with the fewest locked packages lacking a "
                             "wheel (docopt 0.6.2 has none for 3.12 or 3.13; llvmlite 0.42.0 has none for 3.13)")


@pytest.mark.parametrize(("constraints", "version"), [
    ([(".python-version:1", "3.10.4")], "3.10"),  # an exact version: that series
    ([("runtime.txt:1", "3.9")], "3.9"),
    ([("pyproject.toml:7", ">=3.9.1,<3.12")], "3.11"),  # the image's newest 3.9 patch satisfies >=3.9.1
    ([("pyproject.toml:7", "==3.11.*")], "3.11"),
    ([("pyproject.toml:7", "~=3.10.0")], "3.10"),
    ([("pyproject.toml:7", ">=3.8"), ("Dockerfile:1 FROM", "3.10")], "3.10"),
    ([("pyproject.toml:7", "")], "3.13"),
])
def test_constraints(constraints, version):
    assert choose_python(PYTHONS, constraints, None).version == version


def test_a_constraint_no_candidate_meets():
    with pytest.raises(InputError) as error:
        choose_python(buildable_pythons(), [("pyproject.toml:7", ">=3.15")], None)
    assert (error.value.path, error.value.line) == ("pyproject.toml", 7)
    assert error.value.message == "requires Python >=3.15, but dockerfix can build only 3.8–3.14"



@pytest.mark.parametrize("constraint", ["3.7", "3.6.8", "<3.8", "~=3.6.0"])
def test_a_constraint_older_than_any_candidate_is_its_own_error(constraint):
    """The analysis answers it with the oldest Python (a Pipfile.lock made on 3.7 is valid input)."""
    with pytest.raises(PythonTooOld) as error:
        choose_python(buildable_pythons(), [("Pipfile.lock", constraint)], None)
    assert (error.value.origin, error.value.constraint) == ("Pipfile.lock", constraint)


def test_a_lock_made_on_an_end_of_life_python_builds_on_the_oldest_one(tmp_path):
    (tmp_path / "Pipfile").write_text('[packages]\nsix = "*"\n\n[requires]\npython_version = "3.7"\n')
    (tmp_path / "Pipfile.lock").write_text(json.dumps({
        "_meta": {"requires": {"python_version": "3.7"}, "pipfile-spec": 6, "hash": {"sha256": "0"}, "sources": []},
        "default": {"six": {"version": "==1.17.0", "hashes": []}}, "develop": {}}))
    (tmp_path / "Dockerfile").write_text("FROM python:3.7-slim\nCOPY . .\n")
    choice = analyse(tmp_path).python
    assert choice.version == buildable_pythons()[0]
    assert choice.reason.endswith("; Pipfile.lock asks for Python 3.7, older than any dockerfix builds: the oldest one instead")

@pytest.mark.parametrize("constraint", [">=3.14", "3.14", ">=3.14,<4.0", "==3.14.*"])
def test_314_when_the_project_asks_for_it(constraint):
    choice = choose_python(buildable_pythons(), [("pyproject.toml:7", constraint)], None)
    assert (choice.version, choice.reason) == ("3.14", f"3.14: newest version allowed by pyproject.toml:7 ({constraint})")


def test_314_is_held_back_when_older_versions_are_allowed():
    choice = choose_python(buildable_pythons(), [("pyproject.toml:7", ">=3.9")], lock_of(SIX))
    assert choice.version == "3.13"
    assert choice.reason == ("3.13: newest version allowed by pyproject.toml:7 (>=3.9) for which every locked package "
                             "has a wheel; 3.14 only when the project asks for it (newer than 3.13)")


def test_constraints_that_contradict_each_other():
    with pytest.raises(InputError) as error:
        choose_python(PYTHONS, [("pyproject.toml:7", ">=3.12"), ("Dockerfile:1 FROM", "3.11")], None)
    assert (error.value.path, error.value.line) == ("Dockerfile", 1)
    assert error.value.message == ("requires Python 3.11, but pyproject.toml:7 requires >=3.12: no Python dockerfix "
                                   "can build (3.8–3.13) satisfies them all")


def test_a_constraint_that_is_not_pep440():
    with pytest.raises(InputError) as error:
        choose_python(PYTHONS, [("pyproject.toml:5", "^3.10")], None)
    assert (error.value.path, error.value.line) == ("pyproject.toml", 5)


def test_each_release_is_looked_up_once_for_all_candidates():
    asked = []

    def index(name, version):
        asked.append(name)
        return LLVMLITE_0_41_1

    lock = lock_of(LockedPackage("llvmlite", "0.41.1", source="pypi"), lists_files=False)
    assert choose_python(PYTHONS, [], lock, index=index).version == "3.11"
    assert asked == ["llvmlite"]


# ---- poetry_constraint_to_pep440 ----------------------------------------------------------------------------


@pytest.mark.parametrize(("poetry", "pep440"), [
    ("^3.10", ">=3.10,<4.0"),
    ("~3.11", ">=3.11,<3.12"),
    ("3.11", ">=3.11,<3.12"),
    (">=3.9,<4.0", ">=3.9,<4.0"),
    ("3.11.4", "==3.11.4"),
    ("*", ""),
    (">=3.8,<3.9 || >=3.10", ">=3.8, !=2.7.*, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*, !=3.5.*, !=3.6.*, "
                             "!=3.7.*, !=3.9.*"),
])
def test_poetry_constraint_to_pep440(poetry, pep440):
    assert poetry_constraint_to_pep440(poetry) == pep440


def test_a_poetry_constraint_to_pep440_feeds_choose_python():
    constraint = poetry_constraint_to_pep440(">=3.8,<3.9 || >=3.10,<3.12")
    choice = choose_python(PYTHONS, [("pyproject.toml:9", constraint)], None)
    assert choice.version == "3.11"


@pytest.mark.parametrize("text", ["^^3", ">=3.9,<3.8"])
def test_poetry_constraint_to_pep440_rejects(text):
    with pytest.raises(ValueError):
        poetry_constraint_to_pep440(text)
