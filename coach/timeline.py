"""The timeline (pure): a script plus the length of every clip becomes events at exact sample positions.

Rules it keeps:
- speech never overlaps other speech and is never cut;
- when speech is longer than its slot the schedule makes room instead of overlapping: in free talk the next cue
  simply waits; on the metronome grid whole beats are inserted (with soft ticks), so every beat stays on the grid;
- phase boundaries are kept, for chapters and for skipping.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from coach.script import TICK, Grid, Rest, Say, Script, Sound

SPEECH_GAP_MS = 250  # least quiet between two spoken cues on the grid

SPEECH, SOUND = "speech", "sound"
ClipKey = tuple[str, str]  # (SPEECH, text) or (SOUND, name)


@dataclass(frozen=True)
class Event:
    start: int  # sample position
    length: int  # in samples
    kind: str  # SPEECH or SOUND
    name: str  # the text spoken, or the sound's name
    gain: float = 1.0  # where a metronome sound falls on speech, the words (and if need be the sound) are turned down
    # so the two together stay under the peak ceiling (session.duck)

    @property
    def end(self) -> int:
        return self.start + self.length

    @property
    def key(self) -> ClipKey:
        return (self.kind, self.name)


@dataclass(frozen=True)
class PhaseSpan:
    title: str
    start: int
    end: int


@dataclass(frozen=True)
class Timeline:
    script: Script
    sample_rate: int
    length: int  # samples in the whole session
    events: tuple[Event, ...]  # ordered by start
    phases: tuple[PhaseSpan, ...]
    # While speech is still being made: the timeline is exact, and every clip known, before this sample; after it
    # positions rest on estimated lengths. None: every clip is known.
    horizon: int | None = None

    @property
    def known(self) -> int:
        """The sample before which everything is exact and can be played."""
        return self.length if self.horizon is None else self.horizon

    def seconds(self, samples: int) -> float:
        return samples / self.sample_rate


def beat_offset(beat: int, bpm: int, sample_rate: int) -> int:
    """Samples from the first beat of a grid to beat number `beat`, rounded to the nearest sample (no drift)."""
    return (2 * beat * 60 * sample_rate + bpm) // (2 * bpm)


def build_timeline(
    script: Script, lengths: Mapping[ClipKey, int], sample_rate: int, unknown: Collection[str] = ()
) -> Timeline:
    """Place every cue of the script. `lengths` gives each clip's length in samples, by (kind, name).

    `unknown` names the texts whose speech is not made yet (their lengths are estimates). Every position depends
    only on the clips before it, so the timeline is exact up to the first cue whose clip is unknown, or up to the
    start of a metronome grid holding one (a grid is played whole, never stopped between its beats): its horizon.
    """

    def samples(ms: int) -> int:
        return (ms * sample_rate + 500) // 1000

    gap = samples(SPEECH_GAP_MS)
    events: list[Event] = []
    spans: list[tuple[str, int]] = []
    t = 0  # where the next cue goes
    free = 0  # where the last speech ends
    horizon: int | None = None

    def add(start: int, kind: str, name: str) -> int:
        length = lengths[(kind, name)]
        events.append(Event(start, length, kind, name))
        return start + length

    for phase in script.phases:
        spans.append((phase.title, t))
        for cue in phase.cues:
            if horizon is None and _waits_for(cue, unknown):
                horizon = max(t, free) if isinstance(cue, Say) else t
            if isinstance(cue, Say):
                free = add(max(t, free), SPEECH, cue.text)
                t = free + samples(cue.pause_ms)
            elif isinstance(cue, Sound):
                add(t, SOUND, cue.name)
                t += samples(cue.wait_ms)
            elif isinstance(cue, Rest):
                t += samples(cue.ms)
            elif isinstance(cue, Grid):
                t, free = _place_grid(cue, t, free, gap, sample_rate, add)

    length = max([t, *(e.end for e in events)])
    starts = [start for _, start in spans]
    ends = [*starts[1:], length]
    phases = tuple(PhaseSpan(title, start, end) for (title, start), end in zip(spans, ends, strict=True))
    events.sort(key=lambda e: (e.start, e.kind, e.name))
    return Timeline(script, sample_rate, length, tuple(events), phases, horizon)


def _waits_for(cue: Say | Sound | Rest | Grid, unknown: Collection[str]) -> bool:
    if isinstance(cue, Say):
        return cue.text in unknown
    return isinstance(cue, Grid) and any(beat.say in unknown for beat in cue.beats if beat.say)


def _place_grid(
    grid: Grid, t0: int, free: int, gap: int, sample_rate: int, add: Callable[[int, str, str], int]
) -> tuple[int, int]:
    """Lay the grid's beats from t0; returns where the next cue goes and where the last speech ends."""
    shift = 0
    for index, beat in enumerate(grid.beats):
        position = t0 + beat_offset(index + shift, grid.bpm, sample_rate)
        if beat.say is not None:
            while position < free + gap:  # the words before are still being said: give them a whole beat more
                add(position, SOUND, TICK)
                shift += 1
                position = t0 + beat_offset(index + shift, grid.bpm, sample_rate)
            free = add(position, SPEECH, beat.say)
        if beat.sound is not None:
            add(position, SOUND, beat.sound)
    end = t0 + beat_offset(len(grid.beats) + shift, grid.bpm, sample_rate)
    return max(end, free + gap), free
