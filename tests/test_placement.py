"""Where each sound is heard (coach.placement) and how the mixer pans it: exact placements by phase and role, exact
left and right gains at exact samples, the slide's sweep, constant power, and mono as the stereo folded down."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coach.audio import MONO, STEREO, to_pcm
from coach.catalog import builtin_sources
from coach.kinds import Side
from coach.mixer import fold_down, render_all
from coach.placement import CROSS, HIP, SPEECH_LEAN, SPOT, gains, mono_gain, pans, place
from coach.script import ACCENT, CHIME, FALL, LEAD_IN, RISE, TICK, Options, build_script
from coach.session import assemble, load_sounds
from coach.timeline import CENTRE, SOUND, SPEECH, Event, Placement, Timeline, build_timeline

RATE = 22050


def placed_session(routine, side):
    """The routine's session with noise for speech (40 samples a letter) and the real sounds, placed."""
    script = build_script(routine, Options(side=side, strokes=2))
    rng = np.random.default_rng(3)
    speech = {t: rng.uniform(-0.3, 0.3, 40 * len(t)).astype(np.float32) for t in dict.fromkeys(script.texts())}
    return assemble(script, speech, load_sounds())


def by_phase(timeline):
    """Each phase's title: the set of (what, placement) its events have; what is "beat words" for a count or a
    step's words, "speech" for other lines, or the sound's name."""
    out, beat = {}, timeline.script.beat_texts()
    for span in timeline.phases:
        inside = [e for e in timeline.events if span.start <= e.start < span.end]
        out[span.title] = {(e.name if e.kind == SOUND else "beat words" if e.name in beat else "speech", e.placement)
                           for e in inside}  # fmt: skip
    return out


def test_a_both_sides_session_places_each_sound_by_its_phase_and_role(psoas):
    timeline = placed_session(psoas, Side.BOTH).timeline
    phases = by_phase(timeline)
    right, left = Placement(SPOT, SPOT), Placement(-SPOT, -SPOT)
    # settling in (its safety words too) and the closing in the centre
    assert phases["Settling in"] == {("speech", CENTRE), (LEAD_IN, CENTRE), (CHIME, CENTRE)}
    assert phases["Closing"] == {("speech", CENTRE), (CHIME, CENTRE)}
    assert phases["Position and spot, right side"] == {("speech", CENTRE), (CHIME, right)}
    # a side's strokes: its sounds from that side, the slide moving outward, the release back; the talk (safety
    # words, check-ins) in the centre, the words on its beats leaning a little
    assert phases["Strokes, right side"] == {
        ("speech", CENTRE), ("beat words", Placement(SPEECH_LEAN, SPEECH_LEAN)), (TICK, right), (CHIME, right),
        (ACCENT, right), (RISE, Placement(SPOT, HIP)), (FALL, Placement(HIP, SPOT)),
    }  # fmt: skip
    assert phases["Strokes, left side"] == {
        ("speech", CENTRE), ("beat words", Placement(-SPEECH_LEAN, -SPEECH_LEAN)), (TICK, left), (CHIME, left),
        (ACCENT, left), (RISE, Placement(-SPOT, -HIP)), (FALL, Placement(-HIP, -SPOT)),
    }  # fmt: skip
    # the switch moves its sound across, from the right to the left; its words stay in the centre
    assert phases["Switching sides"] == {("speech", CENTRE), (CHIME, Placement(CROSS, -CROSS))}


def test_one_side_sessions_mirror_each_other_and_the_partner_routine_is_placed_from_the_givers_side(psoas):
    partner = next(s for s in builtin_sources() if s.name == "psoas-partner").load()
    for routine in (psoas, partner):
        right, left = (placed_session(routine, side).timeline for side in (Side.RIGHT, Side.LEFT))
        assert len(right.events) == len(left.events)
        mirrored = [Placement(-e.placement.start, -e.placement.end) for e in right.events]
        assert [e.placement for e in left.events] == [CENTRE if p == Placement(-0.0, -0.0) else p for p in mirrored]
        # the giver kneels at the worked side and slides toward themselves: outward, toward that side
        slides = {e.placement for e in right.events if e.name == RISE}
        assert slides == {Placement(SPOT, HIP)}


def test_constant_power_gains_and_the_side_at_least_6_db_louder():
    for pan in np.linspace(-1, 1, 41):
        left, right = gains(pan)
        assert left**2 + right**2 == pytest.approx(1.0, abs=1e-15)
        assert mono_gain(pan) == pytest.approx((left + right) / math.sqrt(2), abs=1e-15)
    assert gains(0.0) == (pytest.approx(math.sqrt(0.5)), pytest.approx(math.sqrt(0.5)))
    assert mono_gain(0.0) == 1.0  # the words in mono exactly as they were
    left, right = gains(SPOT)
    assert 20 * math.log10(right / left) == pytest.approx(9.8, abs=0.05)  # the press: 9.8 dB toward its side
    left, right = gains(SPEECH_LEAN)
    assert 20 * math.log10(right / left) == pytest.approx(2.8, abs=0.05)  # a side's words lean only a little


def small_timeline(psoas, events, length):
    return Timeline(build_script(psoas, Options(side=Side.RIGHT)), RATE, length, tuple(events), ())


def test_each_event_lands_on_its_sample_in_both_channels_with_its_exact_gains(psoas):
    """Constant clips of 0.5 at a still pan, a moving pan and the centre: every sample of each channel exact."""
    half = np.full(40, 0.5, dtype=np.float32)
    clips = {(SOUND, "a"): half, (SOUND, "b"): half, (SPEECH, "c"): half}
    events = [
        Event(10, 40, SOUND, "a", placement=Placement(SPOT, SPOT)),
        Event(100, 40, SOUND, "b", gain=0.5, placement=Placement(-SPOT, -HIP)),
        Event(200, 40, SPEECH, "c"),
    ]
    out = render_all(small_timeline(psoas, events, 300), clips, channels=STEREO)
    assert out.shape == (300, 2)
    expected = np.zeros((300, 2))
    left, right = gains(SPOT)
    expected[10:50] = [0.5 * left, 0.5 * right]
    sweep = np.column_stack(gains(pans(Placement(-SPOT, -HIP), 40)))
    expected[100:140] = 0.25 * sweep
    expected[200:240] = 0.5 * math.sqrt(0.5)
    assert out.tolist() == to_pcm(expected.astype(np.float32)).tolist()
    # nothing before each start, in either channel; each starts on its sample in both
    for start in (10, 100, 200):
        assert out[start - 1].tolist() == [0, 0] and (out[start] != 0).all()


def test_the_slide_sweeps_outward_evenly_at_constant_power():
    sweep = pans(Placement(SPOT, HIP), 1001)
    assert (sweep[0], sweep[-1]) == (SPOT, HIP)
    assert np.allclose(np.diff(sweep), (HIP - SPOT) / 1000, atol=1e-15)  # linear in pan, sample by sample
    left, right = gains(sweep)
    assert np.allclose(left**2 + right**2, 1.0, atol=1e-15)  # the same power all along
    assert (np.diff(right) > 0).all() and (np.diff(left) < 0).all()  # moving outward all along
    level = 20 * np.log10(right / left)
    assert (round(level[0], 1), round(level[500], 1), round(level[-1], 1)) == (9.8, 15.0, 28.1)


@pytest.mark.parametrize("side", [Side.RIGHT, Side.BOTH])
def test_the_mono_session_is_the_stereo_one_folded_down(psoas, side):
    session = placed_session(psoas, side)
    stereo = render_all(session.timeline, session.clips, channels=STEREO)
    mono = render_all(session.timeline, session.clips, channels=MONO)
    assert stereo.shape == (session.timeline.length, 2) and mono.shape == (session.timeline.length,)
    assert np.abs(fold_down(stereo).astype(int) - mono).max() <= 1  # within rounding
    # the words are in the centre and untouched in mono: a line alone is exactly its clip
    line = next(e for e in session.timeline.events if e.kind == SPEECH and e.placement == CENTRE and e.gain == 1.0)
    clip = session.clips[line.key]
    assert mono[line.start : line.start + 200].tolist() == to_pcm(clip[:200]).tolist()


def test_placing_changes_nothing_but_placements(psoas):
    script = build_script(psoas, Options(side=Side.BOTH, strokes=2))
    lengths = {(SPEECH, t): 40 * len(t) for t in script.texts()}
    lengths.update({(SOUND, n): len(c) for n, c in load_sounds().items()})
    timeline = build_timeline(script, lengths, RATE)
    placed = place(timeline)
    assert [(e.start, e.length, e.kind, e.name, e.gain) for e in placed.events] == [
        (e.start, e.length, e.kind, e.name, e.gain) for e in timeline.events
    ]
    assert {e.placement for e in timeline.events} == {CENTRE}
    assert (placed.length, placed.phases, placed.grids) == (timeline.length, timeline.phases, timeline.grids)
