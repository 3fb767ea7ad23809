import six

print("ready; six", six.__version__)
