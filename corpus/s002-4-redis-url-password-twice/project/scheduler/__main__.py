import os

print("redis host:", os.environ.get("REDIS_URL", "unset").rsplit("@", 1)[-1])
