"""Splits matches into auto-approved and needing review."""


def prepare_review(state):
    threshold = state.get("auto_approve_threshold", 0.95)
    return {
        **state,
        "status": "processing",
    }
 >= threshold]
    needs_review = [m for m in state["matches"] if m["confianza"] < threshold]
