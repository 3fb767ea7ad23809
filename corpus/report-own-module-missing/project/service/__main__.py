from .engine import answer

print("answer:", answer())
