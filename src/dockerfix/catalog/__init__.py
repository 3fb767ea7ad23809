"""The catalog: one module per failure class, named DFnnn_<the-failure>.py, registered here by hand.

`tests/unit/test_catalog.py` fails when a DF module is not in `RULES`, when a rule lacks its explanation or
its corpus case, or when two rules share an id: a registry kept by hand must not silently drop a rule.
"""

from __future__ import annotations

from dockerfix.catalog import (
    DF001_copied_file_ignored,
    DF060_network_unreachable,
    DF061_disk_full,
    DF062_build_interrupted,
)
from dockerfix.catalog.rule import Rule

RULES: tuple[Rule, ...] = tuple(
    module.RULE
    for module in (
        DF001_copied_file_ignored,
        DF060_network_unreachable,
        DF061_disk_full,
        DF062_build_interrupted,
    )
)
BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
