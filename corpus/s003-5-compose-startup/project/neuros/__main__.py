import os

print("database:", os.environ.get("DATABASE_URL", "unset").rsplit("@", 1)[-1])
