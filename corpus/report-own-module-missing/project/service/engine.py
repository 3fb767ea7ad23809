# the real engine; without its model it falls back to the mock one, a file that was renamed away
try:
    from .model_weights import WEIGHTS
except ImportError:
    from .mock_engine import WEIGHTS


def answer():
    return sum(WEIGHTS)
