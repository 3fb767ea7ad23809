"""dockerfix: repairs the Docker builds of Python projects.

The pipeline, one package per stage: analyse → plan → render → build → diagnose → transform → verify → report.
"""

__version__ = "0.1.0"
