"""Maintenance script: which standard library modules each Python removed, from the Pythons themselves.

    python -m dockerfix.tables.stdlib_modules            # ask each python:X.Y-slim image on the engine, write the table
    python -m dockerfix.tables.stdlib_modules --check    # only re-derive the committed table from its module lists

Code written for an older Python imports modules a later one dropped (PEP 594 removed `audioop`, `cgi`, `imghdr`
... in 3.13; PEP 632 removed `distutils` in 3.12): in an image on the newer Python the import fails although
nothing is missing from the project. For each series that has `sys.stdlib_module_names` (3.10 on), the script
reads that list in the series' own image and records, for every module a later series lacks, the last series
that has it. The module lists are committed with the derived table, so `--check` needs neither engine nor network.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

OUTPUT = Path(__file__).with_name("stdlib_modules.json")
FIRST_LISTED = (3, 10)  # sys.stdlib_module_names is new in 3.10
LIST_MODULES = "import json, sys; print(json.dumps(sorted(n for n in sys.stdlib_module_names if not n.startswith('_'))))"


def removed(modules: dict[str, list[str]]) -> dict[str, str]:
    """module → the last series that has it, for every module a later series of `modules` lacks."""
    series = sorted(modules, key=lambda s: tuple(int(p) for p in s.split(".")))
    last: dict[str, str] = {}
    for older, newer in itertools.pairwise(series):
        for name in sorted(set(modules[older]) - set(modules[newer])):
            last.setdefault(name, older)
    return dict(sorted(last.items()))


def _modules_in_image(client: object, python: str) -> list[str]:
    output = client.containers.run(f"python:{python}-slim", ["python", "-c", LIST_MODULES],  # type: ignore[attr-defined]
                                   remove=True, network_disabled=True)
    return list(json.loads(output))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="re-derive the committed table, no engine")
    args = parser.parse_args(argv)
    if args.check:
        data = json.loads(OUTPUT.read_text())
        ok = removed(data["modules"]) == data["removed"]
        print(f"{len(data['removed'])} removed modules derived as committed" if ok else "stdlib_modules.json: the "
              "removed table does not follow from its module lists: run the script again")
        return 0 if ok else 1
    from dockerfix.tables.python_versions import buildable_pythons

    import docker  # the engine, as DOCKER_HOST names it (a maintenance script: no dockerfix stage needed)

    client = docker.from_env()
    modules = {}
    for python in (p for p in buildable_pythons() if tuple(int(x) for x in p.split(".")) >= FIRST_LISTED):
        try:
            modules[python] = _modules_in_image(client, python)
        except Exception as exc:  # noqa: BLE001 - a series the engine has no image of is left out, and said so
            print(f"skipped {python}: {exc}", file=sys.stderr)
    OUTPUT.write_text(json.dumps({"source": "sys.stdlib_module_names in each python:X.Y-slim image",
                                  "removed": removed(modules), "modules": modules}, indent=1) + "\n")
    print(f"wrote {OUTPUT.name}: {', '.join(modules)}; removed: {', '.join(removed(modules))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
