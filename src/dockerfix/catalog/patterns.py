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
# Lines that show a build reached the network: apt or apk fetched, pip downloaded, an image layer was pulled.
NETWORK_WORKED = re.compile(r"^(?:Get:\d+ https?://|Fetched [\d.,]+ [kMG]?B|fetch https?://|\s*Downloading https?://|"
                            r"#\d+ sha256:\w+ [\d.]+[kMG]?B / [\d.]+[kMG]?B|\w{12}: Pull complete)", re.MULTILINE)
# Hosts of the package indexes and archives the build needs: when one of them does not answer, the network failed.
INDEX_HOSTS = ("pypi.org", "files.pythonhosted.org", "deb.debian.org", "security.debian.org")


def network_worked_before(log: str, position: int) -> bool:
    """Whether the log shows a download that succeeded before `position` (so a host failing there is that host's)."""
    return NETWORK_WORKED.search(log, 0, position) is not None
