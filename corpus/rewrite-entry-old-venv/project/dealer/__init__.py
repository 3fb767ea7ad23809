"""A tiny application standing in for the seed's Dealer-Flow stack."""
