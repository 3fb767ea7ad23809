"""A shop whose defaults live in a module next to the code."""
