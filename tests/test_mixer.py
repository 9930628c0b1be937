"""The mixer: exact sums at exact positions, independent of block size."""

from __future__ import annotations

import math

import numpy as np

from coach.audio import to_float, to_pcm
from coach.kinds import Side
from coach.mixer import render, render_all
from coach.script import Options, build_script
from coach.timeline import SOUND, SPEECH, Event, Timeline


def small_timeline(mini, events, length):
    return Timeline(build_script(mini, Options(Side.RIGHT)), 22050, length, tuple(events), ())


def test_clips_land_at_their_sample_positions_and_sum(mini):
    a = np.full(10, 0.25, dtype=np.float32)
    b = np.full(4, 0.5, dtype=np.float32)
    clips = {(SPEECH, "a"): a, (SOUND, "b"): b}
    timeline = small_timeline(mini, [Event(3, 10, SPEECH, "a"), Event(11, 4, SOUND, "b")], 20)
    out = render_all(timeline, clips)
    expected = np.zeros(20, dtype=np.int16)
    expected[3:13] = 8192
    expected[11:15] += 16384
    assert out.tolist() == expected.tolist()


def test_block_size_does_not_change_the_samples(mini):
    rng = np.random.default_rng(7)
    clips = {(SPEECH, str(i)): (rng.uniform(-0.3, 0.3, 50 + 13 * i)).astype(np.float32) for i in range(8)}
    events = [Event(37 * i, 50 + 13 * i, SPEECH, str(i)) for i in range(8)]
    timeline = small_timeline(mini, events, 500)
    whole = np.concatenate(list(render(timeline, clips, block=10_000)))
    for block in (1, 7, 64, 333):
        assert np.array_equal(np.concatenate(list(render(timeline, clips, block=block))), whole)
    # any stretch equals the same stretch of the whole
    assert np.array_equal(render_all(timeline, clips, 101, 377), whole[101:377])
    assert all(len(b) <= 64 for b in render(timeline, clips, block=64))


def test_loud_sums_are_clipped_not_wrapped(mini):
    loud = np.full(5, 0.8, dtype=np.float32)
    clips = {(SPEECH, "x"): loud, (SOUND, "y"): loud}
    timeline = small_timeline(mini, [Event(0, 5, SPEECH, "x"), Event(2, 5, SOUND, "y")], 8)
    assert render_all(timeline, clips).tolist() == [26214, 26214, 32767, 32767, 32767, 26214, 26214, 0]


def test_int16_round_trip_is_exact():
    pcm = np.array([-32768, -1, 0, 1, 12345, 32767], dtype=np.int16)
    assert to_pcm(to_float(pcm)).tolist() == pcm.tolist()


def test_words_under_a_tick_give_way_so_the_tick_keeps_its_level_and_others_are_untouched(mini):
    from coach.session import duck, load_sounds
    from coach.speech.level import true_peak

    t = np.arange(22050) / 22050
    speech = (0.65 * np.sin(2 * np.pi * 200 * t)).astype(np.float32)  # true peak 0.65 (-3.7 dBTP)
    tick = load_sounds()["tick"]  # peak 0.18
    clips = {(SPEECH, "a"): speech, (SPEECH, "b"): speech, (SOUND, "tick"): tick}
    events = [Event(1000, 22050, SPEECH, "a"), Event(5000, len(tick), SOUND, "tick"),
              Event(30000, len(tick), SOUND, "tick"), Event(60000, 22050, SPEECH, "b")]  # fmt: skip
    ducked = duck(small_timeline(mini, events, 90000), clips)
    words, on, off, other = (e.gain for e in ducked.events)
    ceiling = 10 ** (-3.1 / 20)
    assert (on, off, other) == (1.0, 1.0, 1.0)  # both ticks at full level, the line with no tick on it too
    # no more than the tick needs: at worst both peaks coincide; here they do not quite, and the sum reaches the ceiling
    worst = (ceiling - true_peak(tick.astype(np.float64))) / true_peak(speech.astype(np.float64))
    assert worst < words < 0.9
    mixed = render_all(ducked, clips).astype(np.float64) / 32768
    assert -3.1 - 0.3 <= 20 * np.log10(true_peak(mixed[:25000])) <= -3.1 + 0.05  # at the ceiling, with the tick on it
    assert np.allclose(mixed[30000 : 30000 + len(tick)], tick, atol=1 / 32768)  # the tick alone: its full level


def test_a_sound_louder_than_the_words_may_give_way_is_turned_down_too(mini):
    from coach.session import SPEECH_DIP_DB, duck
    from coach.speech.level import true_peak

    t = np.arange(22050) / 22050
    speech = (0.7 * np.sin(2 * np.pi * 200 * t)).astype(np.float32)
    loud = (0.5 * np.sin(2 * np.pi * 1000 * t[:2205])).astype(np.float32)  # a sound at -6 dBFS on the words
    clips = {(SPEECH, "a"): speech, (SOUND, "loud"): loud}
    ducked = duck(small_timeline(mini, [Event(0, 22050, SPEECH, "a"), Event(5000, 2205, SOUND, "loud")], 22050), clips)
    words, sound = (e.gain for e in ducked.events)
    assert words == math.floor(10 ** (-SPEECH_DIP_DB / 20) * 10_000) / 10_000  # the most the words give way
    assert 0.5 < sound < 0.9
    mixed = render_all(ducked, clips).astype(np.float64) / 32768
    assert 20 * np.log10(true_peak(mixed)) <= -3.1 + 0.05
