import click

print("ok", click.__name__)
