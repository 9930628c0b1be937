"""Session shapes: teach (a routine's first session), refresh (the first of a later day) and quick (every later one
that day), chosen from the program log or with --shape; the routine format's shapes, once and again; the exact
scripts of psoas in each shape, with the calm voice's lengths; and the lengths with the real voice."""

from __future__ import annotations

import pytest
from conftest import MINI, CalmEngine, FakeEngines, deps, run_cli

from coach.catalog import builtin_sources
from coach.errors import RoutineError
from coach.kinds import Shape, Side
from coach.routine import parse_routine
from coach.script import Options, Say, build_script

ROUTINES = {source.name: source for source in builtin_sources()}

TEACH = """\
Psoas release, right side: 8 strokes a side at 50 beats a minute (medium), brief guidance, 4:04 in all.

00:00.0  # Settling in
00:02.0  Welcome. Psoas release, on your right side. Lie on your back on a firm surface, knees bent and feet flat.
00:11.0  First, safety. Skip this if you are pregnant, had recent belly or pelvic surgery, or have a hernia.
00:19.5  Or with a known aortic aneurysm, on blood thinners, or with unexplained new belly pain or fever.
00:27.8  With any other medical condition, ask a doctor or physical therapist first.
00:34.4  (chime)
00:36.4  # Position and spot, right side
00:36.4  Let both knees fall to your left: that moves your belly aside.
00:42.5  Put the fingertips of both hands side by side, just to the right of your navel.
00:49.4  Lift your head a little, and find the outer edge of the firm six-pack muscle. Rest your head, and move two finger-widths outward: your starting spot.
01:02.4  (chime)
01:04.4  # Strokes, right side
01:04.4  Breathe out, and sink in slowly, down and a little toward your spine.
01:11.0  Keep it at four out of ten or less: ten is the worst pain you can imagine.
01:17.5  A pulse under your fingers means a large artery: ease off, and move a little outward.
01:24.9  Stop at once for sharp or intense pain, or tingling, numbness or an electric feeling into your thigh.
01:33.6  A dull ache is fine, even one that spreads to your back, hip or groin.
01:39.8  Each stroke: slide slowly toward your right hip, then ease off and glide back as you breathe in. Never hold your breath.
01:49.8  (8 strokes of 8 beats at 50 a minute, 9.6 s each: press 2, slide 4, release 2)
"""  # noqa: E501

REFRESH = """\
Psoas release, right side, refresh session: 8 strokes a side at 50 beats a minute (medium), brief guidance, 3:40 in all.

00:00.0  # Settling in
00:02.0  Welcome back. Psoas release, on your right side. Lie on your back, knees bent and feet flat.
00:11.0  First, safety. Skip this if you are pregnant, had recent belly or pelvic surgery, or have a hernia.
00:19.5  Or with a known aortic aneurysm, on blood thinners, or with unexplained new belly pain or fever.
00:27.8  With any other medical condition, ask a doctor or physical therapist first.
00:34.4  (chime)
00:36.4  # Position and spot, right side
00:36.4  Let both knees fall slowly to your left.
00:42.2  Put the fingertips of both hands side by side, just to the right of your navel.
00:49.1  Find the outer edge of the six-pack muscle, and move two finger-widths outward: your starting spot.
00:59.1  (chime)
01:01.1  # Strokes, right side
01:01.1  Breathe out, and sink in slowly, down and a little toward your spine.
01:07.7  Keep it at four out of ten or less.
01:11.6  A pulse under your fingers means a large artery: ease off, and move a little outward.
01:19.0  Stop at once for sharp or intense pain, or tingling, numbness or an electric feeling into your thigh.
01:27.7  Each stroke: press, slide outward toward your right hip, then ease off and glide back to the start.
01:36.0  (8 strokes of 8 beats at 50 a minute, 9.6 s each: press 2, slide 4, release 2)
"""

QUICK = """\
Psoas release, right side, quick session: 8 strokes a side at 50 beats a minute (medium), brief guidance, 1:52 in all.

00:00.0  # Strokes, right side
00:02.0  Psoas, right side.
00:04.0  Knees to your left, fingertips on your spot beside the navel.
00:10.0  Sink in gently, four out of ten at most.
00:13.8  A pulse: ease off, and move outward. Stop at sharp pain, or tingling in your leg.
00:20.9  (8 strokes of 8 beats at 50 a minute, 9.6 s each: press 2, slide 4, release 2)
00:22.4  Stroke 1.
00:23.3  Press, and breathe out.
00:25.7  Slide.
00:30.5  Release.
00:32.0  Stroke 2.
00:32.9  Press.
00:35.3  Slide.
00:40.1  Release.
00:41.6  Stroke 3.
00:42.5  Press.
00:44.9  Slide.
00:49.7  Release.
00:51.2  Stroke 4.
00:52.1  Press, and breathe out.
00:54.5  Slide.
00:59.3  Release.
01:00.8  Stroke 5.
01:01.7  Press.
01:04.1  Slide.
01:08.9  Release.
01:10.5  6 of 8.
01:11.3  Press.
01:13.7  Slide.
01:18.5  Release.
01:20.0  Stroke 7.
01:20.9  Press, and breathe out.
01:23.3  Slide.
01:28.1  Release.
01:29.4  Last stroke.
01:30.5  Press.
01:32.9  Slide.
01:37.7  Release.
01:40.1  That was 8 strokes on your right side. Another time, give your left side the same.
01:48.8  (chime)
01:52.3  (end)
"""


def script(*args):
    result = run_cli("psoas", "--side", "right", "--script", *args, deps=deps(engines=FakeEngines(CalmEngine())))
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    return result.stdout


def until_the_strokes(text):
    lines = text.splitlines()
    return "\n".join(lines[: next(i for i, line in enumerate(lines) if " strokes of " in line) + 1]) + "\n"


def test_the_psoas_scripts_in_each_shape_exactly():
    assert until_the_strokes(script("--shape", "teach")) == TEACH
    assert until_the_strokes(script()) == TEACH  # a script is a teach session unless asked otherwise
    assert until_the_strokes(script("--shape", "refresh")) == REFRESH
    assert script("--shape", "quick") == QUICK


def said(routine, side, shape):
    return [
        c.text for p in build_script(routine, Options(side, shape=shape)).phases for c in p.cues if isinstance(c, Say)
    ]


def test_both_sides_say_the_stroke_once_and_the_second_side_its_own_words():
    psoas = ROUTINES["psoas"].load()
    teach = said(psoas, Side.BOTH, Shape.TEACH)
    assert teach.count("A dull ache is fine, even one that spreads to your back, hip or groin.") == 1
    assert sum(text.startswith("Stop at once") for text in teach) == 1  # once = true: the first side only
    assert sum(text.startswith("A pulse under your fingers") for text in teach) == 2  # each new spot
    assert "The same 8 strokes, sliding toward your left hip." in teach  # again: the second side's words
    assert not any(text.startswith("Each stroke") and "left" in text for text in teach)
    quick = said(psoas, Side.BOTH, Shape.QUICK)
    assert quick.count("Psoas, right side, then the left.") == 1
    assert quick.count("A pulse: ease off, and move outward. Stop at sharp pain, or tingling in your leg.") == 1
    assert "Knees to your left, fingertips on your spot beside the navel." in quick
    assert "Knees to your right, fingertips on your spot beside the navel." in quick
    assert "Knees back to the middle, and one slow breath." in quick  # the quick switch, not the long one
    teach_only = {fill for fill in said(psoas, Side.RIGHT, Shape.TEACH)} - set(said(psoas, Side.RIGHT, Shape.REFRESH))
    assert not teach_only & set(quick)  # no teaching line in a quick session


@pytest.mark.parametrize("name", sorted(ROUTINES))
def test_every_shape_runs_every_stroke_phase_and_quick_drops_the_intro(name):
    routine = ROUTINES[name].load()
    for shape in Shape:
        script = build_script(routine, Options(Side.RIGHT, shape=shape))
        assert sum(1 for p in script.phases for c in p.cues if type(c).__name__ == "Grid") == sum(
            p.strokes for p in routine.phases
        )
    quick = build_script(routine, Options(Side.RIGHT, shape=Shape.QUICK))
    assert not {p.title for p in routine.phases if p.intro} & {p.title for p in quick.phases}


BAD_SHAPES = [
    (
        'shapes = ["teach", "fast"]',
        "phases[0].shapes[1]: 'fast' is not a shape (expected one of: teach, refresh, quick)",
    ),
    ("shapes = []", "phases[0].shapes: expected one shape or more (teach, refresh, quick), found an empty list"),
    ('shapes = ["quick", "quick"]', "phases[0].shapes[1]: 'quick' is listed twice"),
]


@pytest.mark.parametrize(("key", "message"), BAD_SHAPES)
def test_a_bad_shapes_list_is_one_sentence(key, message):
    text = MINI.replace('title = "Start"', f'title = "Start"\n{key}')
    with pytest.raises(RoutineError) as caught:
        parse_routine(text, "mini.toml", "mini")
    assert str(caught.value).split(": ", 1)[1] == message


@pytest.mark.parametrize(
    ("find", "replace", "message"),
    [
        ('title = "Start"', 'title = "Start"\nshapes = ["teach"]\nlines = [{ text = "Hi.", shapes = ["quick"] }]\n'
         'x = 1', "phases[0].lines[0].shapes: quick is not among its phase's shapes"),
        ('lines = ["Hello, {sides}."]', 'lines = [{ text = "Hello.", once = true }]',
         "phases[0].lines[0].once: goes only in a phase with each_side = true (not in [switch])"),
        ('lines = ["Now your {side}."]', 'lines = [{ text = "Now.", again = "Again." }]',
         "switch.lines[0].again: goes only in a phase with each_side = true (not in [switch])"),
        ('lines = ["Go."]', 'lines = [{ text = "Go.", once = true, again = "Go on." }]',
         "phases[2].lines[0].again: cannot go with once = true: a line said once has no again"),
        ('title = "Work, {side}"', 'title = "Work, {side}"\nshapes = ["teach"]',
         "phases[2].shapes: a phase with strokes = true is in every shape: the strokes always run"),
    ],
)  # fmt: skip
def test_shapes_once_and_again_where_they_do_not_belong(find, replace, message):
    text = MINI.replace(find, replace, 1)
    if "x = 1" in replace:  # the phase's own lines are replaced: drop the old ones
        text = text.replace('\nx = 1\npause = 1\nlines = ["Hello, {sides}."]', "\npause = 1")
    with pytest.raises(RoutineError) as caught:
        parse_routine(text, "mini.toml", "mini")
    assert str(caught.value).split(": ", 1)[1] == message


LIVE_LINES = {Shape.TEACH: "This is your first session: day 1 of 14.", Shape.QUICK: "Session 2 today, day 1 of 14."}


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["psoas", "iliacus"])
def test_teach_and_quick_meet_their_targets_with_the_real_voice(name):
    """Default settings, one side, as a live session says it (with its program line): teach's first stroke within
    2:00 and at most 5:00 in all; quick's first stroke within 0:30 and at most 2:00."""
    from coach.defaults import DEFAULT_ENGINE, DEFAULT_PACE, DEFAULT_VOICE
    from coach.session import prepare
    from coach.speech.cache import Speaker, SpeechCache

    deps_now = deps()
    speaker = Speaker(deps_now.engines(DEFAULT_ENGINE), DEFAULT_VOICE, DEFAULT_PACE, SpeechCache(deps_now.dirs.cache))
    routine = ROUTINES[name].load()
    targets = {Shape.TEACH: (120.0, 300.0), Shape.QUICK: (30.0, 120.0)}
    for shape, (first_most, all_most) in targets.items():
        options = Options(Side.RIGHT, shape=shape, standing=LIVE_LINES[shape], short_intro=shape is Shape.QUICK)
        timeline = prepare(routine, options, speaker).timeline
        first, whole = timeline.seconds(timeline.grids[0].accents[0]), timeline.seconds(timeline.length)
        assert (first <= first_most, whole <= all_most) == (True, True), (shape, first, whole)
