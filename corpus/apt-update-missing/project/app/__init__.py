"""A tiny application whose image installs netcat without refreshing apt's lists."""
