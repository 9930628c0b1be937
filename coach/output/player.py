"""The live player's interface: what a live session is played with. Both outputs give one: PortAudio's stream
(coach.output.stream.StreamPlayer, the default) and simpleaudio's buffers played segment by segment
(coach.output.playback.Player, the fallback); `coach.cli.deps` opens the output and makes its player."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from coach.audio import Pcm
from coach.timeline import Timeline

Render = Callable[[int, int], Pcm]  # the session's samples [first, end)


class LivePlayer(Protocol):
    """Plays a session from any sample position without blocking: `start`, then `poll` until it says the sound is
    over. `stop` silences it at once."""

    channels: int  # what it plays: 1 (mono), or 2 (stereo: the session rendered in two channels, a prompt centred)

    @property
    def position(self) -> int:
        """Where the listener is: the session sample being heard now (while a session plays), or where it got to
        (once stopped). The one account of where a live session is: the controller follows it on every turn of the
        loop (`Controller.follow`), so the status line, the media player's Position and the strokes counted done (a
        stroke once its accent's first sample has been heard) all rest on the audio itself. `StreamPlayer` reads it
        from the stream's DAC times; `Player` from the clock since the segment now playing was handed over."""
        ...

    def start(self, timeline: Timeline, render: Render, start: int = 0, end: int | None = None) -> None:
        """Start playing [start, end) of the session (to its end by default)."""
        ...

    def extend(self, timeline: Timeline, render: Render, shift: int = 0) -> None:
        """The same session, known further (its speech is still being made): play on past where it waited. `shift`
        is how far the part being played has moved in the session (an estimated phase start made exact by the lines
        before it, after a skip past them): positions move with it, and what is heard goes on unbroken."""
        ...

    @property
    def waiting(self) -> bool:
        """True while it has played all it can and waits in silence at the horizon for more of the session."""
        ...

    def start_clip(self, pcm: Pcm, sample_rate: int) -> None:
        """Play a short clip on its own (a spoken prompt), in place of anything playing."""
        ...

    def poll(self) -> bool:
        """Keep the sound going; False once everything has been heard (while it waits for more, True)."""
        ...

    def stop(self) -> None:
        """Silence at once; `position` keeps where it got to."""
        ...


def end_after(end: int, old: Timeline, new: Timeline, shift: int) -> int:
    """Where a stretch that ended at `end` of the old timeline ends in the same session known further: at the new
    one's end when it ran to the old one's, else moved as the part being played moved (`extend`, in both
    players)."""
    return new.length if end == old.length else end + shift
