"""A worker that checks its own configuration: without SERVICE_URL (a deployment sets it) it says so and exits 1."""
import logging
import os
import sys

import six

logging.basicConfig(format="%(asctime)s - %(levelname)s - %(message)s")
URL = os.getenv("SERVICE_URL")
if not URL:
    logging.error("Missing required environment variable: SERVICE_URL")
    sys.exit(1)
print("worker is up, six", six.__version__, "reporting to", URL)
