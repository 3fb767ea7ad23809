"""The plugin that needs idna."""
