"""A tiny application whose image installs apt packages by pre-bookworm names."""
