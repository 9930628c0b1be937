"""What the stroke rhythm promises, checked on a timeline, and speech lengths like real voices' for the fast tests.

`rhythm_problems(timeline)` lists every broken promise (an empty list: all hold):
- every stroke of a grid lasts the same whole number of beats, to the sample; a check-in's pause is the same
  whole number of beats every time it comes;
- a sound on every beat of the count-in, the strokes and the check-in pauses, and nowhere else on the grid; each
  step's own sound (accent, rise, fall, tick) on its first beat, ticks on its other beats;
- each step's words start on the sample of the step's first beat; no words run into the next step's beat or the
  grid's end (with the quiet gap after them);
- each count ends exactly the gap before the accent it announces, after the words before it and the gap, and not
  before the grid's first beat; a check-in starts on the first beat of its pause;
- no speech overlaps other speech anywhere in the session.
"""

from __future__ import annotations

import itertools

from coach.script import TICK, Grid
from coach.timeline import SOUND, SPEECH, SPEECH_GAP_MS, ClipKey, Timeline, beat_offset

RATE = 22050
GAP = (SPEECH_GAP_MS * RATE + 500) // 1000

# Speech lengths like real voices', in milliseconds a character plus a constant, for free talk and for the words said
# on a beat: "calm" is a natural voice at about 130 words a minute with its beat words at 1.25 x pace; "calm, even" the
# same voice saying its beat words at the same pace as free talk (the slowest grid words); "brisk" is about 160 words
# a minute (espeak-ng at coach's rate), its beat words at 1.25 x pace.
VOICES = {
    "calm": ((80, 100), (64, 80)),
    "calm, even": ((80, 100), (80, 100)),
    "brisk": ((62, 70), (50, 56)),
}


def realistic_lengths(script, voice: str, sounds: dict[str, int]) -> dict[ClipKey, int]:
    """Every clip's length in samples: speech by VOICES[voice], the metronome sounds as given."""
    (free_ms, free_base), (beat_ms, beat_base) = VOICES[voice]
    beat = script.beat_texts()
    lengths: dict[ClipKey, int] = {}
    for text in script.texts():
        per, base = (beat_ms, beat_base) if text in beat else (free_ms, free_base)
        lengths[(SPEECH, text)] = (per * len(text) + base) * RATE // 1000
    lengths.update({(SOUND, name): length for name, length in sounds.items()})
    return lengths


def grids_of(timeline: Timeline) -> list[Grid]:
    return [cue for phase in timeline.script.phases for cue in phase.cues if isinstance(cue, Grid)]


def rhythm_problems(timeline: Timeline) -> list[str]:
    rate = timeline.sample_rate
    problems: list[str] = []
    speech = sorted((e for e in timeline.events if e.kind == SPEECH), key=lambda e: e.start)
    for before, after in itertools.pairwise(speech):
        if after.start < before.end:
            problems.append(f"{before.name!r} and {after.name!r} overlap")
    grids = grids_of(timeline)
    if len(grids) != len(timeline.grids):
        return [*problems, f"{len(grids)} grids in the script, {len(timeline.grids)} placed"]
    for grid, span in zip(grids, timeline.grids, strict=True):
        where = f"grid at {span.start / rate:.1f} s"

        def offset(beat: int, bpm: int = span.bpm) -> int:
            return beat_offset(beat, bpm, rate)

        # equal strokes, and the same pause after every check-in
        if span.stroke != offset(span.beats) or span.slots != tuple(
            max(slot, step.beats) for slot, step in zip(span.slots, grid.steps, strict=True)
        ):
            problems.append(f"{where}: a stroke is not its whole beats, or a step got fewer than it asks")
        accents = span.accents
        if len(accents) != len(grid.strokes):
            problems.append(f"{where}: {len(accents)} accents for {len(grid.strokes)} strokes")
            continue
        for index, (a, b) in enumerate(itertools.pairwise(accents)):
            pause = offset(span.interlude) if grid.strokes[index].check_in else 0
            if b - a != span.stroke + pause:
                problems.append(f"{where}: stroke {index + 1} lasts {b - a} samples, not {span.stroke + pause}")
        if span.end != accents[-1] + span.stroke:
            problems.append(f"{where}: the last stroke is not a whole stroke long")
        if accents[0] != span.start + offset(span.count_in):
            problems.append(f"{where}: the first accent is not on the count-in's beat")

        # a sound on every beat and nowhere else on the grid
        expected: dict[int, str] = {span.start + offset(b): TICK for b in range(span.count_in)}
        boundaries = {span.end}
        for index, (accent, stroke) in enumerate(zip(accents, grid.strokes, strict=True)):
            starts = span.step_starts(accent, rate)
            boundaries.update(starts)
            beat = 0
            for step, slot in zip(grid.steps, span.slots, strict=True):
                for tick in range(slot):
                    expected[accent + offset(beat + tick)] = step.sound if tick == 0 else TICK
                beat += slot
            if stroke.check_in and index + 1 < len(accents):
                pause = accent + span.stroke
                boundaries.add(pause)
                expected.update({pause + offset(b): TICK for b in range(span.interlude)})
        found = {e.start: e.name for e in timeline.events if e.kind == SOUND and span.start <= e.start < span.end}
        if found != expected:
            wrong = sorted(set(found.items()) ^ set(expected.items()))[:3]
            problems.append(f"{where}: the grid's sounds differ from its beats, e.g. {wrong}")

        # words on their beats, counts before their accents, nothing running into a step's beat
        said = {(e.start, e.name): e for e in speech if span.start <= e.start < span.end}
        placed: set[tuple[int, str]] = set()
        for index, (accent, stroke) in enumerate(zip(accents, grid.strokes, strict=True)):
            for start, words in zip(span.step_starts(accent, rate), stroke.words, strict=True):
                if words:
                    placed.add((start, words))
                    if (start, words) not in said:
                        problems.append(f"{where}: {words!r} of stroke {index + 1} is not on its step's beat")
            if stroke.count:
                event = next((e for e in speech if e.name == stroke.count and e.end + GAP == accent), None)
                if event is None:
                    problems.append(f"{where}: count {stroke.count!r} does not end the gap before its accent")
                    continue
                placed.add((event.start, event.name))
                if event.start < span.start:
                    problems.append(f"{where}: count {stroke.count!r} starts before the grid")
                earlier = [e for e in speech if e.start < event.start]
                if earlier and earlier[-1].end + GAP > event.start:
                    problems.append(f"{where}: count {stroke.count!r} follows {earlier[-1].name!r} too closely")
            if stroke.check_in and index + 1 < len(accents):
                placed.add((accent + span.stroke, stroke.check_in))
                if (accent + span.stroke, stroke.check_in) not in said:
                    problems.append(f"{where}: check-in {stroke.check_in!r} is not on its pause's first beat")
        if set(said) != placed:
            problems.append(f"{where}: words on the grid that no stroke says: {sorted(set(said) - placed)[:3]}")
        for event in said.values():
            for beat in boundaries:
                if event.start < beat < event.end + GAP:
                    problems.append(f"{where}: {event.name!r} runs into the beat at {beat / rate:.2f} s")
    return problems
