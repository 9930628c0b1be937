"""Live playback as one stream (PortAudio, through sounddevice): the default way a live session is heard, by
`StreamPlayer`, the live player (coach.output.player.LivePlayer) over an output that plays streams.

The session is rendered a few seconds ahead into a queue, and the output stream's callback, on PortAudio's own
thread, only copies from it; so there is no hand-over between buffers anywhere, and a metronome grid plays exactly
as the timeline lays it out. Where the session has got to is read from the stream itself: each callback notes the
session sample at the start of its buffer and the time that buffer reaches the DAC, in the stream's own clock, so
`position` follows the audio actually heard, through pauses, skips, a slow machine and a device that runs late.

Every stream starts with 20 ms of silence (a new stream's first few milliseconds are lost on the way to a sound
server), and `stop` aborts it: what was queued is dropped, and the sound ends at once.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from coach.audio import MONO, Pcm, centred
from coach.errors import AudioOutputError
from coach.output.alsa import quiet_alsa
from coach.output.player import Render, end_after
from coach.timeline import Timeline

LATENCY_S = 0.5  # the stream's buffer: margin against a busy machine (0.1 s once dropped 197 ms under load)
LEAD_S = 0.02  # silence at the start of every stream
AHEAD_S = 5.0  # rendered ahead of what the stream has taken
CHUNK_S = 2.0  # rendered at a time (about a millisecond's work)

Fill = Callable[[npt.NDArray[np.int16], float], None]  # (the buffer to fill, when its first frame reaches the DAC)


class Stream(Protocol):
    """A started output stream that calls its `Fill` from its own thread."""

    @property
    def time(self) -> float:
        """The stream's clock, in which DAC times are given."""
        ...

    @property
    def active(self) -> bool:
        """False once the stream has stopped of itself (an error of the device)."""
        ...

    def abort(self) -> None:
        """Silence now, dropping what is queued, and close the stream."""
        ...


class Streamer(Protocol):
    """An audio output that plays streams (PortAudio)."""

    def open(self, sample_rate: int, fill: Fill) -> Stream: ...


class StreamPlayer:
    """Plays a session from any sample position through one stream, without blocking: `start`, then `poll` until
    it says the sound is over. `stop` silences it at once; `position` tells where the listener has got to.

    While a session's speech is still being made, its timeline is exact only up to its horizon
    (`Timeline.known`): the player plays up to there and then waits in silence (`waiting`) until `extend` hands it
    a timeline that reaches further; the stream runs on meanwhile, so playing on is seamless.
    """

    def __init__(
        self,
        streamer: Streamer,
        ahead_s: float = AHEAD_S,
        chunk_s: float = CHUNK_S,
        lead_s: float = LEAD_S,
        channels: int = MONO,
    ) -> None:
        self.streamer = streamer
        self.channels = channels  # as the streamer's streams have them: 1, or 2 (stereo)
        self.ahead_s, self.chunk_s, self.lead_s = ahead_s, chunk_s, lead_s
        self._lock = threading.Lock()
        self._stream: Stream | None = None
        self._rate = 22050
        self._timeline: Timeline | None = None
        self._render: Render = lambda a, b: np.zeros(0, dtype=np.int16)
        self._position = 0  # where it got to, while no stream plays
        self._start = 0  # where the stream started
        self._end = 0  # where the session (or the stretch asked for, or the clip) ends
        self._limit = 0  # how far it may be rendered: the end, or the horizon before it
        self._rendered = 0  # how far it has been rendered
        # shared with the stream's thread, under the lock:
        self._queue: deque[Pcm] = deque()  # rendered, not yet handed out, in order
        self._taken = 0  # samples of the queue's first array already handed out
        self._lead = 0  # frames of silence still to hand out before the session
        self._next = 0  # the session sample handed out next
        self._heard: deque[tuple[float, int, int, int]] = deque()  # per buffer: DAC time, first sample, count, lead
        self.underruns = 0  # buffers the queue could not fill while there was more to play

    # -- the stream's thread --------------------------------------------------------------------------------------

    def _fill(self, out: npt.NDArray[np.int16], dac: float) -> None:
        frames = len(out)
        with self._lock:
            lead = min(self._lead, frames)
            self._lead -= lead
            out[:lead] = 0
            at, first = lead, self._next
            while at < frames and self._queue:
                head = self._queue[0]
                take = min(frames - at, len(head) - self._taken)
                out[at : at + take] = head[self._taken : self._taken + take]
                at += take
                self._taken += take
                if self._taken == len(head):
                    self._queue.popleft()
                    self._taken = 0
            out[at:] = 0
            count = at - lead
            self._next = first + count
            self._heard.append((dac, first, count, lead))
            if at < frames and self._next < self._limit:
                self.underruns += 1

    # -- the live loop's thread -------------------------------------------------------------------------------------

    @property
    def position(self) -> int:
        stream = self._stream
        if stream is None:
            return self._position
        now = stream.time
        with self._lock:
            while len(self._heard) > 1 and self._heard[1][0] <= now:
                self._heard.popleft()  # the buffer at the DAC now is the last one that has reached it
            if not self._heard or self._heard[0][0] > now:
                return self._start  # nothing has reached the DAC yet
            dac, first, count, lead = self._heard[0]
        return first + min(max(round((now - dac) * self._rate) - lead, 0), count)

    @property
    def waiting(self) -> bool:
        """True while it has played all it can and waits in silence for more of the session to be known."""
        return self._timeline is not None and self._limit < self._end and self.position >= self._limit

    def start(self, timeline: Timeline, render: Render, start: int = 0, end: int | None = None) -> None:
        """Start playing [start, end) of the session."""
        self.stop()
        self._timeline, self._render, self._rate = timeline, render, timeline.sample_rate
        self._end = timeline.length if end is None else end
        self._limit = min(self._end, timeline.known_from(start))
        self._open(start)

    def extend(self, timeline: Timeline, render: Render, shift: int = 0) -> None:
        """The same session, known further (or to its end): play on past where it waited, its positions moved by
        `shift` (the stream and what it holds play on unbroken)."""
        if self._timeline is None:
            return
        self._end = end_after(self._end, self._timeline, timeline, shift)
        self._timeline, self._render = timeline, render
        self._start, self._position, self._rendered = (
            self._start + shift,
            self._position + shift,
            self._rendered + shift,
        )
        with self._lock:
            self._next += shift
            self._heard = deque((dac, first + shift, count, lead) for dac, first, count, lead in self._heard)
            self._limit = min(self._end, timeline.known_from(self._rendered))
        self._render_ahead()

    def start_clip(self, pcm: Pcm, sample_rate: int) -> None:
        """Play a short clip on its own (a spoken prompt), in place of anything playing."""
        self.stop()
        placed = centred(pcm, self.channels) if pcm.ndim == 1 else pcm
        self._timeline, self._rate, self._end = None, sample_rate, len(placed)
        self._limit = self._end
        self._render = lambda a, b: placed[a:b]
        self._open(0)

    def _open(self, start: int) -> None:
        with self._lock:
            self._queue.clear()
            self._heard.clear()
            self._taken, self._lead, self._next = 0, round(self.lead_s * self._rate), start
        self._start = self._position = self._rendered = start
        self._render_ahead(self.chunk_s)  # one chunk, so the sound starts soon; the loop's polls render the rest
        self._stream = self.streamer.open(self._rate, self._fill)

    def _render_ahead(self, ahead_s: float | None = None) -> None:
        with self._lock:
            taken = self._next  # what the stream has taken already; the DAC is its latency behind
        chunk = round(self.chunk_s * self._rate)
        ahead = round((self.ahead_s if ahead_s is None else ahead_s) * self._rate)
        while self._rendered < self._limit and self._rendered - taken < ahead:
            stop = min(self._rendered + chunk, self._limit)
            pcm = self._render(self._rendered, stop)
            with self._lock:
                self._queue.append(pcm)
            self._rendered = stop

    def poll(self) -> bool:
        """Render ahead; False once everything has been heard (while it waits for more of the session, True)."""
        stream = self._stream
        if stream is None:
            return False
        if not stream.active:
            self.stop()
            raise AudioOutputError("The audio output stopped during the session.")
        self._render_ahead()
        if self.position >= self._end:
            self.stop()
            return False
        return True

    def stop(self) -> None:
        """Silence at once; `position` keeps where it got to."""
        stream = self._stream
        if stream is not None:
            self._position = self.position
            self._stream = None
            stream.abort()
        self._timeline = None  # nothing to extend until the next start
        with self._lock:
            self._queue.clear()
            self._heard.clear()


class PortAudioOutput:
    """The audio output through PortAudio (sounddevice). AudioOutputError when PortAudio is missing or has no
    output it can open."""

    def __init__(self, sample_rate: int, latency_s: float = LATENCY_S, channels: int = MONO) -> None:
        quiet_alsa()  # PortAudio's ALSA host would print ALSA's complaints
        try:
            import sounddevice
        except (ImportError, OSError) as exc:  # the PortAudio library (or sounddevice) is not installed
            raise AudioOutputError(f"No audio output could be opened ({exc}).") from None
        self._sd: Any = sounddevice
        self.latency_s, self.channels = latency_s, channels
        try:  # a stream opened and closed now: a missing or busy device shows here, not mid-session
            sounddevice.OutputStream(
                samplerate=sample_rate, channels=channels, dtype="int16", latency=latency_s
            ).close()
        except (sounddevice.PortAudioError, ValueError) as exc:
            raise AudioOutputError(f"No audio output could be opened ({_reason(exc)}).") from None

    def open(self, sample_rate: int, fill: Fill) -> Stream:
        stereo = self.channels > 1

        def callback(outdata: npt.NDArray[np.int16], frames: int, time: Any, status: Any) -> None:
            fill(outdata if stereo else outdata[:, 0], time.outputBufferDacTime)

        try:
            stream = self._sd.OutputStream(
                samplerate=sample_rate, channels=self.channels, dtype="int16", latency=self.latency_s,
                callback=callback,
            )  # fmt: skip
            stream.start()
        except (self._sd.PortAudioError, ValueError) as exc:
            raise AudioOutputError(f"No audio output could be opened ({_reason(exc)}).") from None
        return _Opened(stream)


class _Opened:
    def __init__(self, stream: Any) -> None:
        self._stream = stream

    @property
    def time(self) -> float:
        return float(self._stream.time)

    @property
    def active(self) -> bool:
        return bool(self._stream.active)

    def abort(self) -> None:
        self._stream.abort()
        self._stream.close()


def _reason(exc: Exception) -> str:
    text = str(exc).strip().rstrip(".")
    if text == "Error querying device -1":  # PortAudio's way of saying it has no default output
        return "PortAudio finds no output device"
    return text or type(exc).__name__
