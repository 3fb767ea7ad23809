"""An application that guesses file types from /etc/mime.types."""
