import ctypes.util

import six

print("libpq:", ctypes.util.find_library("pq"), "six", six.__version__)
