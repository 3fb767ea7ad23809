"""A corpus case as the engine test and the corpus benchmark both run it.

A case is `corpus/<name>/case.toml` plus the broken project in `corpus/<name>/project/`:
  seeds, rules (ids the repair must apply), kind (build | run | report)
  [original] builds (bool), signature (regex the original's build log, or its verification output, must match),
             network ("none" injects a network fault), timeout (seconds), cache_check (verification includes the
             cache check), verifies (the image works and the signature matches the static findings instead:
             problems outside the image, such as compose files)
  [repair] strategy, status (repaired | failed | ok: a control, left alone, with rules = []), max_builds, network, build_timeout, changed_files (exactly these)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dockerfix.analyse import analyse
from dockerfix.build import MANAGED_LABEL, BuildResult, new_tag
from dockerfix.build.sdk import SdkBackend
from dockerfix.repair import Options

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@dataclass(frozen=True)
class Case:
    directory: Path
    settings: dict[str, Any]

    @property
    def name(self) -> str:
        return self.directory.name

    @property
    def rules(self) -> list[str]:
        return self.settings["rules"]

    @property
    def original(self) -> dict[str, Any]:
        return self.settings["original"]

    @property
    def repair(self) -> dict[str, Any]:
        return self.settings["repair"]

    def build_original(self, root: Path, backend: SdkBackend) -> BuildResult:
        """Build the unrepaired copy at `root` under the case's faults (network, time limit)."""
        return backend.build(root, {}, analyse(root).dockerfile, tag=new_tag(root), labels={MANAGED_LABEL: "1"},
                             network=self.original.get("network"), timeout=self.original.get("timeout"))

    def repair_options(self, **overrides: Any) -> Options:
        settings = self.repair
        return Options(**{"strategy": settings.get("strategy", "rewrite"), "max_builds": settings.get("max_builds", 6),
                          "force": True, "network": settings.get("network"),
                          "build_timeout": settings.get("build_timeout", Options.build_timeout), **overrides})


def load_cases(names: list[str] | tuple[str, ...] = ()) -> list[Case]:
    """Every case in name order, or those named."""
    return [Case(path.parent, tomllib.loads(path.read_text())) for path in sorted(CORPUS.glob("*/case.toml"))
            if not names or path.parent.name in names]
