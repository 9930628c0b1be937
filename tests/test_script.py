"""The script engine: exact cues, in order, for each side; counts; guidance levels; the shipped routines."""

from __future__ import annotations

import itertools
import re

import pytest

from coach.catalog import builtin_sources
from coach.errors import CoachError
from coach.script import ACCENT, CHIME, LEAD_IN, TICK, Beat, Grid, Options, Rest, Say, Sound, build_script

ROUTINES = {source.name: source for source in builtin_sources()}


def grids(script):
    return [cue for phase in script.phases for cue in phase.cues if isinstance(cue, Grid)]


def spoken_outside_grids(script):
    return [(p.title, c.text) for p in script.phases for c in p.cues if isinstance(c, Say)]


def test_mini_right_exact_script(mini):
    script = build_script(mini, Options("right"))
    assert (script.side, script.strokes, script.tempo, script.bpm, script.guidance) == (
        "right",
        2,
        "medium",
        60,
        "brief",
    )
    assert [p.title for p in script.phases] == ["Start", "Place, right", "Work, right", "End"]
    assert script.phases[0].cues == (Sound(LEAD_IN, 2000), Say("Hello, right side.", 1000), Sound(CHIME, 2000))
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
                Beat(ACCENT, "Last, 2. Press."),
                Beat(TICK, "Slide."),
                Beat(TICK),
            ),
        ),
        Sound(CHIME, 2000),
    )
    assert script.phases[3].cues == (
        Say("Did 2 on your right; now your left.", 2000),
        Say("Done.", 1500),
        Sound(CHIME, 2000),
        Rest(1500),
    )


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
        "Hello, right side, then the left.",
        "Knees to your left, for your right.",
        "Go.",
        "Stroke 1. Press in.",
        "Slide away.",
        "Now your left.",
        "Knees to your right, for your left.",
        "Go.",
        "Stroke 1. Press in.",
        "Slide away.",
        "Did 1 a side.",
        "Done.",
    ]


def test_counting_three_more_and_last_one(mini):
    grid = grids(build_script(mini, Options("right", strokes=6, guidance="minimal")))[0]
    assert [b.say for b in grid.beats if b.sound == ACCENT] == [
        "Stroke 1.",
        "Stroke 2.",
        "Stroke 3.",
        "Three to go, 4.",
        "Stroke 5.",
        "Last, 6.",
    ]
    # too few strokes for "three to go"; one stroke is not called the last
    grid = grids(build_script(mini, Options("right", strokes=3, guidance="minimal")))[0]
    assert [b.say for b in grid.beats if b.sound == ACCENT] == ["Stroke 1.", "Stroke 2.", "Last, 3."]
    grid = grids(build_script(mini, Options("right", strokes=1, guidance="minimal")))[0]
    assert [b.say for b in grid.beats if b.sound == ACCENT] == ["Stroke 1."]


@pytest.mark.parametrize("name", sorted(ROUTINES))
@pytest.mark.parametrize("strokes", [1, 6, 12])
def test_every_strokes_phase_has_exactly_the_strokes_asked_for(name, strokes):
    routine = ROUTINES[name].load()
    for side, sides in [("right", 1), ("both", 2)]:
        script = build_script(routine, Options(side, strokes=strokes))
        found = grids(script)
        assert len(found) == sides * sum(p.strokes for p in routine.phases)
        for grid in found:
            assert sum(beat.sound == ACCENT for beat in grid.beats) == strokes


KNEES = re.compile(r"knees? fall (?:slowly |gently )?(?:over )?(?:to|toward) (?:your|their) (right|left)")
WORKED = re.compile(r"(?:your|their) (right|left) (psoas|iliacus|side|knee|hip)")


@pytest.mark.parametrize("name", sorted(ROUTINES))
@pytest.mark.parametrize("side", ["right", "left", "both"])
def test_side_words_name_the_worked_side_and_the_knees_fall_away_from_it(name, side):
    routine = ROUTINES[name].load()
    script = build_script(routine, Options(side))
    worked = {"right": ["right"], "left": ["left"], "both": ["right", "left"]}[side]
    seen = []
    for phase in script.phases:
        current = next((s for s in ("right", "left") if phase.title.endswith(f"{s} side")), None)
        for cue in phase.cues:
            texts = [cue.text] if isinstance(cue, Say) else [b.say for b in getattr(cue, "beats", ()) if b.say]
            for text in texts:
                for match in KNEES.finditer(text):
                    assert current is not None and match.group(1) != current, (phase.title, text)
                for match in WORKED.finditer(text):
                    if current is not None:
                        assert match.group(1) == current, (phase.title, text)
        if current is not None:
            seen.append(current)
    assert list(dict.fromkeys(seen)) == worked


SIDE_LINES = {
    "psoas": "We are working your {side} psoas, so let both knees fall slowly over to your {other}.",
    "iliacus": "We are working your {side} iliacus, so let both knees fall slowly over to your {other}.",
    "psoas-gentle": "Keep the pressure, and slowly draw your {side} knee toward your chest.",
    "psoas-partner": "We are working their {side} psoas. Ask them to let both knees fall gently toward their {other}.",
}


@pytest.mark.parametrize("name", sorted(ROUTINES))
def test_each_routine_says_its_side_line_for_each_side(name):
    script = build_script(ROUTINES[name].load(), Options("both"))
    texts = script.texts()
    right = SIDE_LINES[name].format(side="right", other="left")
    left = SIDE_LINES[name].format(side="left", other="right")
    assert right in texts and left in texts
    assert texts.index(right) < texts.index(left)


@pytest.mark.parametrize("name", sorted(ROUTINES))
def test_guidance_levels_change_only_the_stroke_words(name):
    routine = ROUTINES[name].load()
    full, brief, minimal = (
        build_script(routine, Options("right", strokes=6, guidance=g)) for g in ("full", "brief", "minimal")
    )
    assert spoken_outside_grids(full) == spoken_outside_grids(brief) == spoken_outside_grids(minimal)
    pattern = routine.stroke
    for phase, f, b, m in zip(
        [p for p in routine.phases if p.strokes], grids(full), grids(brief), grids(minimal), strict=True
    ):
        assert [x.sound for x in f.beats] == [x.sound for x in b.beats] == [x.sound for x in m.beats]
        cues = {fill_step(s.cue) for s in phase.steps}
        shorts = {fill_step(s.short) for s in phase.steps}
        for beat_f, beat_b, beat_m in zip(f.beats, b.beats, m.beats, strict=True):
            if beat_f.say is None:
                assert beat_b.say is None and beat_m.say is None
                continue
            # minimal keeps only the count (and a partner's check-in): no step words at all
            assert not any(words in (beat_m.say or "") for words in cues | shorts if words not in ("Release.",))
        stroke_words_full = [x.say for x in f.beats if x.say]
        stroke_words_brief = [x.say for x in b.beats if x.say]
        steps = len(phase.steps)
        head = pattern.full_cues * steps
        assert stroke_words_full[:head] == stroke_words_brief[:head]  # the first strokes in full
        assert all(any(c in w for c in cues) for w in stroke_words_full[head:]) or not stroke_words_full[head:]
        assert all(any(s in w for s in shorts) for w in stroke_words_brief[head:] if "Ask" not in w)


def fill_step(text):
    return text.format(side="right", other="left", strokes=6, sides="right side")


@pytest.mark.parametrize("name", sorted(ROUTINES))
def test_no_intro_skips_settling_in_and_safety_only(name):
    routine = ROUTINES[name].load()
    whole = build_script(routine, Options("right"))
    short = build_script(routine, Options("right", intro=False))
    intro_titles = [p.title for p in routine.phases if p.intro]
    assert intro_titles
    assert [p.title for p in short.phases] == [p.title for p in whole.phases if p.title not in intro_titles]
    assert not any("sharp" in t for t in short.texts())
    assert any("sharp" in t for t in whole.texts())  # the safety words are in the intro


@pytest.mark.parametrize("name", sorted(ROUTINES))
def test_safety_comes_first_and_the_summary_says_what_next(name):
    routine = ROUTINES[name].load()
    texts = build_script(routine, Options("right")).texts()
    first_phase = build_script(routine, Options("right")).phases[0]
    intro = [c.text for c in first_phase.cues if isinstance(c, Say)]
    assert any("sharp" in t for t in intro) and any("medical condition" in t for t in intro)
    one = routine.summary.one_side.format(strokes=routine.stroke.default, side="right", other="left", sides="")
    both = routine.summary.both_sides.format(strokes=routine.stroke.default, sides="")
    assert one in texts and "left" in one
    assert both in build_script(routine, Options("both")).texts()


def test_the_slide_is_never_rushed(psoas):
    slide = psoas.stroke.steps[1]
    for bpm in (20, 40, 60, 90, 120):
        grid = grids(build_script(psoas, Options("right", strokes=1, bpm=bpm)))[0]
        said = [i for i, b in enumerate(grid.beats) if b.say]
        slide_beats = said[2] - said[1]
        assert slide_beats * 60 / bpm >= slide.min_seconds
        assert slide_beats == max(4, -(-4 * bpm // 60))


def test_partner_checks_in_every_three_strokes_but_not_after_the_last():
    routine = ROUTINES["psoas-partner"].load()
    thumbs = grids(build_script(routine, Options("right", strokes=9, guidance="minimal")))[0]
    said = [b.say for b in thumbs.beats if b.say]
    assert said == [
        "Stroke 1.",
        "Stroke 2.",
        "Stroke 3.",
        "Ask how the pressure feels.",
        "Stroke 4.",
        "Stroke 5.",
        "Stroke 6.",
        "Ask how the pressure feels.",
        "Three to go. Stroke 7.",
        "Stroke 8.",
        "Last one.",
    ]


def test_partner_elbow_strokes_have_their_own_steps():
    routine = ROUTINES["psoas-partner"].load()
    thumbs, elbow = grids(build_script(routine, Options("right", strokes=1, guidance="full")))
    assert [b.say for b in thumbs.beats if b.say] == [
        "Stroke 1. Press in slowly with both thumbs.",
        "Keep the pressure, and slide your thumbs away from their spine.",
        "Release.",
    ]
    assert [b.say for b in elbow.beats if b.say] == [
        "Stroke 1. Lower your elbow in slowly, a little at a time.",
        "Hold the pressure steady, and ease away from their spine.",
        "Lift off gently.",
    ]


def test_default_strokes_and_tempo_come_from_the_routine(psoas):
    script = build_script(psoas, Options("left"))
    assert (script.strokes, script.tempo, script.bpm) == (8, "medium", 50)
    slow = build_script(psoas, Options("left", tempo="slow"))
    assert (slow.tempo, slow.bpm) == ("slow", 40)
    assert build_script(psoas, Options("left", bpm=72)).bpm == 72


def test_bad_options_are_refused(mini):
    cases = [
        (Options("up"), "Unknown side 'up': choose right, left or both."),
        (Options("right", tempo="brisk"), "Unknown tempo 'brisk': choose slow, medium or fast."),
        (Options("right", guidance="loud"), "Unknown guidance 'loud': choose full, brief or minimal."),
        (Options("right", bpm=200), "200 beats a minute is out of range (20 to 120)."),
    ]
    for options, message in cases:
        with pytest.raises(CoachError) as caught:
            build_script(mini, options)
        assert str(caught.value) == message


def test_a_check_in_leaves_two_more_beats_for_the_answer():
    routine = ROUTINES["psoas-partner"].load()
    thumbs = grids(build_script(routine, Options("right", strokes=4, guidance="minimal")))[0]
    accents = [i for i, b in enumerate(thumbs.beats) if b.sound == ACCENT]
    per_stroke = sum(s.beats_at(40) for s in routine.stroke.steps)
    assert [b - a for a, b in itertools.pairwise(accents)] == [per_stroke, per_stroke, per_stroke + 2]


def test_after_the_first_session_today_the_safety_lines_give_way_to_one_reminder(psoas):
    whole = build_script(psoas, Options("right")).phases[0]
    short = build_script(psoas, Options("right", short_intro=True, standing="This is session 2 of 6 today.")).phases[0]
    said = [c.text for c in short.cues if isinstance(c, Say)]
    assert said == [
        "This is session 2 of 6 today.",
        "Welcome. This session works the psoas on your right side.",
        "Lie down on your back, on a mat or another firm surface.",
        "Rest your arms, and close your eyes if you like. I will tell you each thing to do.",
        "A quick reminder: light pressure is enough, and ease off at any sharp pain.",
        "Take a slow breath in, and let it go.",
    ]
    assert len([c for c in whole.cues if isinstance(c, Say)]) == 7
    assert short.cues[0] == Sound(LEAD_IN, 2000) and short.cues[1] == Say("This is session 2 of 6 today.", 1500)
