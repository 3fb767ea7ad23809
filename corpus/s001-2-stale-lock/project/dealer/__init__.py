"""A tiny application standing in for the seed's backend service."""
