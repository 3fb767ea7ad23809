"""A package whose version setuptools-scm computes from the git tags."""
from importlib.metadata import version

import six

print("svc", version("svc"), "is up, six", six.__version__)
