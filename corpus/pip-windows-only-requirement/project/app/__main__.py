import six

print("app is up, six", six.__version__)
