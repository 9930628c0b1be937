"""Live playback through the fallback output, simpleaudio (ALSA on Linux): `Player`, the live player
(coach.output.player.LivePlayer) over an output that plays whole buffers.

simpleaudio plays whole buffers, so a session is played as a run of segments, each rendered just before it is
needed: memory stays flat, and playback can stop and start again at any sample position. Segments are cut where
nothing sounds and never inside a metronome grid, so the short quiet of a hand-over between two buffers never
moves a beat against the beat before it. (The default output streams instead: coach.output.stream.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from coach.audio import MONO, Pcm, centred
from coach.errors import AudioOutputError
from coach.output.alsa import quiet_alsa
from coach.output.player import Render, end_after
from coach.script import ACCENT, TICK
from coach.timeline import Timeline

FIRST_SEGMENT_S = 4.0  # short, so sound starts soon
SEGMENT_S = 30.0
CUT_LEAD_S = 0.02  # quiet kept before an event at a cut


class PlayHandle(Protocol):
    def is_playing(self) -> bool: ...

    def stop(self) -> None: ...


class Backend(Protocol):
    """An audio output that plays whole buffers (simpleaudio), played segment by segment by `Player`."""

    def play(self, pcm: Pcm, sample_rate: int) -> PlayHandle: ...


class SimpleaudioBackend:
    """The real audio output. Opening it fails with AudioOutputError when there is no usable device."""

    def __init__(self) -> None:
        quiet_alsa()
        import simpleaudio

        self._simpleaudio = simpleaudio

    def play(self, pcm: Pcm, sample_rate: int) -> PlayHandle:
        try:
            channels = 1 if pcm.ndim == 1 else pcm.shape[1]
            handle: PlayHandle = self._simpleaudio.play_buffer(pcm.tobytes(), channels, 2, sample_rate)
        except Exception as exc:  # simpleaudio raises its own SimpleaudioError
            raise AudioOutputError(f"No audio output could be opened ({_reason(exc)}).") from exc
        return handle


def _reason(exc: Exception) -> str:
    text = str(exc)
    if "MSG:" in text:
        text = text.split("MSG:", 1)[1].split("ALSA lib", 1)[0]
    return text.strip().rstrip(".") or type(exc).__name__


def segments(
    timeline: Timeline, start: int, end: int, first_s: float = FIRST_SEGMENT_S, most_s: float = SEGMENT_S
) -> list[tuple[int, int]]:
    """Split [start, end) into segments of about `most_s` (the first `first_s`), cut only where nothing sounds and
    never inside a metronome grid: a hand-over costs simpleaudio 10-40 ms of quiet, which inside a grid would put
    every later beat late. A segment runs past its length when it must, to the next place it may be cut."""
    rate = timeline.sample_rate
    quiet = _quiet_points(timeline, start, end)
    out: list[tuple[int, int]] = []
    at, limit = start, round(first_s * rate)
    while at < end:
        stop = min(at + limit, end)
        if stop < end:
            fits = [q for q in quiet if at < q <= stop]
            later = [q for q in quiet if q > stop]
            stop = fits[-1] if fits else later[0] if later else end
        out.append((at, stop))
        at, limit = stop, round(most_s * rate)
    return out


def _quiet_points(timeline: Timeline, start: int, end: int) -> list[int]:
    """Places to cut between segments: in the quiet before an event, where nothing sounds and no grid is under way.
    A cut comes up to 20 ms before the event (as much of that as is quiet), since the start of a new buffer can be
    lost on the way to the speakers."""
    grids = _grid_spans(timeline)
    lead = round(CUT_LEAD_S * timeline.sample_rate)
    points = []
    reach = 0  # the furthest end of the events seen so far
    for event in timeline.events:
        if event.start >= reach:
            cut = max(reach, event.start - lead)
            if start < cut < end and not any(a < cut < b for a, b in grids):
                points.append(cut)
        reach = max(reach, event.end)
    return points


def _grid_spans(timeline: Timeline) -> list[tuple[int, int]]:
    """Each phase's metronome beats, from the first beat's start to the last one's end."""
    spans = []
    for phase in timeline.phases:
        beats = [e for e in timeline.events if e.name in (TICK, ACCENT) and phase.start <= e.start < phase.end]
        if beats:
            spans.append((beats[0].start, max(e.end for e in beats)))
    return spans


class Player:
    """Plays a session from any sample position, segment by segment, without blocking: `start`, then `poll` until
    it says the sound is over (or `play` to do both). `stop` silences it at once; `position` tells where it got to.

    While a session's speech is still being made, its timeline is exact only up to its horizon
    (`Timeline.known`): the player plays up to there and then waits in silence (`waiting`) until `extend` hands it
    a timeline that reaches further. The horizon always falls at the start of a cue, so a wait never cuts a word.
    """

    def __init__(
        self,
        backend: Backend,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        poll_s: float = 0.002,
        channels: int = MONO,
    ) -> None:
        self.backend = backend
        self.channels = channels  # what it plays: 1, or 2 (stereo)
        self.clock = clock
        self.sleep = sleep
        self.poll_s = poll_s
        self._position = 0
        self._handle: PlayHandle | None = None
        self._playing: tuple[int, int, float] = (0, 0, 0.0)  # first sample, end sample, clock at its start
        self._parts: list[tuple[int, int]] = []  # segments still to hand over, the first of them rendered
        self._next: Pcm | None = None
        self._render: Render = lambda a, b: np.zeros(0, dtype=np.int16)
        self._rate = 22050
        self._end = 0  # where the session (or the stretch asked for) ends
        self._queued = 0  # where the segments handed over or queued reach
        self._timeline: Timeline | None = None

    @property
    def position(self) -> int:
        if self._handle is None:
            return self._position
        first, last, begun = self._playing
        return min(first + max(round((self.clock() - begun) * self._rate), 0), last)

    @property
    def waiting(self) -> bool:
        """True while it has played all it can and waits in silence for more of the session to be known."""
        return self._handle is None and self._timeline is not None and self._position < self._end

    def start(self, timeline: Timeline, render: Render, start: int = 0, end: int | None = None) -> None:
        """Start playing [start, end) of the session. Each segment is rendered while the one before it plays."""
        self.stop()
        self._rate, self._render, self._timeline = timeline.sample_rate, render, timeline
        self._end = timeline.length if end is None else end
        self._position = self._queued = start
        self._queue(timeline, first=True)
        self._advance()

    def extend(self, timeline: Timeline, render: Render, shift: int = 0) -> None:
        """The same session, known further (or to its end): play on past where it waited, its positions moved by
        `shift`. The segments not yet handed over are cut again, so the old horizon does not stay a seam."""
        if self._timeline is None:
            return
        self._end = end_after(self._end, self._timeline, timeline, shift)
        self._render, self._timeline = render, timeline
        first, last, begun = self._playing
        self._playing, self._position = (first + shift, last + shift, begun), self._position + shift
        self._queued = (self._parts[0][0] if self._parts else self._queued) + shift  # cut again from there
        self._parts, self._next = [], None
        self._queue(timeline, first=self._handle is None)
        if self._handle is None:
            self._advance()

    def _queue(self, timeline: Timeline, first: bool) -> None:
        """Queue segments from where the queue reaches to the horizon, rendering the first of them."""
        until = min(self._end, timeline.known_from(self._queued))
        if until > self._queued:
            self._parts += segments(timeline, self._queued, until, FIRST_SEGMENT_S if first else SEGMENT_S)
            self._queued = until
        if self._parts and self._next is None:
            self._next = self._render(*self._parts[0])

    def start_clip(self, pcm: Pcm, sample_rate: int) -> None:
        """Play a short clip on its own (a spoken prompt), in place of anything playing."""
        self.stop()
        placed = centred(pcm, self.channels) if pcm.ndim == 1 else pcm
        self._rate, self._parts, self._next, self._timeline = sample_rate, [(0, len(placed))], placed, None
        self._advance()

    def _advance(self) -> None:
        if not self._parts or self._next is None:
            return
        first, last = self._parts.pop(0)
        self._handle = self.backend.play(self._next, self._rate)
        self._playing = (first, last, self.clock())
        self._next = self._render(*self._parts[0]) if self._parts else None

    def poll(self) -> bool:
        """Hand the next segment over when one ends; False once everything has been played (while it waits for
        more of the session to be known, True)."""
        if self._handle is not None:
            if self._handle.is_playing():
                return True
            self._position, self._handle = self._playing[1], None
            self._advance()
        return self._handle is not None or self.waiting

    def stop(self) -> None:
        """Silence at once; `position` keeps where it got to."""
        if self._handle is not None:
            self._position = self.position
            self._handle.stop()
            self._handle = None
        self._parts, self._next, self._timeline = [], None, None

    def play(self, timeline: Timeline, render: Render, start: int = 0, end: int | None = None) -> None:
        """Play [start, end) to the end; on Ctrl-C (or any error) the sound stops at once and the exception goes on."""
        try:
            self.start(timeline, render, start, end)
            while self.poll():
                self.sleep(self.poll_s)
        finally:
            self.stop()
