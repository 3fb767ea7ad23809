import sys

import six

print(f"Python {sys.version_info.major}.{sys.version_info.minor}; six", six.__version__)
