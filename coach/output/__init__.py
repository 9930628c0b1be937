"""Sinks: where rendered PCM goes (a file, or the audio output)."""
