"""Speech: the cache (keys, atomic writes, damaged entries), trimming and voice checks, with a fake engine."""

from __future__ import annotations

import numpy as np
import pytest

from coach.errors import SpeechError
from coach.speech.cache import SpeechCache, synthesize_all, trim


def test_each_phrase_is_synthesized_once_and_then_read_from_the_cache(tmp_path, fake_engine):
    cache = SpeechCache(tmp_path / "c")
    clips = synthesize_all(["One.", "Two.", "One."], fake_engine, cache, "fake/one", 145)
    assert fake_engine.spoken == ["One.", "Two."]
    assert [len(clips[t]) for t in ("One.", "Two.")] == [400, 400]
    again = synthesize_all(["Two.", "One."], fake_engine, cache, "fake/one", 145)
    assert fake_engine.spoken == ["One.", "Two."]  # nothing new synthesized
    assert np.array_equal(again["One."], clips["One."])


def test_cache_key_covers_engine_voice_rate_and_text(tmp_path):
    cache = SpeechCache(tmp_path)
    base = cache.path("e", "v", 145, "Hi.")
    assert base.parent.parent.name == "v2"  # the format version
    assert (
        len(
            {
                base,
                cache.path("f", "v", 145, "Hi."),
                cache.path("e", "w", 145, "Hi."),
                cache.path("e", "v", 146, "Hi."),
                cache.path("e", "v", 145, "Hi!"),
            }
        )
        == 5
    )


def test_cache_writes_leave_no_temporary_files(tmp_path, fake_engine):
    cache = SpeechCache(tmp_path / "c")
    synthesize_all(["A line."], fake_engine, cache, "fake/one", 145)
    files = [p.name for p in (tmp_path / "c").rglob("*") if p.is_file()]
    assert files == [cache.path("fake", "fake/one", 145, "A line.").name]


def test_a_damaged_cache_entry_is_synthesized_again(tmp_path, fake_engine):
    cache = SpeechCache(tmp_path / "c")
    first = synthesize_all(["Again."], fake_engine, cache, "fake/one", 145)
    path = cache.path("fake", "fake/one", 145, "Again.")
    path.write_bytes(path.read_bytes()[:30])  # truncated mid-header
    second = synthesize_all(["Again."], fake_engine, cache, "fake/one", 145)
    assert fake_engine.spoken == ["Again.", "Again."]
    assert np.array_equal(first["Again."], second["Again."])


def test_an_unknown_voice_is_refused_with_a_hint(tmp_path, fake_engine):
    with pytest.raises(SpeechError) as caught:
        synthesize_all(["Hi."], fake_engine, SpeechCache(tmp_path), "nobody", 145)
    assert str(caught.value) == "Unknown voice 'nobody': 'coach voices' lists the voices you can use."


def test_an_unwritable_cache_is_a_clean_error(tmp_path, fake_engine):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(SpeechError, match=r"The speech cache in .*file cannot be written \(Not a directory\)\."):
        synthesize_all(["Hi."], fake_engine, SpeechCache(blocker), "fake/one", 145)


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

        def synthesize(self, text, voice, rate):
            calls.append(text)
            return np.zeros(500, np.int16) if len(calls) < 3 or text == "Never." else np.full(300, 9000, np.int16)

    clips = synthesize_all(["Now."], Flaky(), SpeechCache(tmp_path), "fake/one", 145)
    assert calls == ["Now."] * 3
    assert len(clips["Now."]) == 300
    with pytest.raises(SpeechError) as caught:
        synthesize_all(["Never."], Flaky(), SpeechCache(tmp_path), "fake/one", 145)
    assert str(caught.value) == "The speech engine gave silence for 'Never.', 3 times."
    assert calls[3:] == ["Never."] * 3
