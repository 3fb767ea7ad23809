"""A tiny application standing in for the seed's numba-based Dealer-Flow stack."""
