"""Start the application: importing it is what it does."""
import svc  # noqa: F401
