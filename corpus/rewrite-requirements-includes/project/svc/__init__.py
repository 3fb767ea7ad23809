"""An application whose requirements file includes others."""
import six

print("svc is up, six", six.__version__)
