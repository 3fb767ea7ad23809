"""A tiny application installed with pip --require-hashes from a requirements file without hashes."""
