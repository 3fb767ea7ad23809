import click
import six

print("backend is up, click", click.__version__, "six", six.__version__)
