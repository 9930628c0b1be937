"""The script engine: exact cues, in order, for each side; stroke counts; side words."""

from __future__ import annotations

import pytest

from coach.errors import CoachError
from coach.script import ACCENT, CHIME, TICK, Beat, Grid, Options, Rest, Say, Sound, build_script


def test_mini_right_exact_script(mini):
    script = build_script(mini, Options("right"))
    assert (script.side, script.strokes, script.tempo, script.bpm) == ("right", 2, "medium", 60)
    assert [p.title for p in script.phases] == ["Start", "Place, right", "Work, right", "End"]
    assert script.phases[0].cues == (Rest(1000), Say("Hello, right side.", 1000), Sound(CHIME, 2000))
    assert script.phases[1].cues == (Say("Knees to your left, for your right.", 500), Sound(CHIME, 2000))
    assert script.phases[2].cues == (
        Say("Go.", 1500),
        Grid(
            60,
            (
                Beat(TICK),
                Beat(ACCENT, "Stroke 1. Press in."),
                Beat(TICK, "Slide away."),
                Beat(TICK),
                Beat(ACCENT, "Stroke 2. Press."),
                Beat(TICK, "Slide."),
                Beat(TICK),
            ),
        ),
        Sound(CHIME, 2000),
    )
    assert script.phases[3].cues == (Say("Done.", 1500), Sound(CHIME, 2000), Rest(1500))


def test_both_sides_work_right_then_switch_then_left(mini):
    script = build_script(mini, Options("both", strokes=1))
    assert [p.title for p in script.phases] == [
        "Start",
        "Place, right",
        "Work, right",
        "Switch",
        "Place, left",
        "Work, left",
        "End",
    ]
    assert script.texts() == [
        "Hello, right side, then your left.",
        "Knees to your left, for your right.",
        "Go.",
        "Stroke 1. Press in.",
        "Slide away.",
        "Now your left.",
        "Knees to your right, for your left.",
        "Go.",
        "Stroke 1. Press in.",
        "Slide away.",
        "Done.",
    ]


@pytest.mark.parametrize("strokes", [1, 6, 12, 30])
def test_stroke_count_equals_strokes(psoas, strokes):
    script = build_script(psoas, Options("right", strokes=strokes))
    grid = next(c for p in script.phases for c in p.cues if isinstance(c, Grid))
    assert sum(beat.sound == ACCENT for beat in grid.beats) == strokes
    counts = [b.say.split(".")[0] for b in grid.beats if b.sound == ACCENT and b.say]
    assert counts == [f"Stroke {n}" for n in range(1, strokes + 1)]
    assert len(grid.beats) == psoas.stroke.count_in + strokes * psoas.stroke.beats


def test_default_strokes_and_tempo_come_from_the_routine(psoas):
    script = build_script(psoas, Options("left"))
    assert (script.strokes, script.tempo, script.bpm) == (8, "medium", 50)
    slow = build_script(psoas, Options("left", tempo="slow"))
    assert (slow.tempo, slow.bpm) == ("slow", 40)


@pytest.mark.parametrize(("side", "other"), [("right", "left"), ("left", "right")])
def test_psoas_side_words_say_the_worked_side_and_where_the_knees_go(psoas, side, other):
    texts = build_script(psoas, Options(side)).texts()
    assert f"We are working your {side} psoas, so let both knees fall slowly over to your {other}." in texts
    assert (
        f"Bring the fingertips of both hands to the {side} side of your belly, between the lower ribs and the hip bone."
        in texts
    )
    assert not any(f"your {other} psoas" in t for t in texts)


def test_psoas_both_sides_switches_once_between_the_sides(psoas):
    script = build_script(psoas, Options("both"))
    titles = [p.title for p in script.phases]
    assert titles == [
        "Settling in",
        "Positioning, right side",
        "Finding the muscle, right side",
        "Strokes, right side",
        "Switching sides",
        "Positioning, left side",
        "Finding the muscle, left side",
        "Strokes, left side",
        "Closing",
    ]
    texts = script.texts()
    right = texts.index("We are working your right psoas, so let both knees fall slowly over to your left.")
    switch = texts.index("Now we move to your left side.")
    left = texts.index("We are working your left psoas, so let both knees fall slowly over to your right.")
    assert right < switch < left


def test_full_cues_then_short_words(psoas):
    script = build_script(psoas, Options("right", strokes=3))
    grid = next(c for p in script.phases for c in p.cues if isinstance(c, Grid))
    said = [b.say for b in grid.beats if b.say]
    assert said == [
        "Stroke 1. Press down and in, toward your spine.",
        "Keep the pressure, and slide away from your spine.",
        "Release.",
        "Stroke 2. Press down and in, toward your spine.",
        "Keep the pressure, and slide away from your spine.",
        "Release.",
        "Stroke 3. Press.",
        "Slide.",
        "Release.",
    ]


def test_unknown_side_and_tempo_are_refused(mini):
    with pytest.raises(CoachError) as caught:
        build_script(mini, Options("up"))
    assert str(caught.value) == "Unknown side 'up': choose right, left or both."
    with pytest.raises(CoachError) as caught:
        build_script(mini, Options("right", tempo="brisk"))
    assert str(caught.value) == "Unknown tempo 'brisk': choose slow, medium or fast."
