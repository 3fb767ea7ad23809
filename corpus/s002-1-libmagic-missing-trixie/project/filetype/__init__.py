"""Seed S002-1: uploads are sniffed with python-magic, which loads libmagic when imported."""

import magic


def kind(data: bytes) -> str:
    return magic.from_buffer(data, mime=True)
