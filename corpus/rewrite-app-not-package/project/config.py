"""Settings of the application."""
NAME = "site-app"
