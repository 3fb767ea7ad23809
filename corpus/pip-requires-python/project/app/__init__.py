"""A tiny command line application on click 8.2, which needs Python 3.10 or later."""
