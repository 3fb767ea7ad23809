"""An application of bare modules: no package a build backend could find."""
import six

import config

print(config.NAME, "is up, six", six.__version__)
