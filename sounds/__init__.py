"""The metronome sounds, made by scripts/make_sounds.py and shipped with the package."""
