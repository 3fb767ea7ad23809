"""The package's version, in a module of its own: the stages label images and reports with it without importing
the facade (`dockerfix/__init__.py`), which imports every stage."""

__version__ = "0.1.0"
