"""Dealer-Flow (seed S000-10)."""
