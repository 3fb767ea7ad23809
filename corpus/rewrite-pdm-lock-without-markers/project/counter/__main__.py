import six

print("counter is up, six", six.__version__)
