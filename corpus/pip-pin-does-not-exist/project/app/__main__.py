import click

print("app is up")
