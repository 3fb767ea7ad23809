import six

print("the report job ran; six", six.__version__)
