from billing import SETTINGS

print(sorted(SETTINGS))
