"""Log and Dockerfile patterns that more than one rule reads."""

from __future__ import annotations

import re

# An import that failed because no installed distribution provides the module (verification output).
MISSING_MODULE = re.compile(r"^(?:\w+\.)*ModuleNotFoundError: No module named '(?P<module>[\w.]+)'", re.MULTILINE)
# `pip install --user ...`: packages land in ~/.local, which needs a home and PATH of its own.
PIP_USER = re.compile(r"pip3?\s+install\b[^;&|]*\s--user\b")
# How the engine (a Go HTTP client: net, net/http, crypto/x509) says a host it fetched from did not answer.
GO_UNREACHABLE = (r"no such host|server misbehaving|connection refused|network is unreachable|i/o timeout|"
                  r"TLS handshake timeout|Client\.Timeout exceeded|x509: certificate")
