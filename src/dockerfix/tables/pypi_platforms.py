"""Maintenance script: which distributions PyPI serves for one operating system only.

    python -m dockerfix.tables.pypi_platforms            # query PyPI, write platform_packages.json
    python -m dockerfix.tables.pypi_platforms --check    # only re-classify the committed data (no network)

Requirements frozen on a Windows or macOS machine (`pip freeze`) carry packages that install nowhere else:
pip on Linux answers `from versions: none` (wheels only) or fails building their sdist. For every candidate
below, the script reads PyPI's simple index (PEP 691 JSON, the index pip reads) and records the operating
systems its wheels are built for and whether it has an sdist. A candidate is platform-only when every wheel it
has is for one system (`win_*`, or `macosx_*`) and none is `any` or Linux: its PEP 508 marker is then
`sys_platform == "win32"` or `sys_platform == "darwin"`. Only this derived data is committed; the candidate list
is the input (names that turn up in frozen requirements), the classification is PyPI's.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import urllib.request
from pathlib import Path

CANDIDATES = (
    "pywin32", "pypiwin32", "pywinpty", "windows-curses", "winkerberos", "winrt-runtime", "winsdk", "pywin32-ctypes",
    "wmi", "comtypes", "pywinauto", "pyreadline3", "win32-setctime", "py2exe", "pyobjc-core", "pyobjc",
    "pyobjc-framework-cocoa", "pyobjc-framework-quartz", "appnope", "wxpython", "psutil",
)
MARKERS = {"win": 'sys_platform == "win32"', "mac": 'sys_platform == "darwin"'}
OUTPUT = Path(__file__).with_name("platform_packages.json")
SIMPLE = "https://pypi.org/simple/{name}/"


def wheel_system(filename: str) -> str:
    """The operating system a wheel's platform tag is for: win, mac, linux or any."""
    tags = filename[:-len(".whl")].split("-")[-1].split(".")
    systems = {"win" if t.startswith("win") else "mac" if t.startswith("macosx") else "any" if t == "any" else "linux"
               for t in tags}
    return systems.pop() if len(systems) == 1 else "any"


def summarise(files: list[str]) -> dict:
    """Wheel counts per operating system and the sdist count: what the classification reads."""
    systems: dict[str, int] = {}
    for filename in files:
        if filename.endswith(".whl"):
            systems[wheel_system(filename)] = systems.get(wheel_system(filename), 0) + 1
    return {"wheels": dict(sorted(systems.items())), "sdists": sum(f.endswith((".tar.gz", ".zip")) for f in files)}


def marker(summary: dict) -> str | None:
    """The marker of a platform-only distribution: its wheels are all for one system, none `any` or Linux."""
    systems = list(summary["wheels"])
    return MARKERS[systems[0]] if len(systems) == 1 and systems[0] in MARKERS else None


def fetch(name: str) -> list[str]:
    request = urllib.request.Request(SIMPLE.format(name=name), headers={
        "Accept": "application/vnd.pypi.simple.v1+json", "User-Agent": "dockerfix-maintenance"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return [f["filename"] for f in json.load(response)["files"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="re-classify the committed file lists, no network")
    args = parser.parse_args(argv)
    if args.check:
        data = json.loads(OUTPUT.read_text())
        wrong = [n for n, e in data["packages"].items() if marker(e) != e["marker"]]
        print("\n".join(f"misclassified: {n}" for n in wrong) or f"{len(data['packages'])} packages classified as committed")
        return 1 if wrong else 0
    packages = {}
    for name in CANDIDATES:
        summary = summarise(fetch(name))
        packages[name] = summary | {"marker": marker(summary)}
    OUTPUT.write_text(json.dumps({"source": "https://pypi.org/simple/ (PEP 691 JSON)",
                                  "checked": datetime.date.today().isoformat(), "packages": packages}, indent=1) + "\n")
    platform_only = sorted(n for n, e in packages.items() if e["marker"])
    print(f"wrote {OUTPUT.name}: {len(packages)} candidates, platform-only: {', '.join(platform_only)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
