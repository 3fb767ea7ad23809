"""Sniffs uploads with python-magic, on the libmagic that apt installed by its bookworm name."""
