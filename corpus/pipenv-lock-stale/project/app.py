import click
import six

print("ok", click.__name__, six.__name__)
