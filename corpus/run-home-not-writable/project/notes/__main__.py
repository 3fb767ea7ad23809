import pathlib

cache = pathlib.Path.home() / ".cache" / "notes"
cache.mkdir(parents=True, exist_ok=True)
print("cache at", cache)
