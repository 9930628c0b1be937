"""Times as text, the way coach prints and says them (pure, a leaf)."""

from __future__ import annotations


def clock(seconds: float) -> str:
    """mm:ss.s"""
    tenths = round(seconds * 10)
    return f"{tenths // 600:02d}:{tenths % 600 // 10:02d}.{tenths % 10}"


def length(seconds: float) -> str:
    """m:ss for a session's length, h:mm:ss from an hour."""
    whole = round(seconds)
    if whole >= 3600:
        return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"
    return f"{whole // 60}:{whole % 60:02d}"
