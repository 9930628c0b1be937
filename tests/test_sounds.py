"""The metronome sounds: gentle on headphones and quieter than the voice."""

from __future__ import annotations

import numpy as np
import pytest

from coach.session import load_sounds

SOUNDS = [("tick", 0.18), ("accent", 0.25), ("rise", 0.08), ("fall", 0.07), ("chime", 0.22), ("lead-in", 0.003)]


@pytest.mark.parametrize(("name", "peak"), SOUNDS)
def test_soft_attack_no_hard_edges_and_quiet(name, peak):
    sound = load_sounds()[name]
    assert sound[0] == 0.0 and sound[-1] == 0.0  # starts and ends in silence
    assert np.max(np.abs(sound[:22])) < 0.25 * peak  # a soft attack: a quarter of the peak at most after 1 ms
    assert np.max(np.abs(np.diff(sound))) < 0.1  # no step anywhere: nothing clicks
    assert abs(float(np.max(np.abs(sound))) - peak) < peak / 100  # well under the voice, which peaks near 0.8


def pitch(sound: np.ndarray, at: float, span: float = 0.06) -> float:
    """The main frequency, in Hz, of `span` seconds of a sound from `at` seconds."""
    start = int(at * 22050)
    window = sound[start : start + int(span * 22050)] * np.hanning(int(span * 22050))
    spectrum = np.abs(np.fft.rfft(window, 1 << 16))
    return float(np.argmax(spectrum) * 22050 / (1 << 16))


def test_the_slide_sound_rises_and_the_release_sound_falls():
    sounds = load_sounds()
    rise, fall = sounds["rise"], sounds["fall"]
    assert pitch(rise, 0.03) == pytest.approx(540, abs=15) and pitch(rise, 0.36) == pytest.approx(698, abs=10)
    assert pitch(fall, 0.04) == pytest.approx(548, abs=12) and pitch(fall, 0.42) == pytest.approx(392, abs=10)
    # held tones, unlike the struck tick and accent: still above half their peak a third of a second in
    for name in ("rise", "fall"):
        sound = sounds[name]
        assert np.max(np.abs(sound[int(0.3 * 22050) : int(0.33 * 22050)])) > 0.5 * np.max(np.abs(sound))
    for name in ("tick", "accent"):
        sound = sounds[name]
        assert np.max(np.abs(sound[int(0.1 * 22050) :])) < 0.2 * np.max(np.abs(sound))
