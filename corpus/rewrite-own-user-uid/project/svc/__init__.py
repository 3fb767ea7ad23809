"""An application that keeps its state in /data, a directory the Dockerfile gives to its own user."""
import pathlib

import six

pathlib.Path("/data/ready").write_text(f"six {six.__version__}\n")
