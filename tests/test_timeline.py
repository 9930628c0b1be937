"""The timeline: exact sample positions, beats on the grid, no overlapping speech, phase spans."""

from __future__ import annotations

import itertools

from rhythm import rhythm_problems

from coach.catalog import builtin_sources
from coach.kinds import Guidance, Side, Tempo
from coach.script import ACCENT, CHIME, FALL, LEAD_IN, RISE, TICK, Options, build_script
from coach.timeline import SOUND, SPEECH, Event, GridSpan, PhaseSpan, beat_offset, beats_for, build_timeline

RATE = 22050
SOUND_LENGTHS = {
    (SOUND, TICK): 100,
    (SOUND, ACCENT): 200,
    (SOUND, RISE): 300,
    (SOUND, FALL): 300,
    (SOUND, CHIME): 1000,
    (SOUND, LEAD_IN): 1000,
}


def lengths_for(script, per_letter=100, overrides=None):
    lengths = {(SPEECH, t): per_letter * len(t) for t in script.texts()}
    lengths.update(SOUND_LENGTHS)
    lengths.update(overrides or {})
    return lengths


def test_mini_timeline_exact_positions(mini):
    script = build_script(mini, Options(side=Side.RIGHT))
    timeline = build_timeline(script, lengths_for(script), RATE)
    # a beat is 22050 samples (60 a minute); the gap after words is 5513; a stroke is press 1 + slide 2 beats
    assert timeline.events == (
        Event(0, 1000, SOUND, LEAD_IN),
        Event(44100, 1800, SPEECH, "Hello, right side."),
        Event(67950, 1000, SOUND, CHIME),
        Event(112050, 3500, SPEECH, "Knees to your left, for your right."),
        Event(126575, 1000, SOUND, CHIME),
        Event(170675, 300, SPEECH, "Go."),
        Event(204050, 100, SOUND, TICK),  # the count-in: one beat, after "Go." and its pause
        Event(219687, 900, SPEECH, "Stroke 1."),  # ends 5513 samples before the accent
        Event(226100, 200, SOUND, ACCENT),
        Event(226100, 900, SPEECH, "Press in."),  # brief guidance: the first two strokes in full words
        Event(248150, 100, SOUND, TICK),
        Event(248150, 1100, SPEECH, "Slide away."),
        Event(270200, 100, SOUND, TICK),
        Event(285937, 800, SPEECH, "Last, 2."),  # in the rest after the slide's words, ending before the accent
        Event(292250, 200, SOUND, ACCENT),
        Event(292250, 900, SPEECH, "Press in."),
        Event(314300, 100, SOUND, TICK),
        Event(314300, 1100, SPEECH, "Slide away."),
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
    assert timeline.grids == (GridSpan(204050, 358400, 60, 1, ("press", "slide"), (1, 2), 66150, (226100, 292250), 0),)
    assert timeline.length == 560850
    assert rhythm_problems(timeline) == []


def test_long_words_lengthen_their_step_in_every_stroke(mini):
    script = build_script(mini, Options(side=Side.RIGHT, strokes=3))
    long_press = {(SPEECH, "Press."): 30000}  # with its gap, more than the press's one beat: it gets two
    assert [stroke.words for stroke in script.phases[2].cues[1].strokes][1:] == [
        ("Press in.", "Slide away."),
        ("Press.", "Slide."),
    ]  # the long words on the third stroke only (brief guidance: the first two in full): every stroke gets two
    timeline = build_timeline(script, lengths_for(script, overrides=long_press), RATE)
    (grid,) = timeline.grids
    assert (grid.slots, grid.stroke) == ((2, 2), 88200)
    accents = list(grid.accents)
    assert [b - a for a, b in itertools.pairwise(accents)] == [88200, 88200]
    slides = [e.start for e in timeline.events if e.name in ("Slide away.", "Slide.")]
    assert slides == [a + 44100 for a in accents]  # every slide starts two beats after its accent
    assert rhythm_problems(timeline) == []


def test_a_long_count_lengthens_every_release_and_ends_before_its_accent(mini):
    script = build_script(mini, Options(side=Side.RIGHT, strokes=3, guidance=Guidance.MINIMAL))
    long_last = {(SPEECH, "Last, 3."): 40000}
    timeline = build_timeline(script, lengths_for(script, overrides=long_last), RATE)
    (grid,) = timeline.grids
    assert grid.slots == (1, 3)  # the slide holds the next count: 40000 + 5513 samples need three beats
    assert [b - a for a, b in itertools.pairwise(grid.accents)] == [88200, 88200]
    assert grid.end - grid.accents[-1] == 88200  # the last stroke is as long, though no count follows it
    last = next(e for e in timeline.events if e.name == "Last, 3.")
    assert last.end == grid.accents[2] - 5513
    assert rhythm_problems(timeline) == []


def test_strokes_are_equal_to_the_sample_where_a_beat_is_not_a_whole_number_of_samples(psoas):
    script = build_script(psoas, Options(side=Side.RIGHT, bpm=48))  # 27562.5 samples a beat
    timeline = build_timeline(script, lengths_for(script), RATE)
    (grid,) = timeline.grids
    assert grid.slots == (2, 4, 3) and grid.stroke == beat_offset(9, 48, RATE) == 248063
    assert {b - a for a, b in itertools.pairwise(grid.accents)} == {248063}
    # inside a stroke, beats round from its own accent: 27563, then 55125 (not 2 x 27563)
    ticks = sorted(e.start - grid.accents[1] for e in timeline.events if e.kind == SOUND and e.start >= grid.accents[1])
    assert ticks[:3] == [0, 27563, 55125]
    assert rhythm_problems(timeline) == []


def test_a_check_in_gets_a_pause_of_its_own_the_same_every_time():
    routine = next(s for s in builtin_sources() if s.name == "psoas-partner").load()
    script = build_script(routine, Options(side=Side.RIGHT, strokes=7, guidance=Guidance.MINIMAL))
    timeline = build_timeline(script, lengths_for(script), RATE)
    thumbs = timeline.grids[0]
    beat = beat_offset(1, 40, RATE)  # 33075
    check_in = [e for e in timeline.events if e.name == "Ask for a number, from zero to ten." and e.end < thumbs.end]
    assert [e.start for e in check_in] == [thumbs.accents[2] + thumbs.stroke, thumbs.accents[5] + thumbs.stroke]
    # the check-in (3500 samples and its gap: one beat), two quiet beats for the answer, one beat for the count
    assert thumbs.interlude == 4
    gaps = [b - a for a, b in itertools.pairwise(thumbs.accents)]
    assert gaps == [thumbs.stroke, thumbs.stroke, thumbs.stroke + 4 * beat] * 2
    count = next(e for e in timeline.events if e.name == "Stroke 4.")
    assert count.start - (check_in[0].end + 5513) >= 2 * beat - 5513  # the answer's beats are quiet
    assert rhythm_problems(timeline) == []


def test_no_two_speech_events_overlap(psoas):
    for side in Side:
        for tempo in Tempo:
            script = build_script(psoas, Options(side=side, strokes=12, tempo=tempo))
            timeline = build_timeline(script, lengths_for(script, per_letter=1800), RATE)
            speech = [e for e in timeline.events if e.kind == SPEECH]
            assert len(speech) == len(script.texts())
            for before, after in itertools.pairwise(speech):
                assert before.end <= after.start, (before, after)


def test_very_long_words_still_keep_the_rhythm(psoas):
    for tempo in (Tempo.SLOW, Tempo.FAST):
        script = build_script(psoas, Options(side=Side.BOTH, strokes=6, tempo=tempo, guidance=Guidance.FULL))
        timeline = build_timeline(script, lengths_for(script, per_letter=1500), RATE)
        assert [len(g.accents) for g in timeline.grids] == [6, 6]
        assert rhythm_problems(timeline) == []


def test_beats_for_counts_whole_beats_from_where_a_step_starts():
    assert beats_for(0, 0, 50, RATE) == 0
    assert beats_for(0, 0, 50, RATE, least=2) == 2
    assert beats_for(26460, 0, 50, RATE) == 1  # exactly one beat at 50 a minute
    assert beats_for(26461, 0, 50, RATE) == 2
    # at 48 a minute beats are 27562 or 27563 samples, by where they start
    assert beat_offset(1, 48, RATE) == 27563 and beat_offset(2, 48, RATE) - beat_offset(1, 48, RATE) == 27562
    assert beats_for(27563, 0, 48, RATE) == 1
    assert beats_for(27563, 1, 48, RATE) == 2


def test_beat_offset_has_no_drift():
    assert beat_offset(1, 50, RATE) == 26460
    assert beat_offset(1000, 50, RATE) == 26460000
    assert beat_offset(3, 70, RATE) == 56700
    assert beat_offset(1, 70, RATE) == 18900
    assert beat_offset(7, 45, RATE) == 205800


def test_phases_cover_the_session_without_gaps(psoas):
    script = build_script(psoas, Options(side=Side.BOTH))
    timeline = build_timeline(script, lengths_for(script), RATE)
    assert timeline.phases[0].start == 0
    assert timeline.phases[-1].end == timeline.length
    for before, after in zip(timeline.phases, timeline.phases[1:], strict=False):
        assert before.end == after.start
    assert all(e.end <= timeline.length for e in timeline.events)


def test_a_timeline_with_lines_still_unknown_is_exact_up_to_its_horizon(mini):
    script = build_script(mini, Options(side=Side.RIGHT))
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


def test_past_its_horizon_a_timeline_plays_from_a_phase_start_up_to_the_next_line_not_made(mini):
    """What waits for speech runs from its line (or its grid) to the end of its phase; a phase is exact from its
    start up to there, so a skip past lines not made yet plays at once, at an estimated place."""
    script = build_script(mini, Options(side=Side.RIGHT))
    knees = "Knees to your left, for your right."
    guess = build_timeline(script, lengths_for(script, overrides={(SPEECH, knees): 9999}), RATE, {knees, "Slide away."})
    work, end = guess.phases[2], guess.phases[3]  # "Work, right": its line "Go.", then the grid holding "Slide away."
    grid = next(e.start for e in guess.events if e.name == TICK)
    assert guess.estimated == ((112050, work.start), (grid, end.start))  # each to its phase's end
    assert (guess.horizon, guess.known_from(0), guess.known_from(112050)) == (112050, 112050, 112050)
    assert guess.known_from(120_000) == 120_000  # inside what waits: nothing can be played
    assert guess.known_from(work.start) == grid  # "Go." plays, up to the grid
    assert guess.known_from(end.start) == guess.length  # the end is known
    full = build_timeline(script, lengths_for(script), RATE)
    shift = full.phases[2].start - work.start  # the phase's place moves once the line before it is made ...
    assert shift == 170675 - work.start != 0
    assert [e.start + shift for e in guess.events if work.start <= e.start < grid] == [
        e.start for e in full.events if full.phases[2].start <= e.start < grid + shift
    ]  # ... and what is in it moves with it, the same
