"""A tiny application whose own Dockerfile already builds and verifies: repair must leave it alone."""
import six

print("app is up, six", six.__version__)
