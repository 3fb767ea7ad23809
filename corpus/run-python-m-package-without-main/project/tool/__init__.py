import six


def main() -> None:
    print("tool runs on", "Python 3" if six.PY3 else "Python 2")
