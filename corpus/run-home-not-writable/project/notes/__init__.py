"""Notes kept in a cache under the user's home."""
