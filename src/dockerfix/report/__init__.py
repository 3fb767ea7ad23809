"""Stage 8, report: one `RepairResult`, several formats (markdown like the seed reports, JSON, SARIF, diff).

Every format goes through `redact` first: nothing that looks like a credential leaves dockerfix.
"""

from dockerfix.report.json import to_json
from dockerfix.report.markdown import to_markdown
from dockerfix.report.redact import redact, redact_json

__all__ = ["to_json", "to_markdown", "redact", "redact_json"]
