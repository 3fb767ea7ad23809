"""A tiny application whose Dockerfile caches pip's downloads in a BuildKit cache mount."""
import six

print("app is up, six", six.__version__)
