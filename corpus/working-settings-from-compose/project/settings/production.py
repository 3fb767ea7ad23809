DEBUG = False
ALLOWED_HOSTS: list[str] = []
