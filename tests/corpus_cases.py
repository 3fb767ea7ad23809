"""A corpus case as the engine test and the corpus benchmark both run it.

A case is `corpus/<name>/case.toml` plus the broken project in `corpus/<name>/project/`:
  seeds, rules (ids the repair must apply; "rewrite" for the layout step), kind (build | run | report | working:
             the project's files are right | rewrite: the original fails for a reason of its own, and the rewrite must
             keep what it meant)
  [original] builds (bool; the classic builder builds it), backend (sdk | buildkit: the original's builder, sdk
             unless named), signature (regex the original's build log, or its
             verification output, must match; none for a working build), network ("none" injects a network fault),
             timeout (seconds), cache_check (verification includes the cache check), verifies (the image works and
             the signature matches the static findings instead: problems outside the image, such as compose files),
             saved_log + source (the engine cannot reproduce the failure: a real build's log, saved in the case, with
             where it came from; explained, not built), buildable (false: this engine, Docker 20.10, cannot build the
             original at all, e.g. a heredoc; the case then covers analyse, `check` (the signature matches its
             output), `rewrite --dry-run` and the static fix, and no build is measured)
  [repair] strategy (auto | minimal | rewrite), status (repaired | ok | failed), blocked (the failure is
           environment-blocked: an environment rule ended it, with no edit), strategy_won (the strategy of the
           final state), backend (the repair's --backend, and every build's), replaced (rules the report names as solved by the rewrite),
           max_builds, network, build_timeout, message (a regex the repair's message must match), changed_files (exactly these), keeps (regexes the repaired
           Dockerfile must match: the original's intent, as the rewrite carries it)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dockerfix.analyse import analyse
from dockerfix.build import MANAGED_LABEL, BuildBackend, BuildResult, new_tag
from dockerfix.build.context import context_inputs
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
    def catalog_rules(self) -> set[str]:
        """The case's rules without the rewrite step, which no diagnosis names."""
        return set(self.rules) - {"rewrite"}

    @property
    def saved_log(self) -> Path | None:
        name = self.settings["original"].get("saved_log")
        return self.directory / name if name else None

    @property
    def original(self) -> dict[str, Any]:
        return self.settings["original"]

    @property
    def repair(self) -> dict[str, Any]:
        return self.settings["repair"]

    @property
    def buildable(self) -> bool:
        return self.original.get("buildable", True)

    def build_original(self, root: Path, backend: BuildBackend) -> BuildResult:
        """Build the unrepaired copy at `root` (its own build context) under the case's faults (network, time limit)."""
        project = analyse(root)
        assert project.dockerfile is not None, f"{self.name}: no Dockerfile"
        context, overlay, dockerfile = context_inputs(root, project.context, {}, project.dockerfile)
        # a network fault must meet the network: a layer cached by another build on the engine would hide it
        return backend.build(context, overlay, dockerfile, tag=new_tag(root), labels={MANAGED_LABEL: "1"},
                             network=self.original.get("network"), timeout=self.original.get("timeout"),
                             no_cache=bool(self.original.get("network")))

    def repair_options(self, **overrides: Any) -> Options:
        settings = self.repair
        return Options(**{"strategy": settings.get("strategy", "auto"), "max_builds": settings.get("max_builds", 6),
                          "force": True, "backend": settings.get("backend", "auto"), "network": settings.get("network"), "no_cache": bool(settings.get("network")),
                          "build_timeout": settings.get("build_timeout", Options.build_timeout), **overrides})


def load_cases(names: list[str] | tuple[str, ...] = ()) -> list[Case]:
    """Every case in name order, or those named."""
    return [Case(path.parent, tomllib.loads(path.read_text())) for path in sorted(CORPUS.glob("*/case.toml"))
            if not names or path.parent.name in names]
