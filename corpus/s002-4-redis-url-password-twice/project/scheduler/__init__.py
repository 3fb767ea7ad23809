"""Residency scheduler backend (seed S002-4)."""
