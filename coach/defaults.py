"""Defaults shared by the CLI and the pipeline (kept free of heavy imports, so help stays fast)."""

PIPER, ESPEAK = "piper", "espeak"
ENGINES = (PIPER, ESPEAK)  # speech engines, by the names --engine takes
DEFAULT_ENGINE = PIPER
DEFAULT_VOICES = {PIPER: "en_US-joe-medium", ESPEAK: "gmw/en-us"}
DEFAULT_VOICE = DEFAULT_VOICES[DEFAULT_ENGINE]
DEFAULT_PACE = 1.0  # calm: about 145 words a minute, with natural pauses between sentences
PACE_RANGE = (0.5, 2.0)
MP3_BITRATES = (32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)  # MPEG-2 layer III, kbps (sessions are 22050 Hz)
DEFAULT_BITRATES = {1: 64, 2: 96}  # kbps by channels: mono, joint stereo (docs/design/stereo.md measures them)
DEFAULT_CHANNELS = 2  # sessions are stereo unless --mono
DEFAULT_BITRATE = DEFAULT_BITRATES[DEFAULT_CHANNELS]
