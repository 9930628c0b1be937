"""End to end through the real parts: espeak-ng via pyttsx3, libsndfile's WAV and MP3 encoders, simpleaudio
into ALSA. No sound card is needed: live playback goes to ALSA's file plugin over its null device."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile
from click.testing import CliRunner

from coach.cli import cli
from coach.session import load_sounds

pytestmark = pytest.mark.e2e

ARGS = ["psoas", "--side", "right", "--strokes", "6"]
RATE = 22050
MS = RATE // 1000  # samples in a millisecond (22)


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """One real session: its JSON timeline, WAV and MP3, all made through the CLI with a shared speech cache."""
    root = tmp_path_factory.mktemp("real")
    env = {
        "COACH_CACHE_DIR": str(root / "cache"),
        "COACH_CONFIG_DIR": str(root / "config"),
        "COACH_DATA_DIR": str(root / "data"),
    }
    runner = CliRunner()
    made = {}
    for name, extra in [
        ("json", ["--script", "--json"]),
        ("wav", ["-o", str(root / "s.wav")]),
        ("mp3", ["-o", str(root / "s.mp3")]),
    ]:
        result = runner.invoke(cli, [*ARGS, *extra], env=env, prog_name="coach")
        assert result.exit_code == 0, result.output
        made[name] = result
    return {
        "root": root,
        "env": env,
        "timeline": json.loads(made["json"].stdout),
        "wav": soundfile.read(root / "s.wav", dtype="float32")[0],
        "mp3": soundfile.read(root / "s.mp3", dtype="float32")[0],
    }


def best_lag(audio: np.ndarray, template: np.ndarray, expected: int, reach: int = 20 * MS) -> int:
    """Where `template` sits in `audio` near `expected`, as an offset in samples: the shift with the highest
    normalized correlation, which louder speech at the same time does not pull off the mark."""
    lo = max(0, expected - reach)
    window = audio[lo : expected + reach + len(template)].astype(np.float64)
    energy = np.sqrt(np.convolve(window**2, np.ones(len(template)), mode="valid")) + 1e-12
    score = np.correlate(window, template.astype(np.float64), mode="valid") / energy
    return int(np.argmax(score)) + lo - expected


def test_the_wav_is_as_long_as_the_timeline(real):
    assert abs(len(real["wav"]) / RATE - real["timeline"]["duration"]) < 1e-5
    assert real["timeline"]["sample_rate"] == RATE


def clear_of_speech(timeline: dict) -> list[dict]:
    """The metronome sounds with no words within 20 ms of them: there, their onsets can be found in the audio."""
    speech = [
        (e["start"] - 0.02, e["start"] + e["duration"] + 0.02) for e in timeline["events"] if e["kind"] == "speech"
    ]
    return [
        e
        for e in timeline["events"]
        if e["kind"] == "sound"
        and e["sound"] != "lead-in"
        and not any(a < e["start"] + e["duration"] and e["start"] < b for a, b in speech)
    ]


def test_metronome_onsets_in_the_wav_match_the_json_within_1_ms(real):
    sounds = load_sounds()
    events = [e for e in real["timeline"]["events"] if e["kind"] == "sound"]
    assert sum(e["sound"] == "accent" for e in events) == 6
    clear = clear_of_speech(real["timeline"])
    assert len(clear) >= 20 and {e["sound"] for e in clear} == {"tick", "chime"}
    for event in clear:
        lag = best_lag(real["wav"], sounds[event["sound"]], round(event["start"] * RATE))
        assert abs(lag) <= MS, (event, lag)


def test_the_wav_is_exactly_the_json_events_summed(real):
    """Every event, words included, put where the JSON says: the sum is the WAV, to the last bit of rounding."""
    from coach.speech.cache import SpeechCache

    cache = SpeechCache(Path(real["env"]["COACH_CACHE_DIR"]))
    sounds = load_sounds()
    rebuilt = np.zeros(len(real["wav"]), dtype=np.float64)
    for event in real["timeline"]["events"]:
        if event["kind"] == "speech":
            clip = cache.get("pyttsx3-espeak", "gmw/en-us", 145, event["text"], RATE).astype(np.float64) / 32768
        else:
            clip = sounds[event["sound"]].astype(np.float64)
        at = round(event["start"] * RATE)
        assert len(clip) == round(event["duration"] * RATE)
        rebuilt[at : at + len(clip)] += clip
    assert np.max(np.abs(rebuilt - real["wav"])) <= 1 / 32768


def test_speech_sounds_where_the_json_says_and_quiet_is_silent(real):
    audio, timeline = real["wav"], real["timeline"]
    speech = [e for e in timeline["events"] if e["kind"] == "speech"]
    assert speech[0]["text"] == "Welcome. This session works the psoas on your right side."
    for event in speech:
        a, b = round(event["start"] * RATE), round((event["start"] + event["duration"]) * RATE)
        assert np.sqrt(np.mean(audio[a:b] ** 2)) > 0.02, event["text"]
    busy = np.zeros(len(audio), dtype=bool)
    for event in timeline["events"]:
        busy[round(event["start"] * RATE) : round((event["start"] + event["duration"]) * RATE)] = True
    lead_in = timeline["events"][0]
    assert (lead_in["start"], lead_in["duration"], lead_in["sound"]) == (0.0, 2.0, "lead-in")
    assert speech[0]["start"] == 2.0  # the first words come after the near-silent lead-in
    assert 0 < np.max(np.abs(audio[: 2 * RATE])) <= 0.0031
    assert np.all(audio[~busy] == 0.0)


def test_speech_is_louder_than_the_metronome(real):
    assert float(np.max(np.abs(real["wav"]))) > 0.5
    assert all(float(np.max(np.abs(s))) <= 0.25 for s in load_sounds().values())


def test_the_mp3_decodes_to_the_timelines_length_and_onsets(real):
    mp3, wav = real["mp3"], real["wav"]
    assert len(mp3) == len(wav)  # the LAME tag trims the encoder's delay and padding exactly
    sounds = load_sounds()
    for event in clear_of_speech(real["timeline"]):
        lag = best_lag(mp3, sounds[event["sound"]], round(event["start"] * RATE))
        assert abs(lag) <= MS, (event, lag)
    # lossy, but the same session: the decoded audio follows the WAV closely
    assert np.corrcoef(mp3[: len(wav)], wav[: len(mp3)])[0, 1] > 0.97


def test_live_playback_plays_exactly_the_exported_samples(real, tmp_path):
    capture = tmp_path / "capture.raw"
    (tmp_path / ".asoundrc").write_text(
        f'pcm.!default {{\n  type file\n  slave.pcm "null"\n  file "{capture}"\n  format "raw"\n  truncate false\n}}\n'
    )
    env = {**os.environ, **real["env"], "HOME": str(tmp_path)}
    # --no-log: a logged live session opens with where the user stands in the program, which the file has not
    done = subprocess.run(
        [sys.executable, "-m", "coach", *ARGS, "--no-log"], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.endswith("Session complete.\n")
    # each segment opens the device once; the file plugin numbers every file after the first
    parts = sorted(tmp_path.glob("capture.raw*"), key=lambda p: (len(p.name), p.name))
    assert len(parts) > 1
    played = np.concatenate([np.fromfile(p, dtype="<i2") for p in parts])
    exported = soundfile.read(real["root"] / "s.wav", dtype="int16")[0]
    assert len(played) == len(exported)
    assert np.array_equal(played, exported)


def test_voices_lists_the_engines_voices_and_marks_the_default():
    result = CliRunner().invoke(cli, ["voices"])
    lines = result.stdout.splitlines()
    assert "* gmw/en-us               English (America)" in lines
    assert "  gmw/en                  English (Great Britain)" in lines
    assert lines[-1] == "(* the default voice)"
    assert len(lines) > 100


def test_an_unknown_voice_is_one_clean_sentence():
    result = CliRunner().invoke(cli, [*ARGS, "--voice", "nobody", "--script"], prog_name="coach")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: Unknown voice 'nobody': 'coach voices' lists the voices you can use.\n",
    )


def test_real_speech_is_trimmed_and_cached_once(tmp_path):
    from coach.speech.cache import SpeechCache, synthesize_all
    from coach.speech.espeak import Pyttsx3Engine

    engine = Pyttsx3Engine(tmp_path / "scratch")
    cache = SpeechCache(tmp_path / "cache")
    clip = synthesize_all(["Press."], engine, cache, "gmw/en-us", 145)["Press."]
    assert 0.3 < len(clip) / RATE < 1.0
    assert clip[0] == 0.0 and clip[-1] == 0.0
    assert np.max(np.abs(clip[: 10 * MS])) < 0.01  # 10 ms of quiet kept before the first sound
    assert len(list((tmp_path / "cache").rglob("*.pcm"))) == 1
    assert list((tmp_path / "scratch").iterdir()) == []
    again = synthesize_all(["Press."], engine, cache, "gmw/en-us", 145)["Press."]
    assert np.array_equal(clip, again)


FIRST_PHRASE = """
import sys
from pathlib import Path
from coach.speech.espeak import Pyttsx3Engine
engine = Pyttsx3Engine(Path(sys.argv[1]))
text = "Welcome. This session is for you, the person giving the massage, on your partner's right side."
first, second = (len(engine.synthesize(text, "gmw/en-us", 145)) for _ in range(2))
print(first, second)
"""


def test_the_first_phrase_in_a_new_process_is_whole(tmp_path):
    # espeak-ng runs asynchronously under pyttsx3: the first phrase of a process used to come back empty or cut
    for _ in range(5):
        done = subprocess.run(
            [sys.executable, "-c", FIRST_PHRASE, str(tmp_path)], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        first, second = map(int, done.stdout.split())
        assert abs(first - second) < 0.01 * second, (first, second)
    assert list(tmp_path.iterdir()) == []  # no file left behind by a late write


def documented_lengths():
    """(one side, both sides) ranges in minutes, by routine, from the table in docs/routines.md."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "routines.md").read_text()
    table = text.split("## The shipped routines", 1)[1].split("\n\n", 2)[1]
    ranges = {}
    for row in table.splitlines()[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        spans = [tuple(int(n) for n in cell.removesuffix(" min").split("-")) for cell in cells[3:5]]
        ranges[cells[0].strip("`")] = spans
    return ranges


def test_session_lengths_fall_in_the_ranges_the_docs_state(tmp_path):
    from coach.catalog import builtin_sources
    from coach.kinds import Tempo
    from coach.script import Options
    from coach.session import prepare
    from coach.speech.cache import SpeechCache
    from coach.speech.espeak import Pyttsx3Engine

    ranges = documented_lengths()
    sources = builtin_sources()
    assert sorted(ranges) == sorted(s.name for s in sources)
    engine, cache = Pyttsx3Engine(tmp_path / "scratch"), SpeechCache(tmp_path / "cache")
    for source in sources:
        routine = source.load()
        for tempo in Tempo:
            for side, (low, high) in zip(("right", "both"), ranges[source.name], strict=True):
                session = prepare(routine, Options(side, tempo=tempo), engine, cache, "gmw/en-us", 145)
                minutes = session.timeline.length / RATE / 60
                assert low <= minutes <= high, (source.name, tempo, side, minutes)


LIVE_DRIVER = """
import json, sys
from pathlib import Path
import numpy as np
from coach.catalog import builtin_sources
from coach.live import PROMPT_TEXTS, prompt_clips, run_live
from coach.mixer import render_all
from coach.output.playback import SimpleaudioBackend, segments
from coach.script import Options
from coach.session import prepare
from coach.speech.cache import SpeechCache, synthesize_all
from coach.speech.espeak import Pyttsx3Engine

cache, out = Path(sys.argv[1]), Path(sys.argv[2])
engine = Pyttsx3Engine(cache / "scratch")
routine = next(s for s in builtin_sources() if s.name == "psoas").load()
session = prepare(routine, Options("right", strokes=6), engine, SpeechCache(cache), "gmw/en-us", 145)
prompts = prompt_clips(synthesize_all(PROMPT_TEXTS, engine, SpeechCache(cache), "gmw/en-us", 145), 22050)
timeline = session.timeline


class Clock:
    now = START = 8_000_000.0  # a monotonic clock reads large numbers

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


clock = Clock()


class OnTheClock:
    # the real output; ALSA's null device takes each buffer at once, so "playing" follows the test's clock
    def __init__(self):
        self.real = SimpleaudioBackend()

    def play(self, pcm, rate):
        self.real.play(pcm, rate).wait_done()
        ends = clock.now + len(pcm) / rate

        class Handle:
            def is_playing(self):
                return clock.now < ends

            def stop(self):
                pass

        return Handle()


class Keys:
    def __init__(self, script):
        self.script = sorted(script.items())

    def read(self):
        keys = ""
        while self.script and self.script[0][0] <= clock.now:
            keys += self.script.pop(0)[1]
        return keys


keys = Keys({Clock.START + 5: " ", Clock.START + 9: " "})
outcome = run_live(session, prompts, OnTheClock(), keys, clock, clock.sleep)
first, second = segments(timeline, 0, timeline.length)[:2]
welcome = next(e for e in timeline.events if e.kind == "speech")
expected = np.concatenate([
    render_all(timeline, session.clips, 0, second[1]),
    prompts["paused"],
    prompts["countdown"],
    render_all(timeline, session.clips, welcome.start, timeline.length),
])
expected.astype("<i2").tofile(out)
print(json.dumps({"finished": outcome.finished, "done": outcome.strokes_done, "planned": outcome.strokes_planned,
                  "welcome": welcome.start, "second_end": second[1]}))
"""


def test_pause_and_resume_through_the_real_player(real, tmp_path):
    """Space at 5 s pauses during the first words; space at 9 s counts down; at 12 s those words start again."""
    capture = tmp_path / "capture.raw"
    (tmp_path / ".asoundrc").write_text(
        f'pcm.!default {{\n  type file\n  slave.pcm "null"\n  file "{capture}"\n  format "raw"\n  truncate false\n}}\n'
    )
    env = {**os.environ, **real["env"], "HOME": str(tmp_path)}
    expected = tmp_path / "expected.raw"
    done = subprocess.run(
        [sys.executable, "-c", LIVE_DRIVER, real["env"]["COACH_CACHE_DIR"], str(expected)],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result == {"finished": True, "done": 6, "planned": 6, "welcome": 44100, "second_end": result["second_end"]}
    assert result["second_end"] > 5 * RATE  # two segments had been handed over when the pause came
    parts = sorted(tmp_path.glob("capture.raw*"), key=lambda p: (len(p.name), p.name))
    played = np.concatenate([np.fromfile(p, dtype="<i2") for p in parts])
    assert np.array_equal(played, np.fromfile(expected, dtype="<i2"))
