"""The agent's graph state is checkpointed in Postgres (seed S003-2)."""

from langgraph.checkpoint.postgres import PostgresSaver

__all__ = ["PostgresSaver"]
