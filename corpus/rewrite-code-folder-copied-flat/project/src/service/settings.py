import six

GREETING = f"service is up, six {six.__version__}"
