"""A tiny application."""
