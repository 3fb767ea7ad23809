import pika


def consume():
    print("worker ready", pika.__version__)


if __name__ == "__main__":
    consume()
