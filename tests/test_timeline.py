"""The timeline: exact sample positions, beats on the grid, no overlapping speech, phase spans."""

from __future__ import annotations

import itertools

from coach.script import ACCENT, CHIME, TICK, Options, build_script
from coach.timeline import SOUND, SPEECH, Event, PhaseSpan, beat_offset, build_timeline

RATE = 22050
SOUND_LENGTHS = {(SOUND, TICK): 100, (SOUND, ACCENT): 200, (SOUND, CHIME): 1000}


def lengths_for(script, per_letter=100, overrides=None):
    lengths = {(SPEECH, t): per_letter * len(t) for t in script.texts()}
    lengths.update(SOUND_LENGTHS)
    lengths.update(overrides or {})
    return lengths


def test_mini_timeline_exact_positions(mini):
    script = build_script(mini, Options("right"))
    timeline = build_timeline(script, lengths_for(script), RATE)
    assert timeline.events == (
        Event(22050, 1800, SPEECH, "Hello, right side."),
        Event(45900, 1000, SOUND, CHIME),
        Event(90000, 3500, SPEECH, "Knees to your left, for your right."),
        Event(104525, 1000, SOUND, CHIME),
        Event(148625, 300, SPEECH, "Go."),
        Event(182000, 100, SOUND, TICK),
        Event(204050, 200, SOUND, ACCENT),
        Event(204050, 1900, SPEECH, "Stroke 1. Press in."),
        Event(226100, 100, SOUND, TICK),
        Event(226100, 1100, SPEECH, "Slide away."),
        Event(248150, 100, SOUND, TICK),
        Event(270200, 200, SOUND, ACCENT),
        Event(270200, 1600, SPEECH, "Stroke 2. Press."),
        Event(292250, 100, SOUND, TICK),
        Event(292250, 600, SPEECH, "Slide."),
        Event(314300, 100, SOUND, TICK),
        Event(336350, 1000, SOUND, CHIME),
        Event(380450, 500, SPEECH, "Done."),
        Event(414025, 1000, SOUND, CHIME),
    )
    assert timeline.phases == (
        PhaseSpan("Start", 0, 90000),
        PhaseSpan("Place, right", 90000, 148625),
        PhaseSpan("Work, right", 148625, 380450),
        PhaseSpan("End", 380450, 491200),
    )
    assert timeline.length == 491200


def test_beats_stay_on_the_grid_when_speech_needs_more_room(mini):
    script = build_script(mini, Options("right"))
    long_press = {(SPEECH, "Stroke 1. Press in."): 30000}  # longer than its one-beat slot
    timeline = build_timeline(script, lengths_for(script, overrides=long_press), RATE)
    t0 = 182000
    beats = [e.start for e in timeline.events if e.kind == SOUND and e.name in (TICK, ACCENT)]
    # one whole beat inserted (a tick at 226100) after the long words; everything after moves one beat on
    assert beats == [t0 + beat_offset(k, 60, RATE) for k in range(8)]
    slide = next(e for e in timeline.events if e.name == "Slide away.")
    assert slide.start == t0 + beat_offset(3, 60, RATE) == 248150
    assert slide.start >= 204050 + 30000 + 5513  # the gap before the next words


def test_no_two_speech_events_overlap(psoas):
    for side in ("right", "left", "both"):
        for tempo in ("slow", "medium", "fast"):
            script = build_script(psoas, Options(side, strokes=12, tempo=tempo))
            timeline = build_timeline(script, lengths_for(script, per_letter=1800), RATE)
            speech = [e for e in timeline.events if e.kind == SPEECH]
            assert len(speech) == len(script.texts())
            for before, after in itertools.pairwise(speech):
                assert before.end <= after.start, (before, after)


def test_stroke_beats_are_on_the_metronome_grid(psoas):
    script = build_script(psoas, Options("right", strokes=6, tempo="fast"))
    timeline = build_timeline(script, lengths_for(script, per_letter=1500), RATE)
    beats = [e.start for e in timeline.events if e.kind == SOUND and e.name in (TICK, ACCENT)]
    t0 = beats[0]
    for position in beats:
        k = round((position - t0) * script.bpm / (RATE * 60))
        assert position == t0 + beat_offset(k, script.bpm, RATE)
    accents = [e.start for e in timeline.events if e.name == ACCENT]
    assert len(accents) == 6


def test_beat_offset_has_no_drift():
    assert beat_offset(1, 50, RATE) == 26460
    assert beat_offset(1000, 50, RATE) == 26460000
    assert beat_offset(3, 70, RATE) == 56700
    assert beat_offset(1, 70, RATE) == 18900
    assert beat_offset(7, 45, RATE) == 205800


def test_phases_cover_the_session_without_gaps(psoas):
    script = build_script(psoas, Options("both"))
    timeline = build_timeline(script, lengths_for(script), RATE)
    assert timeline.phases[0].start == 0
    assert timeline.phases[-1].end == timeline.length
    for before, after in zip(timeline.phases, timeline.phases[1:], strict=False):
        assert before.end == after.start
    assert all(e.end <= timeline.length for e in timeline.events)
