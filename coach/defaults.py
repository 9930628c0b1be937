"""Defaults shared by the CLI and the pipeline (kept free of heavy imports, so help stays fast)."""

DEFAULT_VOICE = "gmw/en-us"
DEFAULT_RATE = 145  # words a minute: calm, unhurried
RATE_RANGE = (80, 260)
