"""An application that talks to PostgreSQL through the system libpq (ctypes)."""
