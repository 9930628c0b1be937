"""Live playback through simpleaudio (ALSA on Linux).

simpleaudio plays whole buffers, so a session is played as a run of segments, each rendered just before it is
needed: memory stays flat, and playback can stop and start again at any sample position. Segments are cut where
nothing sounds, so the short hand-over between two buffers falls in a quiet moment.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from coach.errors import AudioOutputError
from coach.mixer import Pcm
from coach.timeline import Timeline

FIRST_SEGMENT_S = 4.0  # short, so sound starts soon
SEGMENT_S = 30.0


class PlayHandle(Protocol):
    def is_playing(self) -> bool: ...

    def stop(self) -> None: ...


class Backend(Protocol):
    def play(self, pcm: Pcm, sample_rate: int) -> PlayHandle: ...


class SimpleaudioBackend:
    """The real audio output. Opening it fails with AudioOutputError when there is no usable device."""

    def __init__(self) -> None:
        _quiet_alsa()
        import simpleaudio

        self._simpleaudio = simpleaudio

    def play(self, pcm: Pcm, sample_rate: int) -> PlayHandle:
        try:
            handle: PlayHandle = self._simpleaudio.play_buffer(pcm.tobytes(), 1, 2, sample_rate)
        except Exception as exc:  # simpleaudio raises its own SimpleaudioError
            raise AudioOutputError(f"No audio output could be opened ({_reason(exc)}).") from exc
        return handle


def _reason(exc: Exception) -> str:
    text = str(exc)
    if "MSG:" in text:
        text = text.split("MSG:", 1)[1].split("ALSA lib", 1)[0]
    return text.strip().rstrip(".") or type(exc).__name__


_ALSA_HANDLER: Any = None


def _quiet_alsa() -> None:
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


def segments(
    timeline: Timeline, start: int, end: int, first_s: float = FIRST_SEGMENT_S, most_s: float = SEGMENT_S
) -> list[tuple[int, int]]:
    """Split [start, end) into segments, cutting where no event sounds when such a point exists."""
    rate = timeline.sample_rate
    quiet = _quiet_points(timeline, start, end)
    out: list[tuple[int, int]] = []
    at, limit = start, round(first_s * rate)
    while at < end:
        stop = min(at + limit, end)
        if stop < end:
            fits = [q for q in quiet if at < q <= stop]
            if fits:
                stop = fits[-1]
        out.append((at, stop))
        at, limit = stop, round(most_s * rate)
    return out


def _quiet_points(timeline: Timeline, start: int, end: int) -> list[int]:
    """Event starts (and the session's end) where nothing else is sounding."""
    points = []
    reach = 0  # the furthest end of the events seen so far
    for event in timeline.events:
        if event.start >= reach and start < event.start < end:
            points.append(event.start)
        reach = max(reach, event.end)
    return points


class Player:
    """Plays a session from any sample position. `position` tells where it got to when it stops."""

    def __init__(
        self,
        backend: Backend,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        poll_s: float = 0.002,
    ) -> None:
        self.backend = backend
        self.clock = clock
        self.sleep = sleep
        self.poll_s = poll_s
        self.position = 0

    def play(
        self, timeline: Timeline, render: Callable[[int, int], Pcm], start: int = 0, end: int | None = None
    ) -> None:
        """Play [start, end); on Ctrl-C (or any error) the sound stops at once and the exception goes on.

        Each segment is rendered while the one before it plays, so the hand-over is only the device's own.
        """
        end = timeline.length if end is None else end
        self.position = start
        parts = segments(timeline, start, end)
        handle: PlayHandle | None = None
        begun = 0.0
        try:
            pcm = render(*parts[0]) if parts else None
            for index, (first, last) in enumerate(parts):
                assert pcm is not None
                handle = self.backend.play(pcm, timeline.sample_rate)
                begun = self.clock()
                self.position = first
                pcm = render(*parts[index + 1]) if index + 1 < len(parts) else None
                while handle.is_playing():
                    self.sleep(self.poll_s)
                handle = None
                self.position = last
        finally:
            if handle is not None:
                handle.stop()
                heard = round((self.clock() - begun) * timeline.sample_rate)
                self.position = min(self.position + max(heard, 0), end)
