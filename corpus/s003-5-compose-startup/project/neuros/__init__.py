"""The NEUROS backend (seed S003-5)."""
