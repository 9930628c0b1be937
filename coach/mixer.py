"""The mixer (pure): a timeline and its clips become PCM (coach.audio's format), block by block.

Memory stays flat however long the session, since only one block and the clips are ever held.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping

import numpy as np

from coach.audio import Clip, Pcm, to_pcm
from coach.timeline import ClipKey, Timeline

BLOCK = 8192  # samples per rendered block


def render(
    timeline: Timeline,
    clips: Mapping[ClipKey, Clip],
    start: int = 0,
    end: int | None = None,
    block: int = BLOCK,
) -> Iterator[Pcm]:
    """Yield the session's samples from `start` to `end` in blocks of at most `block` samples."""
    end = timeline.length if end is None else min(end, timeline.length)
    events = timeline.events
    longest = max((e.length for e in events), default=0)
    index = bisect_left([e.start for e in events], start - longest)
    active: list[tuple[int, Clip]] = []
    for first in range(start, end, block):
        last = min(first + block, end)
        while index < len(events) and events[index].start < last:
            event, index = events[index], index + 1
            clip = clips.get(event.key)
            if clip is None:  # speech not made yet: its stretch is never rendered, but one before `start` may be
                continue
            active.append((event.start, clip if event.gain == 1.0 else clip * np.float32(event.gain)))
        active = [(at, clip) for at, clip in active if at + len(clip) > first]
        mix = np.zeros(last - first, dtype=np.float32)
        for at, clip in active:
            lo, hi = max(at, first), min(at + len(clip), last)
            if hi > lo:
                mix[lo - first : hi - first] += clip[lo - at : hi - at]
        yield to_pcm(mix)


def render_all(timeline: Timeline, clips: Mapping[ClipKey, Clip], start: int = 0, end: int | None = None) -> Pcm:
    """The samples from `start` to `end` in one array (for short stretches: playback segments, tests)."""
    blocks = list(render(timeline, clips, start, end))
    return np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int16)
