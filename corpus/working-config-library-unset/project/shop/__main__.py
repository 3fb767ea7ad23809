from shop import settings

print("configured, debug:", settings.DEBUG)
