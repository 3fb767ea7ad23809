"""Greets."""

import six

GREETING = six.ensure_str(b"hello")
