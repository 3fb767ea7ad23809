"""The application: residents and their rotations (seed S002-3)."""

PEOPLE = ["Dr. A", "Dr. B"]
