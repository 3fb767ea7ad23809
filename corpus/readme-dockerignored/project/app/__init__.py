"""A tiny hatchling-built application whose README the .dockerignore drops."""
