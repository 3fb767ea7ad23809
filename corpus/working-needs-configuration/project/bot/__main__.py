import six

from bot import CHAT_IDS, TOKEN

print("bot is up, six", six.__version__, "for", len(CHAT_IDS), "chats with a token of", len(TOKEN), "characters")
