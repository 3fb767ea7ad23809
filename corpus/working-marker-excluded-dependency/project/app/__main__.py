"""An application whose requirements carry a dependency for old Pythons only: pip skips it on 3.12."""
import sys

import six

if sys.version_info < (3, 9):
    from backports import zoneinfo  # noqa: F401
print("app is up, six", six.__version__)
