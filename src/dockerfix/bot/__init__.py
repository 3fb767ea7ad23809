"""Bot mode: dockerfix where repositories live.

- `pr`: repair a git checkout and propose the fix as a pull request through the GitHub REST API (an issue with
  the diagnosis when the repair fails); idempotent, never touches the user's checkout (`bot.pr`).
- `batch`: repair many checkouts or clone URLs, N at a time, over one or several Docker engines (`bot.batch`).
The GitHub Action (`action.yml`) and the pre-commit hook (`.pre-commit-hooks.yaml`) at the repository's top
level call the same commands.
"""

from dockerfix.bot.batch import BatchItem, read_list, run_batch
from dockerfix.bot.pr import PrOutcome, PrSettings, open_pull_request

__all__ = ["BatchItem", "PrOutcome", "PrSettings", "open_pull_request", "read_list", "run_batch"]
