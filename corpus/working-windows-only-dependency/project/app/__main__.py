import six

print("speaks through espeak on Linux; six", six.__version__)
