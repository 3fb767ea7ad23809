"""Defaults for a local run: no secrets here, they come from the environment."""

CURRENCY = "EUR"
