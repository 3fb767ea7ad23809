"""A tiny application that keeps its requirements in requirements/base.txt."""
