"""A tiny application locked with Poetry 1.8 whose Dockerfile installs whatever Poetry is newest."""
