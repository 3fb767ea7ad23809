"""Loudness of raw 16-bit audio, with the standard library's audioop (Python <= 3.12)."""
import audioop


def loudness(frames: bytes) -> int:
    return audioop.rms(frames, 2)
