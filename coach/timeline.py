"""The timeline (pure): a script plus the length of every clip becomes events at exact sample positions.

Rules it keeps:
- speech never overlaps other speech and is never cut; in free talk the next cue waits for the words before it;
- on a metronome grid every stroke lasts the same whole number of beats: each step gets, in every stroke, enough
  beats for its longest words (and the release also for the next stroke's count), never fewer than the routine
  asks; every stroke's beats are counted from its own accent, so nothing drifts however a beat rounds to samples;
- a step's words start on its first beat; a count ends SPEECH_GAP_MS before the accent it announces, in the rest
  after the release's words; no words run into the next step's beat; a check-in gets whole beats of its own
  between two strokes, and the next count ends them;
- phase boundaries are kept, for chapters and for skipping.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from coach.script import TICK, Grid, Rest, Say, Script, Sound

SPEECH_GAP_MS = 250  # least quiet between two spoken cues on the grid

SPEECH, SOUND = "speech", "sound"
ClipKey = tuple[str, str]  # (SPEECH, text) or (SOUND, name)


@dataclass(frozen=True)
class Placement:
    """Where a clip is heard, left to right: a pan from -1 (the left ear only) through 0 (the centre) to 1 (the
    right ear only), at its first sample (`start`) and at its last (`end`); in between it moves evenly, sample by
    sample (coach.placement gives each event its own, coach.mixer pans at constant power)."""

    start: float = 0.0
    end: float = 0.0

    @property
    def moving(self) -> bool:
        return self.start != self.end


CENTRE = Placement()


@dataclass(frozen=True)
class Event:
    start: int  # sample position
    length: int  # in samples
    kind: str  # SPEECH or SOUND
    name: str  # the text spoken, or the sound's name
    gain: float = 1.0  # where a metronome sound falls on speech, the words (and if need be the sound) are turned down
    # so the two together stay under the peak ceiling (session.duck)
    placement: Placement = CENTRE  # where it is heard in stereo (coach.placement)

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
class GridSpan:
    """Where a grid's strokes fall: the same slots (beats of each step) in every stroke, `stroke` samples from one
    accent to the next (a check-in's pause aside)."""

    start: int  # the count-in's first beat
    end: int  # the last stroke's end
    bpm: int
    count_in: int  # beats
    steps: tuple[str, ...]  # the steps' names
    slots: tuple[int, ...]  # beats of each step
    stroke: int  # samples
    accents: tuple[int, ...]  # each stroke's first beat
    interlude: int  # beats of a check-in's pause (0 without check-ins)

    @property
    def beats(self) -> int:
        """Beats in a stroke."""
        return sum(self.slots)

    def step_starts(self, accent: int, sample_rate: int) -> tuple[int, ...]:
        """The first beat of each step of the stroke whose accent is at `accent`."""
        starts, beat = [], 0
        for slot in self.slots:
            starts.append(accent + beat_offset(beat, self.bpm, sample_rate))
            beat += slot
        return tuple(starts)


@dataclass(frozen=True)
class StrokeMark:
    """A stroke: it counts as done once the session plays past `done`, where its last step starts (the press and
    the slide complete). `grid` is the index of its stroke grid in the session, from 0."""

    done: int
    grid: int


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
    grids: tuple[GridSpan, ...] = ()  # in order
    # What waits for speech not made yet, in order: from a line, or a grid holding one, to the end of its phase
    # (what follows in the phase is placed after it). A phase is laid out exactly from its start up to the first of
    # them; past the horizon its start is an estimate, which moves as the lines before it are made.
    estimated: tuple[tuple[int, int], ...] = ()

    @property
    def known(self) -> int:
        """The sample before which everything is exact and can be played."""
        return self.length if self.horizon is None else self.horizon

    def known_from(self, at: int) -> int:
        """How far the session can be played from `at` with what is made: to the start of the next stretch that waits
        for speech (`at` itself inside one), or to the end. Past the horizon, positions are estimates that move with
        their phase as the lines before them are made (`Controller.replace`), but what is between is exact."""
        stretches = self.estimated or ((self.horizon, self.length),) if self.horizon is not None else self.estimated
        return min((max(start, at) for start, end in stretches if end > at), default=self.length)

    def seconds(self, samples: int) -> float:
        return samples / self.sample_rate

    @property
    def strokes(self) -> tuple[StrokeMark, ...]:
        """Every stroke of the session, in order."""
        return tuple(
            StrokeMark(grid.step_starts(accent, self.sample_rate)[-1], index)
            for index, grid in enumerate(self.grids)
            for accent in grid.accents
        )


def beat_offset(beat: int, bpm: int, sample_rate: int) -> int:
    """Samples from the first beat of a grid to beat number `beat`, rounded to the nearest sample (no drift)."""
    return (2 * beat * 60 * sample_rate + bpm) // (2 * bpm)


def beats_for(samples: int, after: int, bpm: int, sample_rate: int, least: int = 0) -> int:
    """The fewest whole beats (at least `least`) from beat number `after` that last `samples` or more."""
    beats = max(least, (samples * bpm) // (60 * sample_rate))
    while beat_offset(after + beats, bpm, sample_rate) - beat_offset(after, bpm, sample_rate) < samples:
        beats += 1
    return beats


def build_timeline(
    script: Script, lengths: Mapping[ClipKey, int], sample_rate: int, unknown: Collection[str] = ()
) -> Timeline:
    """Place every cue of the script. `lengths` gives each clip's length in samples, by (kind, name).

    `unknown` names the texts whose speech is not made yet (their lengths are estimates). Every position depends
    only on the clips before it, so the timeline is exact up to the first cue whose clip is unknown, or up to the
    start of a metronome grid holding one (a grid is played whole, never stopped between its beats): its horizon.
    Each such cue is an estimated stretch; between them, a phase is laid out exactly from its start.
    """

    def samples(ms: int) -> int:
        return (ms * sample_rate + 500) // 1000

    gap = samples(SPEECH_GAP_MS)
    events: list[Event] = []
    grids: list[GridSpan] = []
    spans: list[tuple[str, int]] = []
    t = 0  # where the next cue goes
    free = 0  # where the last speech ends
    waiting: list[tuple[int, int]] = []  # (where a cue that waits for speech starts, its phase)

    def add(start: int, kind: str, name: str) -> int:
        length = lengths[(kind, name)]
        events.append(Event(start, length, kind, name))
        return start + length

    for phase in script.phases:
        spans.append((phase.title, t))
        for cue in phase.cues:
            # a line starts when the words before it end; a grid's count-in a gap after them
            waits = max(t, free) if isinstance(cue, Say) else max(t, free + gap) if isinstance(cue, Grid) else t
            if isinstance(cue, Say):
                free = add(max(t, free), SPEECH, cue.text)
                t = free + samples(cue.pause_ms)
            elif isinstance(cue, Sound):
                add(t, SOUND, cue.name)
                t += samples(cue.wait_ms)
            elif isinstance(cue, Rest):
                t += samples(cue.ms)
            elif isinstance(cue, Grid):
                span = _place_grid(cue, max(t, free + gap), gap, sample_rate, lengths, add)
                grids.append(span)
                t = span.end  # the grid's words all end a gap before its end
            if _waits_for(cue, unknown):
                waiting.append((waits, len(spans) - 1))

    length = max([t, *(e.end for e in events)])
    starts = [start for _, start in spans]
    ends = [*starts[1:], length]
    phases = tuple(PhaseSpan(title, start, end) for (title, start), end in zip(spans, ends, strict=True))
    events.sort(key=lambda e: (e.start, e.kind, e.name))
    estimated = tuple((start, phases[phase].end) for start, phase in waiting)
    horizon = estimated[0][0] if estimated else None
    return Timeline(script, sample_rate, length, tuple(events), phases, horizon, tuple(grids), estimated)


def _waits_for(cue: Say | Sound | Rest | Grid, unknown: Collection[str]) -> bool:
    if isinstance(cue, Say):
        return cue.text in unknown
    return isinstance(cue, Grid) and any(text in unknown for text in cue.texts())


def _said_by(lengths: Mapping[ClipKey, int], gap: int) -> Callable[[str | None], int]:
    """How many samples words take with the quiet gap after them (none for no words)."""

    def said(text: str | None) -> int:
        return lengths[(SPEECH, text)] + gap if text else 0

    return said


def grid_slots(grid: Grid, lengths: Mapping[ClipKey, int], gap: int, sample_rate: int) -> tuple[int, ...]:
    """Beats of each step, the same in every stroke: the step's least beats, or more where its longest words and
    the quiet after them need it; the last step also holds the next stroke's count, which ends `gap` before the
    accent (except where a check-in's pause comes between)."""

    said = _said_by(lengths, gap)
    strokes, last = grid.strokes, len(grid.steps) - 1
    slots: list[int] = []
    for index, step in enumerate(grid.steps):
        need = max(said(stroke.words[index]) for stroke in strokes)
        if index == last:
            for stroke, following in itertools.pairwise(strokes):
                if stroke.check_in is None:
                    need = max(need, said(stroke.words[index]) + said(following.count))
        slots.append(beats_for(need, sum(slots), grid.bpm, sample_rate, least=step.beats))
    return tuple(slots)


def _place_grid(
    grid: Grid,
    t0: int,
    gap: int,
    sample_rate: int,
    lengths: Mapping[ClipKey, int],
    add: Callable[[int, str, str], int],
) -> GridSpan:
    """Lay the grid's strokes from t0: the count-in's ticks, then every stroke anchored at its own accent."""
    bpm, strokes = grid.bpm, grid.strokes
    said = _said_by(lengths, gap)

    def offset(beat: int) -> int:
        return beat_offset(beat, bpm, sample_rate)

    slots = grid_slots(grid, lengths, gap, sample_rate)
    stroke = offset(sum(slots))
    count_in = beats_for(said(strokes[0].count), 0, bpm, sample_rate, least=grid.count_in)
    check_ins = [(s.check_in, following.count) for s, following in itertools.pairwise(strokes) if s.check_in]
    interlude = answer = 0
    if check_ins:  # the same pause every time: the longest check-in, quiet beats for the answer, the longest count
        answer = max(beats_for(said(words), 0, bpm, sample_rate) for words, _ in check_ins) + grid.answer_beats
        interlude = max(beats_for(said(count), answer, bpm, sample_rate, least=1) for _, count in check_ins) + answer

    for beat in range(count_in):
        add(t0 + offset(beat), SOUND, TICK)
    accents = []
    accent = t0 + offset(count_in)
    for index, current in enumerate(strokes):
        accents.append(accent)
        if current.count:
            add(accent - gap - lengths[(SPEECH, current.count)], SPEECH, current.count)
        beat = 0
        for step, slot, words in zip(grid.steps, slots, current.words, strict=True):
            for tick in range(slot):
                add(accent + offset(beat + tick), SOUND, step.sound if tick == 0 else TICK)
            if words:
                add(accent + offset(beat), SPEECH, words)
            beat += slot
        accent += stroke
        if current.check_in and index + 1 < len(strokes):
            add(accent, SPEECH, current.check_in)
            for tick in range(interlude):
                add(accent + offset(tick), SOUND, TICK)
            accent += offset(interlude)
    names = tuple(step.name for step in grid.steps)
    return GridSpan(t0, accent, bpm, count_in, names, slots, stroke, tuple(accents), interlude)
