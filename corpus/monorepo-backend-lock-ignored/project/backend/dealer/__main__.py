import six

print("dealer-flow is up, six", six.__version__)
