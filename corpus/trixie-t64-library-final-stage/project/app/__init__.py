"""An HTTP client built on pycurl, compiled in the builder stage against the system libcurl."""
