"""A tiny application started through its console script."""
import six


def main() -> None:
    print("dealer-flow is up, six", six.__version__)


if __name__ == "__main__":
    main()
