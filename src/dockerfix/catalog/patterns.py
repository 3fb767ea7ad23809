"""Log and Dockerfile patterns that more than one rule reads."""

from __future__ import annotations

import re

# An import that failed because no installed distribution provides the module (verification output).
MISSING_MODULE = re.compile(r"^(?:\w+\.)*ModuleNotFoundError: No module named '(?P<module>[\w.]+)'", re.MULTILINE)
# `pip install --user ...`: packages land in ~/.local, which needs a home and PATH of its own.
PIP_USER = re.compile(r"pip3?\s+install\b[^;&|]*\s--user\b")
