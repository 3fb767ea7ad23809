"""A tiny application on psycopg2 (the source distribution, not psycopg2-binary)."""
