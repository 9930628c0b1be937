"""The stroke rhythm in every shipped routine: equal strokes, step words on their beats, counts before their accents,
the step sounds, with speech as long as real voices make it (tests/rhythm.py says what is checked)."""

from __future__ import annotations

import itertools

import pytest
from conftest import CalmEngine, FakeEngines, deps, run_cli
from rhythm import RATE, VOICES, grids_of, realistic_lengths, rhythm_problems

from coach.catalog import builtin_sources
from coach.kinds import Guidance, Side, Tempo
from coach.script import ACCENT, FALL, RISE, TICK, Options, build_script
from coach.session import load_sounds
from coach.timeline import SOUND, build_timeline

ROUTINES = {source.name: source.load() for source in builtin_sources()}
SOUNDS = {name: len(clip) for name, clip in load_sounds().items()}


def timeline(name, voice="calm", **options):
    script = build_script(ROUTINES[name], Options(**options))
    return build_timeline(script, realistic_lengths(script, voice, SOUNDS), RATE)


@pytest.mark.parametrize("name", sorted(ROUTINES))
@pytest.mark.parametrize("voice", sorted(VOICES))
def test_the_rhythm_holds_at_every_tempo_guidance_and_side(name, voice):
    tempos = [{"tempo": tempo} for tempo in Tempo] + [{"bpm": 48}]  # 27562.5 samples a beat
    for tempo in tempos:
        for guidance in Guidance:
            for side in (Side.RIGHT, Side.BOTH):
                made = timeline(name, voice, side=side, guidance=guidance, **tempo)
                assert rhythm_problems(made) == [], (tempo, guidance, side)
                assert len(made.grids) == (2 if side is Side.BOTH else 1)


# beats of press, slide and release, and seconds a stroke, at each tempo (calm voice, brief guidance)
PSOAS_STROKES = {Tempo.SLOW: ((2, 4, 3), 13.5), Tempo.MEDIUM: ((2, 4, 3), 10.8), Tempo.FAST: ((2, 4, 3), 9.0)}


@pytest.mark.parametrize("tempo", sorted(PSOAS_STROKES))
def test_psoas_strokes_keep_their_least_beats_at_every_tempo(tempo):
    slots, seconds = PSOAS_STROKES[tempo]
    (grid,) = timeline("psoas", side=Side.RIGHT, tempo=tempo).grids
    assert (grid.slots, grid.stroke / RATE) == (slots, seconds)


def test_full_guidance_words_fit_the_psoas_strokes_brief_ones_fit():
    (grid,) = timeline("psoas", side=Side.RIGHT, guidance=Guidance.FULL).grids
    assert (grid.slots, grid.stroke / RATE) == ((2, 4, 3), 10.8)  # the release has three beats: ease off, glide back
    assert {b - a for a, b in itertools.pairwise(grid.accents)} == {grid.stroke}


@pytest.mark.parametrize("name", sorted(ROUTINES))
def test_minimal_guidance_marks_every_slide_and_release_with_its_sound(name):
    made = timeline(name, side=Side.BOTH, guidance=Guidance.MINIMAL)
    slide, release = ("foot up", "lower") if name == "psoas-gentle" else ("slide", "release")
    for grid, span in zip(grids_of(made), made.grids, strict=True):
        sounds = {(e.start, e.name) for e in made.events if e.kind == SOUND and span.start <= e.start < span.end}
        marks = set()
        for accent in span.accents:
            starts = dict(zip((step.name for step in grid.steps), span.step_starts(accent, RATE), strict=True))
            marks |= {(accent, ACCENT), (starts[slide], RISE), (starts[release], FALL)}
        # exactly these: one accent, one rise and one fall a stroke, each on its step's first beat
        assert {(at, name) for at, name in sounds if name != TICK} == marks
        assert len(marks) == 3 * len(span.accents)


# the psoas strokes with the calm voice's lengths (CalmEngine, tests/conftest.py), from the grid's first beat
STROKES = {
    "full": """\
02:13.3  (8 strokes of 9 beats at 50 a minute, 10.8 s each: press 2, slide 4, release 3)
02:14.8  Stroke 1.
02:15.7  Down and in, breathe out.
02:18.1  Slide toward your right hip, three finger-widths.
02:22.9  Ease off, and glide back.
02:25.6  Stroke 2.
02:26.5  Down and in, breathe out.
02:28.9  Slide toward your right hip, three finger-widths.
02:33.7  Ease off, and glide back.
02:36.4  Stroke 3.
02:37.3  Down and in, breathe out.
02:39.7  Slide toward your right hip, three finger-widths.
02:44.5  Ease off, and glide back.
02:47.2  Stroke 4.
02:48.1  Down and in, breathe out.
02:50.5  Slide toward your right hip, three finger-widths.
02:55.3  Ease off, and glide back.
02:58.0  Stroke 5.
02:58.9  Down and in, breathe out.
03:01.3  Slide toward your right hip, three finger-widths.
03:06.1  Ease off, and glide back.
03:08.9  6 of 8.
03:09.7  Down and in, breathe out.
03:12.1  Slide toward your right hip, three finger-widths.
03:16.9  Ease off, and glide back.
03:19.6  Stroke 7.
03:20.5  Down and in, breathe out.
03:22.9  Slide toward your right hip, three finger-widths.
03:27.7  Ease off, and glide back.
03:30.2  Last stroke.
03:31.3  Down and in, breathe out.
03:33.7  Slide toward your right hip, three finger-widths.
03:38.5  Ease off, and glide back.
03:42.1  (chime)
""",
    "brief": """\
02:13.3  (8 strokes of 9 beats at 50 a minute, 10.8 s each: press 2, slide 4, release 3)
02:14.8  Stroke 1.
02:15.7  Down and in, breathe out.
02:18.1  Slide toward your right hip, three finger-widths.
02:22.9  Ease off, and glide back.
02:25.6  Stroke 2.
02:26.5  Down and in, breathe out.
02:28.9  Slide toward your right hip, three finger-widths.
02:33.7  Ease off, and glide back.
02:36.4  Stroke 3.
02:37.3  Press.
02:39.7  Slide.
02:44.5  Release.
02:47.2  Stroke 4.
02:48.1  Press, and breathe out.
02:50.5  Slide.
02:55.3  Release.
02:58.0  Stroke 5.
02:58.9  Press.
03:01.3  Slide.
03:06.1  Release.
03:08.9  6 of 8.
03:09.7  Press.
03:12.1  Slide.
03:16.9  Release.
03:19.6  Stroke 7.
03:20.5  Press, and breathe out.
03:22.9  Slide.
03:27.7  Release.
03:30.2  Last stroke.
03:31.3  Press.
03:33.7  Slide.
03:38.5  Release.
03:42.1  (chime)
""",
    "minimal": """\
02:13.3  (8 strokes of 9 beats at 50 a minute, 10.8 s each: press 2, slide 4, release 3)
02:14.8  Stroke 1.
02:25.6  Stroke 2.
02:36.4  Stroke 3.
02:47.2  Stroke 4.
02:58.0  Stroke 5.
03:08.9  6 of 8.
03:19.6  Stroke 7.
03:30.2  Last stroke.
03:42.1  (chime)
""",
}


def psoas_script(guidance):
    result = run_cli(
        "psoas", "--side", "right", "--guidance", guidance, "--script",
        deps=deps(engines=FakeEngines(CalmEngine())),
    )  # fmt: skip
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if " strokes of " in line)  # the grid's first beat
    end = next(i for i, line in enumerate(lines) if line.endswith("# Closing"))
    return "\n".join(lines[start:end]) + "\n"


@pytest.mark.parametrize("guidance", ["full", "brief", "minimal"])
def test_the_psoas_strokes_as_the_script_prints_them(guidance):
    assert psoas_script(guidance) == STROKES[guidance]
