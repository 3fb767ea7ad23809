"""A tiny application whose image downloads a wheel with curl."""
