"""Bank reconciliation (seed S004-5)."""
