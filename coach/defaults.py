"""Defaults shared by the CLI and the pipeline (kept free of heavy imports, so help stays fast)."""

DEFAULT_VOICE = "gmw/en-us"
DEFAULT_RATE = 145  # words a minute: calm, unhurried
RATE_RANGE = (80, 260)
MP3_BITRATES = (32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)  # MPEG-2 layer III, kbps (sessions are 22050 Hz)
DEFAULT_BITRATE = 64
