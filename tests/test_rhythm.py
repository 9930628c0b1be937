"""The stroke rhythm in every shipped routine: equal strokes, step words on their beats, counts before their accents,
the step sounds, with speech as long as real voices make it (tests/rhythm.py says what is checked)."""

from __future__ import annotations

import itertools

import pytest
from conftest import CalmEngine, FakeEngines, deps, run_cli
from rhythm import RATE, VOICES, grids_of, realistic_lengths, rhythm_problems

from coach.catalog import builtin_sources
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
    tempos = [{"tempo": tempo} for tempo in ("slow", "medium", "fast")] + [{"bpm": 48}]  # 27562.5 samples a beat
    for tempo in tempos:
        for guidance in ("full", "brief", "minimal"):
            for side in ("right", "both"):
                made = timeline(name, voice, side=side, guidance=guidance, **tempo)
                assert rhythm_problems(made) == [], (tempo, guidance, side)
                per_side = 2 if name == "psoas-partner" else 1
                assert len(made.grids) == per_side * (2 if side == "both" else 1)


# beats of press, slide and release, and seconds a stroke, at each tempo (calm voice, brief guidance)
PSOAS_STROKES = {"slow": ((2, 4, 2), 12.0), "medium": ((2, 4, 2), 9.6), "fast": ((2, 4, 2), 8.0)}


@pytest.mark.parametrize("tempo", sorted(PSOAS_STROKES))
def test_psoas_strokes_keep_their_least_beats_at_every_tempo(tempo):
    slots, seconds = PSOAS_STROKES[tempo]
    (grid,) = timeline("psoas", side="right", tempo=tempo).grids
    assert (grid.slots, grid.stroke / RATE) == (slots, seconds)


def test_full_guidance_gives_psoas_longer_strokes_all_alike():
    (grid,) = timeline("psoas", side="right", guidance="full").grids
    assert (grid.slots, grid.stroke / RATE) == ((3, 4, 4), 13.2)
    assert {b - a for a, b in itertools.pairwise(grid.accents)} == {grid.stroke}


@pytest.mark.parametrize("name", sorted(ROUTINES))
def test_minimal_guidance_marks_every_slide_and_release_with_its_sound(name):
    made = timeline(name, side="both", guidance="minimal")
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
02:05.2  (8 strokes of 11 beats at 50 a minute, 13.2 s each: press 3, slide 4, release 4)
02:06.5  Stroke 1.
02:07.6  Press down and in, and breathe out.
02:11.2  Slide outward, toward your right hip.
02:16.0  Release, and glide back to the start.
02:19.7  Stroke 2.
02:20.8  Press down and in, and breathe out.
02:24.4  Slide outward, toward your right hip.
02:29.2  Release, and glide back to the start.
02:32.9  Stroke 3.
02:34.0  Press down and in, and breathe out.
02:37.6  Slide outward, toward your right hip.
02:42.4  Release, and glide back to the start.
02:46.1  Stroke 4.
02:47.2  Press down and in, and breathe out.
02:50.8  Slide outward, toward your right hip.
02:55.6  Release, and glide back to the start.
02:59.3  Stroke 5.
03:00.4  Press down and in, and breathe out.
03:04.0  Slide outward, toward your right hip.
03:08.8  Release, and glide back to the start.
03:12.7  6 of 8.
03:13.6  Press down and in, and breathe out.
03:17.2  Slide outward, toward your right hip.
03:22.0  Release, and glide back to the start.
03:25.7  Stroke 7.
03:26.8  Press down and in, and breathe out.
03:30.4  Slide outward, toward your right hip.
03:35.2  Release, and glide back to the start.
03:38.7  Last stroke.
03:40.0  Press down and in, and breathe out.
03:43.6  Slide outward, toward your right hip.
03:48.4  Release, and glide back to the start.
03:53.2  (chime)
""",
    "brief": """\
02:05.2  (8 strokes of 8 beats at 50 a minute, 9.6 s each: press 2, slide 4, release 2)
02:06.5  Stroke 1.
02:07.6  Press, and breathe out.
02:10.0  Slide.
02:14.8  Release.
02:16.1  Stroke 2.
02:17.2  Press.
02:19.6  Slide.
02:24.4  Release.
02:25.7  Stroke 3.
02:26.8  Press.
02:29.2  Slide.
02:34.0  Release.
02:35.3  Stroke 4.
02:36.4  Press, and breathe out.
02:38.8  Slide.
02:43.6  Release.
02:44.9  Stroke 5.
02:46.0  Press.
02:48.4  Slide.
02:53.2  Release.
02:54.7  6 of 8.
02:55.6  Press.
02:58.0  Slide.
03:02.8  Release.
03:04.1  Stroke 7.
03:05.2  Press, and breathe out.
03:07.6  Slide.
03:12.4  Release.
03:13.5  Last stroke.
03:14.8  Press.
03:17.2  Slide.
03:22.0  Release.
03:24.4  (chime)
""",
    "minimal": """\
02:05.2  (8 strokes of 8 beats at 50 a minute, 9.6 s each: press 2, slide 4, release 2)
02:06.5  Stroke 1.
02:16.1  Stroke 2.
02:25.7  Stroke 3.
02:35.3  Stroke 4.
02:44.9  Stroke 5.
02:54.7  6 of 8.
03:04.1  Stroke 7.
03:13.5  Last stroke.
03:24.4  (chime)
""",
}


def psoas_script(guidance):
    result = run_cli(
        "psoas", "--side", "right", "--guidance", guidance, "--script",
        deps=deps(engine=FakeEngines(CalmEngine())),
    )  # fmt: skip
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if " strokes of " in line)  # the grid's first beat
    end = next(i for i, line in enumerate(lines) if line.endswith("# Closing"))
    return "\n".join(lines[start:end]) + "\n"


@pytest.mark.parametrize("guidance", ["full", "brief", "minimal"])
def test_the_psoas_strokes_as_the_script_prints_them(guidance):
    assert psoas_script(guidance) == STROKES[guidance]
