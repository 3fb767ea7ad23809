import six

print("ledger is up, six", six.__version__)
