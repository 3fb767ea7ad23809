"""An application pinned to a Pillow whose wheels stop at CPython 3.12."""
