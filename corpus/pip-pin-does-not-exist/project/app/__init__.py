"""A tiny application that pins a click release that was never published."""
