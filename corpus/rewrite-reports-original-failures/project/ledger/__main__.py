"""A tiny Poetry application whose .dockerignore hides its lock file."""
import six

print("ledger is up, six", six.__version__)
