import black


def tidy(source: str) -> str:
    return black.format_str(source, mode=black.Mode())
