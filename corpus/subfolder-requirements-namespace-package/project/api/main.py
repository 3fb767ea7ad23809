"""The service's entry: api/ has no __init__.py (a namespace package), and its modules import each other relatively."""
from .settings import GREETING

print(GREETING)
