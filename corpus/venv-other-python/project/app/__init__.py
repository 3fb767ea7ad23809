"""A minimal ASGI application served by uvicorn from a venv the builder stage made."""
