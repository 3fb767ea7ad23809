import six

GREETING = f"api is up, six {six.__version__}"
