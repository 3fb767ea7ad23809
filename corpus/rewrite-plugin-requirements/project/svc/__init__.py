"""An application whose plugins bring their own requirements."""
import idna
import six

print("svc is up, six", six.__version__, "idna", idna.__version__)
