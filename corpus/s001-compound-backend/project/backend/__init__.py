"""A tiny service standing in for the seed's backend."""
