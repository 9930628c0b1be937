"""Playback in real time through a private, paced sound server (tests/sound_server.py): what a listener hears."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest
from sound_server import RATE, Recorder, private_pulse

pytestmark = pytest.mark.e2e

PLAY_NOISE = """
import sys
import numpy as np
from coach.output.playback import SimpleaudioBackend
noise = np.random.default_rng(7).integers(-8000, 8000, int(sys.argv[1])).astype(np.int16)
lead = np.zeros(441, np.int16)  # 20 ms of quiet: a new stream's first milliseconds are lost on the way
SimpleaudioBackend().play(np.concatenate([lead, noise]), 22050).wait_done()
"""


def test_the_private_sound_server_records_exactly_what_was_played(tmp_path):
    noise = np.random.default_rng(7).integers(-8000, 8000, RATE).astype(np.int16)
    with private_pulse(tmp_path / "pulse") as pulse:
        recorder = Recorder(pulse)
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-c", PLAY_NOISE, str(RATE)], env={**os.environ, **pulse.env()},
                              capture_output=True, text=True, timeout=60)  # fmt: skip
        took = time.monotonic() - started
        time.sleep(0.3)  # the monitor's last chunks
        heard, _ = recorder.stop()
    assert (done.returncode, done.stderr) == (0, "")
    assert took >= 1.0  # a second of audio took a second: the null sink is paced
    loud = np.flatnonzero(heard)
    assert len(loud) and np.array_equal(heard[loud[0] : loud[0] + RATE], noise)
