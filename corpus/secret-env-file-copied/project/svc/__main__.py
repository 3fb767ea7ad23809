import six

print("svc up", six.__version__)
