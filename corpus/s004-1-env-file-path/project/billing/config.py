"""Settings from .env: only the current directory is searched (seed S004-1)."""


def load_settings(path: str = ".env") -> dict[str, str]:
    settings = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            key, _, value = line.strip().partition("=")
            if key and not key.startswith("#"):
                settings[key] = value
    return settings


SETTINGS = load_settings()
