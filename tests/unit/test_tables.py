"""The knowledge tables: every file parses, every entry has its keys with the right types,
names are canonical and the lookups find what they should. Whether the Debian names install
on each release is test_debian_releases.py's (against the committed package-index data)."""

from __future__ import annotations

import re
import tomllib
from importlib.resources import files
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from dockerfix import tables
from dockerfix.tables.python_versions import buildable_pythons, debian_glibc, python_version

TABLE_NAMES = {"syslibs", "apt_renames", "import_names", "package_renames", "shared_libs", "commands"}
DEBIAN_NAME = re.compile(r"^[a-z0-9][a-z0-9+.-]+$")  # Debian policy 5.6.1


def load(name: str) -> dict:
    return tomllib.loads(files("dockerfix.tables").joinpath(f"{name}.toml").read_text(encoding="utf-8"))


def check_entry(entry: dict, required: dict[str, type], optional: dict[str, type] | None = None) -> None:
    """``entry`` has exactly the ``required`` keys plus some ``optional`` ones; lists hold strings."""
    optional = optional or {}
    assert required.keys() <= entry.keys(), f"missing {required.keys() - entry.keys()} in {entry}"
    assert entry.keys() <= required.keys() | optional.keys(), f"unknown {entry.keys() - required.keys() - optional.keys()}"
    for key, value in entry.items():
        expected = required.get(key) or optional[key]
        assert isinstance(value, expected), f"{key}={value!r} is not {expected.__name__}"
        if expected is list:
            assert all(isinstance(item, str) and item for item in value), f"{key}={value!r}"


def assert_canonical(name: str) -> None:
    assert name == canonicalize_name(name), f"{name!r} is not canonical"


def test_every_table_parses():
    shipped = {Path(str(item)).stem for item in files("dockerfix.tables").iterdir() if str(item).endswith(".toml")}
    assert TABLE_NAMES <= shipped
    for name in shipped:
        assert load(name), name


def test_every_knowledge_table_says_what_it_maps_and_how_it_was_checked():
    for name in TABLE_NAMES:
        text = files("dockerfix.tables").joinpath(f"{name}.toml").read_text(encoding="utf-8")
        assert text.startswith("# "), name
        assert "Checked 2026-11-22" in text, name


def test_syslibs_entries():
    for distribution, entry in load("syslibs").items():
        assert_canonical(distribution)
        check_entry(entry, {"build": list, "runtime": list, "always_runtime": list, "note": str},
                    {"binary_alternative": str})
        assert entry["build"] or entry["runtime"] or entry["always_runtime"], distribution
        assert "python3-dev" not in entry["build"], f"{distribution}: the python image has its headers"
        if "gcc" in entry["build"]:  # gcc only recommends libc6-dev
            assert "libc6-dev" in entry["build"], distribution
        if "binary_alternative" in entry:
            assert_canonical(Requirement(entry["binary_alternative"]).name)


def test_apt_renames_entries():
    for old, entry in load("apt_renames").items():
        check_entry(entry, {"replacement": list, "why": str}, dict.fromkeys(tables.SUPPORTED_RELEASES, list))
        assert old not in entry["replacement"], old


def test_import_names_entries():
    table = load("import_names")
    assert table.keys() == {"imports", "extras"}
    for import_name, distribution in table["imports"].items():
        assert all(part.isidentifier() for part in import_name.split(".")), import_name
        assert_canonical(distribution)
        fallback = canonicalize_name(import_name.split(".")[0])
        assert distribution != fallback, f"{import_name}: the fallback already finds it"
    for import_name, requirement in table["extras"].items():
        parsed = Requirement(requirement)
        assert parsed.extras, import_name
        assert_canonical(parsed.name)


def test_package_renames_entries():
    table = load("package_renames")
    assert table.keys() == {"rename", "incompatible"}
    for entry in table["rename"]:
        check_entry(entry, {"old": str, "new": list, "since": str, "why": str, "reference": str, "kind": str},
                    {"extra": str})
        assert entry["kind"] in {"replace", "suggestion"}, entry
        assert entry["reference"].startswith("https://"), entry
        for name in [entry["old"], entry.get("extra", "x"), *entry["new"]]:
            assert_canonical(name)
    for entry in table["incompatible"]:
        check_entry(entry, {"distribution": str, "versions": str, "other": str, "other_versions": str,
                            "symptoms": list, "fix": list, "fix_in": str, "why": str, "reference": str,
                            "kind": str})
        assert entry["kind"] in {"pin", "suggestion"}, entry
        assert entry["fix_in"] in {"requirements", "build_constraints"}, entry
        assert entry["symptoms"] and entry["fix"], entry
        assert entry["reference"].startswith("https://"), entry
        assert_canonical(entry["distribution"])
        if entry["other"]:
            assert_canonical(entry["other"])
        SpecifierSet(entry["versions"])  # raises on a malformed specifier
        SpecifierSet(entry["other_versions"])
        for requirement in entry["fix"]:
            assert_canonical(Requirement(requirement).name)


def test_shared_libs_entries():
    table = load("shared_libs")
    assert table.keys() == {"sonames", "library_names"}
    stems: dict[str, str] = {}
    for soname, package in table["sonames"].items():
        assert ".so" in soname and "/" not in soname, soname
        stem = re.split(r"\.so(?:\.|$)", soname, maxsplit=1)[0]
        assert stems.setdefault(stem, package) == package, f"stem {stem} names two packages"
    for name in table["library_names"]:
        assert ".so" not in name, name


def test_commands_entries():
    for command, entry in load("commands").items():
        assert "/" not in command and " " not in command, command
        check_entry(entry, {"package": str}, {"note": str})


def test_debian_names_are_well_formed():
    for name in tables.debian_names():
        assert DEBIAN_NAME.match(name), name


def test_system_libs_lookup():
    libs = tables.system_libs("PsycoPG2")
    assert libs is not None
    assert libs.distribution == "psycopg2"
    assert libs.build == ("gcc", "libc6-dev", "libpq-dev") and libs.runtime == ("libpq5",)
    assert libs.binary_alternative == "psycopg2-binary"
    assert tables.system_libs("psycopg").always_runtime == ("libpq5",)
    assert tables.system_libs("python_magic").always_runtime == ("libmagic1",)
    assert tables.system_libs("no-such-distribution") is None


def test_apt_replacement_lookup():
    assert tables.apt_replacement("libssl1.1") == ("libssl3",)
    assert tables.apt_replacement("libmysqlclient-dev") == ("default-libmysqlclient-dev",)
    assert tables.apt_replacement("python-dev") == ()
    assert tables.apt_replacement("curl") is None


def test_import_lookups():
    assert tables.distribution_for_import("yaml") == "pyyaml"
    assert tables.distribution_for_import("PIL") == "pillow"
    assert tables.distribution_for_import("yaml.constructor") == "pyyaml"
    assert tables.distribution_for_import("google.cloud.storage.blob") == "google-cloud-storage"
    assert tables.distribution_for_import("Levenshtein") == "levenshtein"
    assert tables.distribution_for_import("typing_extensions") == "typing-extensions"
    assert tables.extra_for_import("email_validator") == "pydantic[email]"
    assert tables.extra_for_import("yaml") is None


def test_rename_lookups():
    postgres = tables.rename_for("LangGraph", extra="postgres")
    assert postgres is not None and postgres.new == ("langgraph-checkpoint-postgres",)
    assert tables.rename_for("langgraph") is None  # only its extras moved
    assert tables.rename_for("sklearn").new == ("scikit-learn",)
    assert tables.rename_for("tensorflow_gpu", extra="whatever").new == ("tensorflow",)
    assert tables.rename_for("pkg-resources").new == ()
    assert tables.rename_for("requests") is None
    assert all(rename.kind in {"replace", "suggestion"} for rename in tables.renames())


def test_incompatibilities():
    passlib = [i for i in tables.incompatibilities() if i.other == "passlib"]
    assert any("bcrypt<4.1" in i.fix and "4.1" in i.versions for i in passlib)
    numpy2 = next(i for i in tables.incompatibilities() if i.distribution == "numpy" and str(i.versions) == ">=2")
    assert numpy2.other is None and numpy2.fix == ("numpy<2",)


def test_shared_library_lookup():
    assert tables.package_for_shared_library("libmagic.so.1") == "libmagic1"
    assert tables.package_for_shared_library("libmagic") == "libmagic1"
    assert tables.package_for_shared_library("libGL.so.1") == "libgl1"
    assert tables.package_for_shared_library("libGL") == "libgl1"
    assert tables.package_for_shared_library("/usr/lib/x86_64-linux-gnu/libpq.so.5") == "libpq5"
    assert tables.package_for_shared_library("libgdal.so.28") == "libgdal32"  # an older soname, by stem
    assert tables.package_for_shared_library("cairo-2") == "libcairo2"
    assert tables.package_for_shared_library("libnothing.so.1") is None


def test_command_lookup():
    assert tables.package_for_command("pg_config") == "libpq-dev"
    assert tables.package_for_command("nc") == "netcat-openbsd"
    assert tables.package_for_command("/usr/bin/ps") == "procps"
    assert tables.package_for_command("no-such-command") is None


def test_release_eol_rows_match_distro_info_data():
    """release_eol.toml was generated from distro-info-data; where the CSVs are installed, every row still agrees."""
    import csv
    from pathlib import Path

    checked = 0
    for distribution in ("debian", "ubuntu"):
        source = Path(f"/usr/share/distro-info/{distribution}.csv")
        if not source.exists():
            continue
        for row in csv.DictReader(source.open()):
            known = tables.release(row["series"])
            if known is None or known.distribution != distribution:
                continue
            assert (known.eol, known.eol_lts) == (row["eol"], row.get("eol-lts") or row["eol"]), row["series"]
            checked += 1
    assert checked or not Path("/usr/share/distro-info").exists()
    assert tables.release("stretch").archive == "http://archive.debian.org/debian"


def test_python_versions_rows():
    table = load("python_versions")
    text = files("dockerfix.tables").joinpath("python_versions.toml").read_text(encoding="utf-8")
    assert text.startswith("# ") and "Checked 2026-12-01" in text
    for release in table["debian"].values():
        check_entry(release, {"version": str, "glibc": str})
        assert re.fullmatch(r"2\.\d+", release["glibc"])
    rows = table["python"]
    for row in rows:
        check_entry(row, {"version": str, "pep": int, "released": str, "end_of_life": str, "debian": str,
                          "wheel_tag": str})
        assert row["wheel_tag"] == "cp" + row["version"].replace(".", "")
        assert row["debian"] in table["debian"], row
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", row["released"]) and re.fullmatch(r"\d{4}-\d\d(-\d\d)?", row["end_of_life"])
        assert int(row["end_of_life"][:4]) - int(row["released"][:4]) == 5, row  # PEP 602: five years of fixes
    minors = [int(row["version"].split(".")[1]) for row in rows]
    assert minors == list(range(minors[0], minors[0] + len(rows))), "one row per version, oldest first, no gap"
    assert table["newest_default"] in [row["version"] for row in rows]


def test_python_version_lookups():
    assert buildable_pythons()[0] == "3.8" and "3.14" in buildable_pythons()
    assert python_version("3.14.1").wheel_tag == "cp314"
    assert python_version("3.8").debian == "bookworm" and python_version("3.12").debian == "trixie"
    assert python_version("2.7") is None
    assert (debian_glibc("bookworm"), debian_glibc("trixie")) == ("2.36", "2.41")


def test_platform_packages_are_classified_from_pypis_files_as_committed():
    """platform_packages.json is generated from PyPI's index; the check re-derives each marker from the wheel
    counts it recorded (no network)."""
    from dockerfix.tables import pypi_platforms

    assert pypi_platforms.main(["--check"]) == 0
    assert tables.platform_marker("PyWin32") == 'sys_platform == "win32"'
    assert tables.platform_marker("pyobjc-core") == 'sys_platform == "darwin"'
    assert tables.platform_marker("psutil") is None and tables.platform_marker("colorama") is None
    assert pypi_platforms.wheel_system("pywin32-310-cp312-cp312-win_amd64.whl") == "win"
    assert pypi_platforms.wheel_system("six-1.17.0-py2.py3-none-any.whl") == "any"


def test_removed_standard_library_modules_follow_from_each_pythons_own_list():
    """stdlib_modules.json holds sys.stdlib_module_names of each python:X.Y image; the check re-derives the last
    series that has each removed module from those lists (no engine)."""
    from dockerfix.tables import stdlib_modules

    assert stdlib_modules.main(["--check"]) == 0
    assert tables.last_python_with_module("audioop") == "3.12"
    assert tables.last_python_with_module("distutils.util") == "3.11"
    assert tables.last_python_with_module("json") is None and tables.last_python_with_module("yaml") is None
    assert stdlib_modules.removed({"3.10": ["a", "b", "c"], "3.11": ["a", "c"], "3.12": ["a"]}) == {"b": "3.10", "c": "3.11"}
