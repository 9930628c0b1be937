"""ALSA's own error lines (`ALSA lib confmisc.c: ...`) kept off the terminal, for every audio output that goes
through ALSA (simpleaudio, and PortAudio's ALSA host): the failure itself still reaches coach as the output's own
exception, which becomes one sentence."""

from __future__ import annotations

_ALSA_HANDLER: object = None  # the ctypes callback, kept alive while ALSA holds it


def quiet_alsa() -> None:
    """Keep ALSA's own error lines off the terminal; the failure itself still reaches us as an exception."""
    global _ALSA_HANDLER
    if _ALSA_HANDLER is not None:
        return
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("asound")
    if not name:
        return
    handler_type = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p)
    _ALSA_HANDLER = handler_type(lambda *args: None)
    ctypes.CDLL(name).snd_lib_error_set_handler(_ALSA_HANDLER)
