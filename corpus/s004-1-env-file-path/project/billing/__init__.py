"""Invoices (seed S004-1)."""

from billing.config import SETTINGS

__all__ = ["SETTINGS"]
