"""Playback in real time through a private, paced sound server (tests/sound_server.py): what a listener hears."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile
from sound_server import RATE, Positions, Recorder, account, measure_grids, private_pulse, skip_without_pulseaudio

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


# -- a whole short session, in real time, controlled from the bus -----------------------------------------------

ARGS = ["mini", "--side", "both", "--strokes", "3", "--no-log"]
# (seconds after the session is first seen playing, playerctl command): a pause in the first words, one inside the
# right side's strokes, a skip and a step back; the left side's strokes and the end play through
ACTIONS = [(3.0, "play-pause"), (4.5, "play-pause"), (16.5, "play-pause"), (17.5, "play-pause"), (26.0, "next"),
           (29.0, "previous")]  # fmt: skip


def noise_cache(home: Path, texts: list[str]) -> dict[str, np.ndarray]:
    """Every text's speech in the cache as noise (100 samples a letter), under the default engine and voice at the
    default pace and the beat words' pace, so each stretch of a session is unique and nothing is synthesized."""
    from coach.defaults import DEFAULT_ENGINE, DEFAULT_PACE, DEFAULT_VOICES
    from coach.speech.cache import BEAT_PACE, SpeechCache
    from coach.speech.factory import EngineSpec

    rng = np.random.default_rng(15)
    made = {text: rng.integers(-9000, 9000, 100 * len(text)).astype(np.int16) for text in dict.fromkeys(texts)}
    spec = EngineSpec(DEFAULT_ENGINE, home / "cache", home / "no-voices")
    cache, voice = SpeechCache(home / "cache"), spec.voice_key(DEFAULT_VOICES[DEFAULT_ENGINE])
    for text, pcm in made.items():
        for pace in (DEFAULT_PACE, DEFAULT_PACE * BEAT_PACE):
            cache.put(spec.name, voice, pace, text, pcm, RATE)
    return made


def frames(stereo: np.ndarray) -> np.ndarray:
    """Stereo 16-bit samples (n, 2) as one int32 a frame (left and right side by side, as the recorder gives them):
    equal frames are equal numbers."""
    return np.ascontiguousarray(stereo, dtype="<i2").view("<i4").ravel()


def channels_of(packed: np.ndarray) -> np.ndarray:
    """The frames as (n, 2) 16-bit samples again."""
    return np.ascontiguousarray(packed, dtype="<i4").view("<i2").reshape(-1, 2)


@pytest.fixture(scope="module")
def paced(tmp_path_factory):
    """mini, both sides, 3 strokes (48 s), exported to WAV in stereo (the default), then played live (in stereo,
    the default) in real time through a private stereo PulseAudio while playerctl presses its buttons and a client
    reads the position as a media widget does. Frames are compared whole: left and right together."""
    from conftest import MINI
    from desktop_bus import PositionLog, private_bus

    from coach.audio import centred
    from coach.desktop.mpris import BUS_NAME
    from coach.kinds import Side
    from coach.live import PROMPT_TEXTS, prompt_clips
    from coach.routine import parse_routine
    from coach.script import Options, build_script

    if shutil.which("playerctl") is None:
        pytest.skip("playerctl is not installed (Debian's playerctl package; make installs it)")
    skip_without_pulseaudio()
    home = tmp_path_factory.mktemp("paced")
    (home / "config" / "routines").mkdir(parents=True)
    (home / "config" / "routines" / "mini.toml").write_text(MINI)
    script = build_script(parse_routine(MINI, "mini.toml", "mini"), Options(side=Side.BOTH, strokes=3))
    speech = noise_cache(home, [*script.texts(), *PROMPT_TEXTS])
    env = {**os.environ, "COACH_CACHE_DIR": str(home / "cache"), "COACH_CONFIG_DIR": str(home / "config")}
    coach = [sys.executable, "-m", "coach", *ARGS]
    made = subprocess.run([*coach, "-o", str(home / "export.wav")], env=env, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    stereo = soundfile.read(home / "export.wav", dtype="int16")[0]
    assert stereo.shape[1] == 2
    export = frames(stereo)
    timeline = json.loads(subprocess.run([*coach, "--script", "--json"], env=env, capture_output=True, text=True,
                                         check=True).stdout)  # fmt: skip
    mono = prompt_clips({text: speech[text].astype(np.float32) / 32768 for text in PROMPT_TEXTS}, RATE)
    prompts = {name: frames(centred(pcm, 2)) for name, pcm in mono.items()}  # a prompt is heard in the centre

    with private_bus() as bus, private_pulse(home / "pulse", channels=2) as pulse:
        recorder = Recorder(pulse, channels=2)
        live_env = {**env, **pulse.env(), "DBUS_SESSION_BUS_ADDRESS": bus}
        player = subprocess.Popen(coach, env=live_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        log = PositionLog(bus, BUS_NAME, RATE)
        deadline = time.monotonic() + 30
        while not any(status == "Playing" for _, status, _ in log.entries):
            assert time.monotonic() < deadline and player.poll() is None, player.communicate()
            time.sleep(0.005)
        begun = time.monotonic()
        control = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": bus}
        for at, command in ACTIONS:
            time.sleep(max(0.0, begun + at - time.monotonic()))
            done = subprocess.run(["playerctl", "-p", "coach", command], env=control, capture_output=True, text=True)
            assert (done.returncode, done.stderr) == (0, "")
        out, err = player.communicate(timeout=120)
        time.sleep(0.3)  # the recorder's last chunks
        entries = log.stop()
        heard, times = recorder.stop()
    assert (player.returncode, out) == (0, ""), err
    assert err.endswith("Session complete.\n"), err
    return {"heard": heard, "times": times, "log": entries, "export": export, "prompts": prompts,
            "timeline": timeline}  # fmt: skip


@pytest.fixture(scope="module")
def accounted(paced):
    """The recording accounted for: pieces of the session, the prompts, and anything else."""
    positions = Positions(paced["log"])
    pieces, prompts, unknown = account(
        paced["heard"], paced["export"], paced["prompts"], lambda at: positions.at(paced["times"][at])
    )
    return pieces, prompts, unknown, positions


def first_sound(export: np.ndarray, at: int) -> int:
    return at + int(np.flatnonzero(export[at:])[0])


@pytest.mark.realtime
def test_what_was_heard_is_the_export_apart_from_the_pauses(paced, accounted):
    """Every sound recorded is the session, sample for sample, or a prompt; the session comes in pieces only where
    it was paused, skipped or sent back."""
    pieces, prompts, unknown, _ = accounted
    export, timeline = paced["export"], paced["timeline"]
    assert unknown == []
    assert [(name, n) for _, name, n in prompts] == [
        ("paused", len(paced["prompts"]["paused"])), ("countdown", len(paced["prompts"]["countdown"])),
    ] * 2  # fmt: skip
    phase = {p["title"]: round(p["start"] * RATE) for p in timeline["phases"]}
    paused_at = [now[2] for before, now in itertools.pairwise(paced["log"]) if now[1] == "Paused" != before[1]]
    # where each piece begins: the session's first sound; after each pause, the first sound from where it was
    # paused; after Next, the phase after; after Previous, the phase before the one it was in
    assert [p.start for p in pieces] == [
        first_sound(export, 0),
        first_sound(export, paused_at[0]),
        first_sound(export, paused_at[1]),
        first_sound(export, phase["Switch"]),
        first_sound(export, phase["Work, right"]),
    ]
    assert pieces[-1].start + pieces[-1].length == len(export)  # and it played to the end
    # in stereo: the right side's strokes louder on the right, the left side's on the left, in what was heard
    heard = channels_of(paced["heard"]).astype(np.float64)
    for title, way in (("Work, right", 1), ("Work, left", -1)):
        piece = next(p for p in pieces if p.start <= phase[title] < p.start + p.length)
        at = piece.at + phase[title] - piece.start
        span = heard[at : at + 5 * RATE]
        assert way * 20 * np.log10(np.sqrt(np.mean(span[:, 1] ** 2)) / np.sqrt(np.mean(span[:, 0] ** 2))) > 1
    # the pieces and prompts in the order they were heard
    order = sorted([(p.at, "piece") for p in pieces] + [(at, name) for at, name, _ in prompts])
    assert [what for _, what in order] == ["piece", "paused", "countdown", "piece", "paused", "countdown", "piece",
                                           "piece", "piece"]  # fmt: skip


@pytest.mark.realtime
def test_every_beat_is_on_time_and_the_position_follows_the_audio(paced, accounted):
    """Within each stretch of playing, beat to beat as the timeline has it; and the position the player shows (as
    a media widget reads it) at the moment each beat was heard is that beat's."""
    pieces, _, _, positions = accounted
    both = channels_of(paced["heard"]).astype(np.int32).sum(axis=1)  # each beat's sound in both ears together
    grids = measure_grids(paced["timeline"], both, paced["times"], pieces, positions)
    # each side: a count-in and 3 strokes of 3 beats (press 1, slide 2); the right side's grid was heard in three
    # pieces (a pause in it, then Previous played it again), the left side's whole
    assert [(g.title, g.beats) for g in grids] == [("Work, right", 10), ("Work, left", 10)]
    assert grids[1].heard == 10 and grids[0].heard >= 10
    exact = [ms for g in grids for ms in g.exact]
    detected = [ms for g in grids for ms in g.detected]
    late = [ms for g in grids for ms in g.late]
    assert len(exact) >= 15 and max(exact) <= 2.0, exact
    assert len(detected) >= 5 and max(detected) <= 2.0, detected
    assert len(late) >= 20 and max(abs(ms) for ms in late) <= 50.0, late
