"""Speech: the cache (keys, atomic writes, damaged entries), trimming, voice checks, the beat words' pace, and
loudness, with a fake engine; Piper's voice files and their digests with small stand-in files."""

from __future__ import annotations

import hashlib
import json
import math

import numpy as np
import pytest
from conftest import FakeEngine, FakeEngines, fake_speaker

from coach.defaults import DEFAULT_VOICE
from coach.errors import SpeechError
from coach.speech.cache import BEAT_PACE, Speaker, SpeechCache, synthesize_all, trim
from coach.speech.level import TARGET_LUFS


def test_each_phrase_is_synthesized_once_and_then_read_from_the_cache(tmp_path, fake_engine):
    clips = synthesize_all(["One.", "Two.", "One."], fake_speaker(fake_engine, tmp_path / "c"))
    assert fake_engine.spoken == ["One.", "Two."]
    assert [len(clips[t]) for t in ("One.", "Two.")] == [400, 400]
    factory = FakeEngines(FakeEngine())
    again = synthesize_all(["Two.", "One."], Speaker(factory, "fake/one", 1.0, SpeechCache(tmp_path / "c")))
    assert factory.built == [] and factory.engine.spoken == []  # all cached: no engine was even built
    assert np.array_equal(again["One."], clips["One."])


def test_cache_key_covers_engine_voice_pace_loudness_and_text(tmp_path, monkeypatch):
    import coach.speech.cache

    cache = SpeechCache(tmp_path)
    base = cache.path("e", "v", 1.0, "Hi.")
    assert base.parent.parent.name == "v3"  # the format version
    others = {
        cache.path("f", "v", 1.0, "Hi."),
        cache.path("e", "w", 1.0, "Hi."),
        cache.path("e", "v", 1.25, "Hi."),
        cache.path("e", "v", 1.0, "Hi!"),
    }
    monkeypatch.setattr(coach.speech.cache, "LOUDNESS", "bs1770 -16 LUFS, true peak -2 dBTP")
    others.add(cache.path("e", "v", 1.0, "Hi."))
    assert len({base, *others}) == 6


class PaceEngine(FakeEngine):
    """The fake engine, noting the pace of each line."""

    def __init__(self) -> None:
        super().__init__()
        self.paces: list[tuple[str, float]] = []

    def synthesize(self, text: str, voice: str, pace: float) -> np.ndarray:
        self.paces.append((text, pace))
        return super().synthesize(text, voice, pace)


def test_beat_words_are_said_quicker_and_kept_apart_in_the_cache(tmp_path):
    engine = PaceEngine()
    speaker = fake_speaker(engine, tmp_path, pace=0.9)
    synthesize_all(["Stroke 1. Press.", "Lie down."], speaker, beat={"Stroke 1. Press."})
    assert engine.paces == [("Stroke 1. Press.", round(0.9 * BEAT_PACE, 4)), ("Lie down.", 0.9)]
    assert BEAT_PACE == 1.25
    assert speaker.path("Stroke 1. Press.", beat=True) == SpeechCache(tmp_path).path(
        "fake", "fake/one", 1.125, "Stroke 1. Press."
    )
    synthesize_all(["Stroke 1. Press."], speaker)  # the same words off the beat are another clip
    assert engine.paces[-1] == ("Stroke 1. Press.", 0.9)


def test_a_different_voice_pace_or_engine_never_gets_anothers_audio(tmp_path):
    class Named(FakeEngine):
        name = "other"

    made = []
    for engine, voice, pace in [(FakeEngine(), "fake/one", 1.0), (FakeEngine(), DEFAULT_VOICE, 1.0),
                                (FakeEngine(), "fake/one", 1.1), (Named(), "fake/one", 1.0)]:  # fmt: skip
        synthesize_all(["Slide."], fake_speaker(engine, tmp_path, voice, pace))
        made.append(engine.spoken)
    assert made == [["Slide."]] * 4  # each one synthesized it: none found another's in the cache
    assert len(list(tmp_path.rglob("*.pcm"))) == 4


def test_clips_are_normalized_when_they_are_made(tmp_path):
    from coach.speech.level import loudness, true_peak

    class Tone(FakeEngine):
        def synthesize(self, text, voice, pace):
            t = np.arange(22050) / 22050
            return (3000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16)

    clip = synthesize_all(["Hum."], fake_speaker(Tone(), tmp_path))["Hum."].astype(np.float64)
    assert abs(loudness(clip, 22050) - TARGET_LUFS) < 0.1
    assert 20 * math.log10(true_peak(clip)) <= -3.0


def test_cache_writes_leave_no_temporary_files(tmp_path, fake_engine):
    cache = SpeechCache(tmp_path / "c")
    synthesize_all(["A line."], fake_speaker(fake_engine, cache.directory, "fake/one"))
    files = [p.name for p in (tmp_path / "c").rglob("*") if p.is_file()]
    assert files == [cache.path("fake", "fake/one", 1.0, "A line.").name]


def test_a_damaged_cache_entry_is_synthesized_again(tmp_path, fake_engine):
    cache = SpeechCache(tmp_path / "c")
    first = synthesize_all(["Again."], fake_speaker(fake_engine, cache.directory, "fake/one"))
    path = cache.path("fake", "fake/one", 1.0, "Again.")
    path.write_bytes(path.read_bytes()[:30])  # truncated mid-header
    second = synthesize_all(["Again."], fake_speaker(fake_engine, cache.directory, "fake/one"))
    assert fake_engine.spoken == ["Again.", "Again."]
    assert np.array_equal(first["Again."], second["Again."])


def test_an_unknown_voice_is_refused_with_a_hint(tmp_path, fake_engine):
    with pytest.raises(SpeechError) as caught:
        synthesize_all(["Hi."], fake_speaker(fake_engine, tmp_path, "nobody"))
    assert str(caught.value) == "Unknown voice 'nobody': 'coach voices' lists the voices you can use."


def test_an_unwritable_cache_is_a_clean_error(tmp_path, fake_engine):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(SpeechError, match=r"The speech cache in .*file cannot be written: not a directory\."):
        synthesize_all(["Hi."], fake_speaker(fake_engine, blocker, "fake/one"))


def test_trim_cuts_quiet_edges_keeps_10_ms_and_fades():
    pcm = np.zeros(2000, dtype=np.int16)
    pcm[500:1500] = 10000
    out = trim(pcm, 22050)
    assert len(out) == 1000 + 2 * 220  # 10 ms of quiet kept each side
    assert out[0] == 0 and out[-1] == 0
    assert out[220:1220].tolist() == [10000] * 1000
    assert trim(np.zeros(50, dtype=np.int16), 22050).size == 0


def test_silence_from_the_engine_is_retried_then_refused(tmp_path, fake_engine):
    calls = []

    class Flaky:
        name, sample_rate = "flaky", 22050

        def voices(self):
            return fake_engine.voices()

        def synthesize(self, text, voice, pace):
            calls.append(text)
            return np.zeros(500, np.int16) if len(calls) < 3 or text == "Never." else np.full(300, 9000, np.int16)

    clips = synthesize_all(["Now."], fake_speaker(Flaky(), tmp_path, "fake/one"))
    assert calls == ["Now."] * 3
    assert len(clips["Now."]) == 300
    with pytest.raises(SpeechError) as caught:
        synthesize_all(["Never."], fake_speaker(Flaky(), tmp_path, "fake/one"))
    assert str(caught.value) == "The speech engine says nothing for 'Never.' (3 tries)."
    assert calls[3:] == ["Never."] * 3


# -- loudness -----------------------------------------------------------------------------------------------------


def test_normalize_reaches_the_target_and_keeps_peaks_under_the_ceiling():
    from coach.speech.level import level, loudness, normalize, true_peak

    rng = np.random.default_rng(8_000_000)
    bursts = rng.standard_normal(3 * 22050) * np.repeat(rng.uniform(0.01, 0.4, 30), 2205)  # uneven, peaky
    pcm = np.rint(np.clip(bursts, -1, 1) * 8000).astype(np.int16)
    pcm[::5000] = 30000  # a few sharp peaks, far above the rest
    out = normalize(pcm, 22050)
    x = out / 32768.0
    assert out.dtype == np.int16 and len(out) == len(pcm)
    assert abs(loudness(x, 22050) - TARGET_LUFS) < 0.1
    assert 20 * math.log10(true_peak(x)) <= -3.0
    levelled = level(pcm / 32768.0, 22050)
    assert levelled.limiting.min() < 0.5  # the limiter had work to do on those peaks
    assert levelled.limiting.max() <= 1.0 + 1e-9


def test_a_short_clip_is_measured_as_itself_and_silence_is_left_alone():
    from coach.speech.level import loudness, normalize

    t = np.arange(int(0.25 * 22050)) / 22050
    tone = (0.1 * np.sin(2 * np.pi * 440 * t) * 32767).astype(np.int16)
    long_tone = (0.1 * np.sin(2 * np.pi * 440 * np.arange(2 * 22050) / 22050) * 32767).astype(np.int16)
    assert abs(loudness(tone / 32768.0, 22050) - loudness(long_tone / 32768.0, 22050)) < 0.2
    assert abs(loudness(normalize(tone, 22050) / 32768.0, 22050) - TARGET_LUFS) < 0.1
    silence = np.zeros(1000, np.int16)
    assert np.array_equal(normalize(silence, 22050), silence)


def test_the_limiter_never_passes_its_ceiling_and_its_filters_match_plain_loops():
    from coach.speech.level import _moving_mean, _sliding_min, limit_peaks, true_peak

    rng = np.random.default_rng(8_000_001)
    x = rng.standard_normal(22050) * 0.3
    y = limit_peaks(x, 22050, -6.0)
    assert 20 * math.log10(true_peak(y)) <= -6.0 + 0.05 and len(y) == len(x)
    a = rng.uniform(0, 1, 300)
    padded = np.pad(a, (7, 7), mode="edge")
    assert np.allclose(_sliding_min(a, 7), [padded[i : i + 15].min() for i in range(300)])
    assert np.allclose(_moving_mean(a, 7), [padded[i : i + 15].mean() for i in range(300)])


def test_a_16_khz_voice_is_resampled_to_the_session_rate():
    from coach.audio import resample

    t = np.arange(16000) / 16000
    out = resample((0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32), 16000, 22050)
    assert out.dtype == np.float32 and len(out) == 22050
    expected = 0.5 * np.sin(2 * np.pi * 1000 * np.arange(22050) / 22050)
    assert np.max(np.abs(out[100:-100] - expected[100:-100])) < 0.01


# -- engines by kind, and Piper's voice files ---------------------------------------------------------------------


def test_the_engines_by_kind(tmp_path):
    from coach.speech.espeak import rate_for
    from coach.speech.factory import EngineSpec

    assert [EngineSpec(kind, tmp_path, tmp_path).name for kind in ("piper", "espeak")] == ["piper", "pyttsx3-espeak"]
    assert EngineSpec("espeak", tmp_path, tmp_path).voice_key("gmw/en-us") == "gmw/en-us"
    with pytest.raises(SpeechError) as caught:
        EngineSpec("festival", tmp_path, tmp_path).build()
    assert str(caught.value) == "Unknown speech engine 'festival': choose piper, espeak."
    # espeak-ng's rate setting for a pace: 1.0 is about 143 words a minute, beat words at 1.25 x pace
    assert [rate_for(p) for p in (0.9, 1.0, 1.1, 1.25)] == [108, 120, 132, 150]


def stand_in_voice(folder, name="mine", model=b"not really a model", config=None):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.onnx").write_bytes(model)
    if config is not False:
        (folder / f"{name}.onnx.json").write_text(json.dumps(config or {"audio": {"sample_rate": 22050}}))
    return folder / f"{name}.onnx"


def test_a_piper_voice_is_named_in_the_cache_by_its_files_digest(tmp_path):
    from coach.speech.factory import EngineSpec

    model = stand_in_voice(tmp_path / "voices")
    spec = EngineSpec("piper", tmp_path / "cache", tmp_path / "voices")
    expected = hashlib.sha256(model.read_bytes() + model.with_name("mine.onnx.json").read_bytes()).hexdigest()
    assert spec.voice_key("mine") == spec.voice_key(str(model)) == f"sha256:{expected}"
    memo = json.loads((tmp_path / "cache" / "voices.json").read_text())
    assert list(memo.values()) == [expected]
    # the memo, keyed by paths, sizes and times, spares hashing the model again: a stale value shows it is used
    (tmp_path / "cache" / "voices.json").write_text(json.dumps({key: "0" * 64 for key in memo}))
    assert spec.voice_key("mine") == "sha256:" + "0" * 64
    model.write_bytes(b"another model, new")  # a changed file is hashed again
    assert (
        spec.voice_key("mine")
        == "sha256:" + hashlib.sha256(model.read_bytes() + model.with_name("mine.onnx.json").read_bytes()).hexdigest()
    )


@pytest.mark.parametrize(
    ("voice", "expected"),
    [
        ("nobody", "Unknown voice 'nobody': 'coach voices' lists the voices you can use."),
        ("{tmp}/gone.onnx", "The Piper voice {tmp}/gone.onnx does not exist."),
        ("{tmp}/voices/alone.onnx",
         "The Piper voice {tmp}/voices/alone.onnx has no alone.onnx.json beside it (Piper voices come as two files)."),
    ],
)  # fmt: skip
def test_a_missing_piper_voice_is_one_sentence(tmp_path, voice, expected):
    from coach.speech.factory import EngineSpec

    stand_in_voice(tmp_path / "voices", "alone", config=False)
    with pytest.raises(SpeechError) as caught:
        EngineSpec("piper", tmp_path, tmp_path / "voices").voice_key(voice.format(tmp=tmp_path))
    assert str(caught.value) == expected.format(tmp=tmp_path)


def test_leaving_waits_for_the_line_being_made_however_long_and_makes_no_other():
    """The process must not end while the engine runs in the speech thread: with Piper, leaving during a line
    (an error, Ctrl-C) once the 5 s wait there used to allow had passed crashed the process (SIGSEGV or SIGABRT),
    seen on a loaded machine. A Ctrl-C during the wait comes out once the line is done."""
    import signal
    import threading
    import time

    from coach.speech.ahead import Ahead

    started, release = threading.Event(), threading.Event()

    class Slow:
        def clip(self, text: str, beat: bool) -> np.ndarray:
            started.set()
            assert release.wait(60)
            return np.full(3, len(text), dtype=np.float32)

    ahead = Ahead(Slow(), [("first", False), ("second", False)]).start()
    assert started.wait(60)

    def meanwhile() -> None:  # a Ctrl-C as it waits; the line done only after the old limit
        time.sleep(0.3)
        signal.raise_signal(signal.SIGINT)
        time.sleep(6.0)
        release.set()

    threading.Thread(target=meanwhile).start()
    with pytest.raises(KeyboardInterrupt):
        ahead.close()
    assert release.is_set()  # it returned only once the line was made
    assert list(ahead.take()) == ["first"]  # and no other line was begun
