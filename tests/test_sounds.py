"""The metronome sounds: gentle on headphones and quieter than the voice."""

from __future__ import annotations

import numpy as np
import pytest

from coach.session import load_sounds


@pytest.mark.parametrize(("name", "peak"), [("tick", 0.18), ("accent", 0.25), ("chime", 0.22), ("lead-in", 0.003)])
def test_soft_attack_no_hard_edges_and_quiet(name, peak):
    sound = load_sounds()[name]
    assert sound[0] == 0.0 and sound[-1] == 0.0  # starts and ends in silence
    assert np.max(np.abs(sound[:22])) < 0.25 * peak  # a soft attack: a quarter of the peak at most after 1 ms
    assert np.max(np.abs(np.diff(sound))) < 0.1  # no step anywhere: nothing clicks
    assert abs(float(np.max(np.abs(sound))) - peak) < peak / 100  # well under the voice, which peaks near 0.8
