"""The mixer (pure): a timeline and its clips become PCM (coach.audio's format), block by block, in stereo (two
channels, each event where its placement says, at constant power: coach.placement) or in mono (the stereo folded
down).

Memory stays flat however long the session, since only one block and the clips are ever held.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping

import numpy as np

from coach.audio import MONO, Clip, Pcm, to_pcm
from coach.placement import gains, mono_gain, pans
from coach.timeline import ClipKey, Event, Timeline

BLOCK = 8192  # samples per rendered block


def placed(event: Event, clip: Clip, channels: int) -> Clip:
    """The clip as the event is heard: at its gain, and where it is placed (shape (n, 2) in stereo, with the left
    and right gains of each sample; (n,) in mono, at the folded-down gain)."""
    where = event.placement
    pan = pans(where, len(clip)) if where.moving else where.start
    if channels == 1 and not where.moving and mono_gain(pan) == 1.0:  # the centre: the clip as it is
        return clip if event.gain == 1.0 else clip * np.float32(event.gain)
    scaled = clip.astype(np.float64) * event.gain
    if channels == 1:
        return (scaled * mono_gain(pan)).astype(np.float32)
    left, right = gains(pan)
    return np.stack([scaled * left, scaled * right], axis=-1).astype(np.float32)


def render(
    timeline: Timeline,
    clips: Mapping[ClipKey, Clip],
    start: int = 0,
    end: int | None = None,
    block: int = BLOCK,
    channels: int = MONO,
) -> Iterator[Pcm]:
    """Yield the session's samples from `start` to `end` in blocks of at most `block` samples: arrays of shape
    (n, 2) in stereo, (n,) in mono (`channels` 1)."""
    end = timeline.length if end is None else min(end, timeline.length)
    events = timeline.events
    longest = max((e.length for e in events), default=0)
    index = bisect_left([e.start for e in events], start - longest)
    active: list[tuple[int, Clip]] = []
    shape = () if channels == 1 else (channels,)
    for first in range(start, end, block):
        last = min(first + block, end)
        while index < len(events) and events[index].start < last:
            event, index = events[index], index + 1
            clip = clips.get(event.key)
            if clip is None:  # speech not made yet: its stretch is never rendered, but one before `start` may be
                continue
            if event.start + len(clip) > first:
                active.append((event.start, placed(event, clip, channels)))
        active = [(at, clip) for at, clip in active if at + len(clip) > first]
        mix = np.zeros((last - first, *shape), dtype=np.float32)
        for at, clip in active:
            lo, hi = max(at, first), min(at + len(clip), last)
            if hi > lo:
                mix[lo - first : hi - first] += clip[lo - at : hi - at]
        yield to_pcm(mix)


def render_all(
    timeline: Timeline, clips: Mapping[ClipKey, Clip], start: int = 0, end: int | None = None, channels: int = MONO
) -> Pcm:
    """The samples from `start` to `end` in one array (for short stretches: playback segments, tests)."""
    blocks = list(render(timeline, clips, start, end, channels=channels))
    shape = () if channels == 1 else (channels,)
    return np.concatenate(blocks) if blocks else np.zeros((0, *shape), dtype=np.int16)


def fold_down(stereo: Pcm) -> Pcm:
    """A stereo render (n, 2) folded down to mono: (left + right) / sqrt(2), rounded."""
    summed = stereo.astype(np.float64).sum(axis=1) / np.sqrt(2.0) / 32768.0
    return to_pcm(summed.astype(np.float32))
