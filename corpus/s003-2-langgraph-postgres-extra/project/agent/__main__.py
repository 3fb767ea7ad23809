from agent import PostgresSaver

print("checkpointer:", PostgresSaver.__name__)
