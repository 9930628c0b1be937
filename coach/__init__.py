"""coach: an offline, voice-guided audio coach for self-massage routines."""

__version__ = "0.1.0"
