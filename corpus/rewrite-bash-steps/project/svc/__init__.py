"""An application whose Dockerfile prepares its directories with bash syntax."""
import six

print("svc is up, six", six.__version__)
