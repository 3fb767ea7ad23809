import sys

import six

print(f"Python {sys.version_info.major}.{sys.version_info.minor}, as Pipfile.lock was locked for; six", six.__version__)
