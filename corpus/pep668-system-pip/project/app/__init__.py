"""A tiny application installed with pip into Debian's own Python."""
