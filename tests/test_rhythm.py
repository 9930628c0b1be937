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
                per_side = 2 if name == "psoas-partner" else 1
                assert len(made.grids) == per_side * (2 if side is Side.BOTH else 1)


# beats of press, slide and release, and seconds a stroke, at each tempo (calm voice, brief guidance)
PSOAS_STROKES = {Tempo.SLOW: ((2, 4, 2), 12.0), Tempo.MEDIUM: ((2, 4, 2), 9.6), Tempo.FAST: ((2, 4, 2), 8.0)}


@pytest.mark.parametrize("tempo", sorted(PSOAS_STROKES))
def test_psoas_strokes_keep_their_least_beats_at_every_tempo(tempo):
    slots, seconds = PSOAS_STROKES[tempo]
    (grid,) = timeline("psoas", side=Side.RIGHT, tempo=tempo).grids
    assert (grid.slots, grid.stroke / RATE) == (slots, seconds)


def test_full_guidance_gives_psoas_longer_strokes_all_alike():
    (grid,) = timeline("psoas", side=Side.RIGHT, guidance=Guidance.FULL).grids
    assert (grid.slots, grid.stroke / RATE) == ((3, 4, 4), 13.2)
    assert {b - a for a, b in itertools.pairwise(grid.accents)} == {grid.stroke}


@pytest.mark.parametrize("name", sorted(ROUTINES))
def test_minimal_guidance_marks_every_slide_and_release_with_its_sound(name):
    made = timeline(name, side=Side.BOTH, guidance=Guidance.MINIMAL)
    slide, release = ("knee up", "lower") if name == "psoas-gentle" else ("slide", "release")
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
01:49.8  (8 strokes of 11 beats at 50 a minute, 13.2 s each: press 3, slide 4, release 4)
01:51.3  Stroke 1.
01:52.2  Press down and in, and breathe out.
01:55.8  Slide outward, toward your right hip.
02:00.6  Release, and glide back to the start.
02:04.5  Stroke 2.
02:05.4  Press down and in, and breathe out.
02:09.0  Slide outward, toward your right hip.
02:13.8  Release, and glide back to the start.
02:17.7  Stroke 3.
02:18.6  Press down and in, and breathe out.
02:22.2  Slide outward, toward your right hip.
02:27.0  Release, and glide back to the start.
02:30.9  Stroke 4.
02:31.8  Press down and in, and breathe out.
02:35.4  Slide outward, toward your right hip.
02:40.2  Release, and glide back to the start.
02:44.1  Stroke 5.
02:45.0  Press down and in, and breathe out.
02:48.6  Slide outward, toward your right hip.
02:53.4  Release, and glide back to the start.
02:57.4  6 of 8.
02:58.2  Press down and in, and breathe out.
03:01.8  Slide outward, toward your right hip.
03:06.6  Release, and glide back to the start.
03:10.5  Stroke 7.
03:11.4  Press down and in, and breathe out.
03:15.0  Slide outward, toward your right hip.
03:19.8  Release, and glide back to the start.
03:23.5  Last stroke.
03:24.6  Press down and in, and breathe out.
03:28.2  Slide outward, toward your right hip.
03:33.0  Release, and glide back to the start.
03:37.8  (chime)
""",
    "brief": """\
01:49.8  (8 strokes of 8 beats at 50 a minute, 9.6 s each: press 2, slide 4, release 2)
01:51.3  Stroke 1.
01:52.2  Press, and breathe out.
01:54.6  Slide.
01:59.4  Release.
02:00.9  Stroke 2.
02:01.8  Press.
02:04.2  Slide.
02:09.0  Release.
02:10.5  Stroke 3.
02:11.4  Press.
02:13.8  Slide.
02:18.6  Release.
02:20.1  Stroke 4.
02:21.0  Press, and breathe out.
02:23.4  Slide.
02:28.2  Release.
02:29.7  Stroke 5.
02:30.6  Press.
02:33.0  Slide.
02:37.8  Release.
02:39.4  6 of 8.
02:40.2  Press.
02:42.6  Slide.
02:47.4  Release.
02:48.9  Stroke 7.
02:49.8  Press, and breathe out.
02:52.2  Slide.
02:57.0  Release.
02:58.3  Last stroke.
02:59.4  Press.
03:01.8  Slide.
03:06.6  Release.
03:09.0  (chime)
""",
    "minimal": """\
01:49.8  (8 strokes of 8 beats at 50 a minute, 9.6 s each: press 2, slide 4, release 2)
01:51.3  Stroke 1.
02:00.9  Stroke 2.
02:10.5  Stroke 3.
02:20.1  Stroke 4.
02:29.7  Stroke 5.
02:39.4  6 of 8.
02:48.9  Stroke 7.
02:58.3  Last stroke.
03:09.0  (chime)
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
