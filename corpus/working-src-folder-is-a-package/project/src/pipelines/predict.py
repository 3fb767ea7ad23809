import six

from src.logger import log


def run():
    log("prediction ready; six " + six.__version__)
