"""The timeline: exact sample positions, beats on the grid, no overlapping speech, phase spans."""

from __future__ import annotations

import itertools

from coach.script import ACCENT, CHIME, LEAD_IN, TICK, Options, build_script
from coach.timeline import SOUND, SPEECH, Event, PhaseSpan, beat_offset, build_timeline

RATE = 22050
SOUND_LENGTHS = {(SOUND, TICK): 100, (SOUND, ACCENT): 200, (SOUND, CHIME): 1000, (SOUND, LEAD_IN): 1000}


def lengths_for(script, per_letter=100, overrides=None):
    lengths = {(SPEECH, t): per_letter * len(t) for t in script.texts()}
    lengths.update(SOUND_LENGTHS)
    lengths.update(overrides or {})
    return lengths


def test_mini_timeline_exact_positions(mini):
    script = build_script(mini, Options("right"))
    timeline = build_timeline(script, lengths_for(script), RATE)
    assert timeline.events == (
        Event(0, 1000, SOUND, LEAD_IN),
        Event(44100, 1800, SPEECH, "Hello, right side."),
        Event(67950, 1000, SOUND, CHIME),
        Event(112050, 3500, SPEECH, "Knees to your left, for your right."),
        Event(126575, 1000, SOUND, CHIME),
        Event(170675, 300, SPEECH, "Go."),
        Event(204050, 100, SOUND, TICK),
        Event(226100, 200, SOUND, ACCENT),
        Event(226100, 1900, SPEECH, "Stroke 1. Press in."),
        Event(248150, 100, SOUND, TICK),
        Event(248150, 1100, SPEECH, "Slide away."),
        Event(270200, 100, SOUND, TICK),
        Event(292250, 200, SOUND, ACCENT),
        Event(292250, 1500, SPEECH, "Last, 2. Press."),
        Event(314300, 100, SOUND, TICK),
        Event(314300, 600, SPEECH, "Slide."),
        Event(336350, 100, SOUND, TICK),
        Event(358400, 1000, SOUND, CHIME),
        Event(402500, 3500, SPEECH, "Did 2 on your right; now your left."),
        Event(450100, 500, SPEECH, "Done."),
        Event(483675, 1000, SOUND, CHIME),
    )
    assert timeline.phases == (
        PhaseSpan("Start", 0, 112050),
        PhaseSpan("Place, right", 112050, 170675),
        PhaseSpan("Work, right", 170675, 402500),
        PhaseSpan("End", 402500, 560850),
    )
    assert timeline.length == 560850


def test_beats_stay_on_the_grid_when_speech_needs_more_room(mini):
    script = build_script(mini, Options("right"))
    long_press = {(SPEECH, "Stroke 1. Press in."): 30000}  # longer than its one-beat slot
    timeline = build_timeline(script, lengths_for(script, overrides=long_press), RATE)
    t0 = 204050
    beats = [e.start for e in timeline.events if e.kind == SOUND and e.name in (TICK, ACCENT)]
    # one whole beat inserted (a tick at 248150) after the long words; everything after moves one beat on
    assert beats == [t0 + beat_offset(k, 60, RATE) for k in range(8)]
    slide = next(e for e in timeline.events if e.name == "Slide away.")
    assert slide.start == t0 + beat_offset(3, 60, RATE) == 270200
    assert slide.start >= 226100 + 30000 + 5513  # the gap before the next words


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


def test_a_timeline_with_lines_still_unknown_is_exact_up_to_its_horizon(mini):
    script = build_script(mini, Options("right"))
    full = build_timeline(script, lengths_for(script), RATE)
    assert (full.horizon, full.known) == (None, full.length)
    knees = "Knees to your left, for your right."
    guess = build_timeline(script, lengths_for(script, overrides={(SPEECH, knees): 9999}), RATE, {knees})
    assert guess.horizon == guess.known == 112050  # where the unknown line starts
    assert [e for e in guess.events if e.start < 112050] == [e for e in full.events if e.start < 112050]
    assert guess.length != full.length  # after it, positions rest on the estimate
    # a line on the grid: the horizon is the grid's start (its count-in tick), never between its beats
    slide = build_timeline(script, lengths_for(script), RATE, {"Slide away."})
    assert slide.horizon == 204050 == next(e.start for e in full.events if e.name == TICK)
