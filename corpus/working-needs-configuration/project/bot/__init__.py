"""A bot configured by its deployment: the token and the chat ids come from the environment (docker run -e)."""
import os

env = os.environ
TOKEN = env["BOT_TOKEN"]
CHAT_IDS = tuple(env.get("CHAT_IDS").split(","))
