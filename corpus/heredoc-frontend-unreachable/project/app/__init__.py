"""A tiny application whose image installs curl without -y."""
