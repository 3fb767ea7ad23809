import importlib
import os
from http.server import HTTPServer, SimpleHTTPRequestHandler


def main() -> None:
    settings = importlib.import_module(os.environ.get("APP_SETTINGS", "settings.production"))
    if not settings.DEBUG and not settings.ALLOWED_HOSTS:
        raise SystemExit("You must set ALLOWED_HOSTS if DEBUG is False.")
    HTTPServer(("0.0.0.0", 8000), SimpleHTTPRequestHandler).serve_forever()


if __name__ == "__main__":
    main()
