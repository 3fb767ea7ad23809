from importlib.metadata import version

import click


@click.command()
def main() -> None:
    click.echo(f"app is up, click {version('click')}")


if __name__ == "__main__":
    main()
