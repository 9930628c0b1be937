"""Spoken commands: what words mean (words), where utterances are (endpoint), the recognizer (sphinx), the
microphone and recordings (sources), and listening, which joins them."""
