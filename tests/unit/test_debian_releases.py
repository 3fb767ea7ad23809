"""The apt tables against the committed package-index data (debian_releases.json), with no network.

The data is what `python -m dockerfix.tables.debian_index` derived from Debian's Packages indexes; its check
result (debian_releases_check.txt) must be the one the current tables give, and must find no problem.
"""

from __future__ import annotations

from importlib.resources import files

from dockerfix import tables
from dockerfix.tables import debian_index


def test_committed_check_is_current_and_finds_no_problem():
    lines, problems = debian_index.check_report()
    committed = files("dockerfix.tables").joinpath("debian_releases_check.txt").read_text(encoding="utf-8")
    assert not problems, problems
    assert committed == "\n".join(lines) + "\n", "re-run `python -m dockerfix.tables.debian_index --check`"


def test_both_supported_releases_are_in_the_data():
    assert set(tables.SUPPORTED_RELEASES) <= set(tables.apt_releases())
    assert tables.DEFAULT_RELEASE in tables.SUPPORTED_RELEASES


def test_every_name_the_tables_use_is_in_the_data():
    data = tables._releases()["packages"]
    assert tables.debian_names() <= data.keys()


def test_package_status_per_release():
    assert tables.apt_package("libpq5", "bookworm").version.startswith("15.")
    assert tables.apt_package("libpq5", "trixie").version.startswith("17.")
    libssl3 = tables.apt_package("libssl3", "trixie")
    assert libssl3.version is None and libssl3.providers == ("libssl3t64",) and libssl3.installable
    assert tables.apt_package("libpcre3", "trixie").absent
    assert tables.apt_package("mime-support", "trixie").absent
    assert not tables.apt_package("libpcre3", "bookworm").absent
    assert not tables.apt_package("anything", "sid").known


def test_names_apt_resolves_through_provides_are_left_alone():
    for name in ("libssl3", "libmagic1", "libcurl4", "libpng16-16"):
        assert tables.apt_replacement(name, "trixie") is None, name
    # what dockerfix itself installs is the real package
    assert tables.apt_for_release("libmagic1", "trixie") == ("libmagic1t64",)
    assert tables.apt_for_release("libmagic1", "bookworm") == ("libmagic1",)


def test_renames_in_every_direction():
    assert tables.apt_for_release("libgdal32", "trixie") == ("libgdal36",)  # bookworm name on trixie
    assert tables.apt_replacement("libldap-2.5-0", "trixie") == ("libldap2",)
    assert tables.apt_replacement("libssl3t64", "bookworm") == ("libssl3",)  # trixie names on bookworm
    assert tables.apt_replacement("libldap2", "bookworm") == ("libldap-2.5-0",)
    assert tables.apt_replacement("libssl1.1", "bookworm") == ("libssl3",)  # bullseye names on both
    assert tables.apt_replacement("libssl1.1", "trixie") == ("libssl3t64",)
    assert tables.apt_replacement("libssl1.1", "bullseye") is None
    assert tables.apt_replacement("libgdal20", "bullseye") == ("libgdal28",)


def test_removed_packages_per_release():
    assert tables.apt_replacement("libpcre3", "trixie") == ("libpcre2-8-0",)
    assert tables.apt_replacement("libpcre3", "bookworm") is None
    assert tables.apt_replacement("mime-support", "trixie") == ("media-types", "mailcap")
    assert tables.apt_replacement("wkhtmltopdf", "trixie") == ()
    assert tables.apt_replacement("python-dev", "trixie") == ()


def test_t64_renames_cover_the_transition():
    t64 = tables._releases()["t64"]
    assert t64["libssl3"] == "libssl3t64" and t64["libcurl4"] == "libcurl4t64"
    assert len(t64) > 500
