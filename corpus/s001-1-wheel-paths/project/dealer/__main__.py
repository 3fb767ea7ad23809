import six

print("backend is up, six", six.__version__)
