"""Hostile input and hostile conditions: fuzzed routines, damaged caches, parallel and killed exports, full and
read-only disks. Every case ends in a result or one clean sentence, never a traceback or a partial file.
docs/reliability.md lists these cases and their counts."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile
import tomli_w
from conftest import MINI, fake_speaker, fill_cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coach.catalog import builtin_sources, path_source
from coach.errors import RoutineError
from coach.kinds import Side
from coach.routine import MAX_FILE, Routine, parse_routine
from coach.script import Options, build_script
from coach.speech.cache import SpeechCache, synthesize_all

PSOAS = next(s for s in builtin_sources() if s.name == "psoas").read()
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def routine_or_error(text: str) -> Routine | RoutineError:
    try:
        return parse_routine(text, "fuzz.toml", "fuzz")
    except RoutineError as exc:
        assert str(exc).startswith("fuzz.toml")
        return exc


# -- fuzzing the routine loader ----------------------------------------------------------------------------------


@FUZZ
@given(st.text(max_size=3000))
def test_any_text_gives_a_routine_or_a_routine_error(text):
    routine_or_error(text)


@FUZZ
@given(st.binary(max_size=3000))
def test_any_bytes_in_a_file_give_a_routine_or_a_routine_error(tmp_path, data):
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data)
    try:
        path_source(path).load()
    except RoutineError as exc:
        assert str(exc).startswith(str(path))


KEYS = [
    "title", "description", "source", "strokes", "phases", "switch", "summary", "program", "default", "range",
    "tempo", "bpm", "count", "three_more", "last", "count_in", "full_cues", "check_in", "check_in_every", "steps",
    "name", "beats", "cue", "short", "min_seconds", "lines", "pause", "each_side", "intro", "text", "safety",
    "sound", "breath", "breath_every",
    "slow", "medium", "fast", "one_side", "both_sides", "sessions_per_day", "days", "until", "reminder", "x",
]  # fmt: skip
scalars = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["{side}", "{other}", "{n}", "{bogus}", "{", "Press.", "medium", "", "rise", "accent", "pulse"]),
    st.integers(-5, 200),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6),
    st.booleans(),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)),
    max_leaves=40,
)


@FUZZ
@given(st.dictionaries(st.sampled_from(KEYS), documents, max_size=9))
def test_any_toml_document_gives_a_routine_or_a_routine_error(document):
    routine_or_error(tomli_w.dumps(document))


@FUZZ
@given(st.data())
def test_damaged_shipped_routines_give_a_routine_or_a_routine_error(data):
    lines = PSOAS.splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(lines) - 1))
        change = data.draw(st.sampled_from(["drop", "value", "duplicate", "garble"]))
        if change == "drop":
            del lines[index]
        elif change == "duplicate":
            lines.insert(index, lines[index])
        elif change == "value" and "=" in lines[index]:
            key = lines[index].split("=", 1)[0]
            value = data.draw(st.sampled_from(["0", "99", "true", "[]", "{}", '""', "-1.5"]))
            lines[index] = f"{key}= {value}"
        else:
            lines[index] = data.draw(st.text(max_size=40))
    routine_or_error("\n".join(lines))


# -- hostile routines, within documented limits ---------------------------------------------------------------


def mini_error(text: str) -> str:
    result = routine_or_error(text)
    assert isinstance(result, RoutineError)
    return str(result).replace("fuzz.toml", "mini.toml")


def test_a_huge_text_is_refused():
    message = mini_error(MINI.replace('"Done."', '"' + "Relax. " * 2000 + '"'))
    assert message == "mini.toml, line 54: phases[3].lines[0]: text is too long (13999 characters; at most 400)"


def test_thousands_of_phases_are_refused():
    phase = '\n[[phases]]\ntitle = "More"\nlines = ["More."]\n'
    assert mini_error(MINI + phase * 5000) == "mini.toml, line 28: phases: a routine needs 1 to 20 phases, found 5004"


def test_deep_nesting_is_refused():
    assert mini_error(MINI + "deep = " + "[" * 5000 + "]" * 5000 + "\n") == (
        "mini.toml: not valid TOML: nested too deeply"
    )


def test_a_huge_file_is_refused(tmp_path):
    assert mini_error(MINI + "#" * (MAX_FILE + 1)) == (
        f"mini.toml: too large ({len(MINI) + MAX_FILE + 1} characters; a routine file holds at most {MAX_FILE})"
    )
    path = tmp_path / "big.toml"
    path.write_bytes(b"#" * (4 * MAX_FILE + 1))
    with pytest.raises(RoutineError) as caught:
        path_source(path).load()
    assert str(caught.value) == f"{path}: too large ({4 * MAX_FILE + 1} bytes)"


def test_control_characters_are_refused_and_markup_is_spoken_literally():
    assert mini_error(MINI.replace('"Done."', '"Done.\\u001b[31m"')) == (
        "mini.toml, line 54: phases[3].lines[0]: text holds a control character (U+001B)"
    )
    text = '<speak><prosody rate="x-fast">Done.</prosody></speak> [[h@l@U]]'
    routine = parse_routine(MINI.replace('"Done."', json.dumps(text)), "mini.toml", "mini")
    assert text in build_script(routine, Options(Side.RIGHT)).texts()


def test_routines_cannot_name_files():
    message = mini_error(MINI.replace('title = "Mini"', 'title = "Mini"\nsound = "../../../etc/passwd"'))
    assert message.startswith("mini.toml, line 3: sound: unknown key")


def test_a_folder_is_not_a_routine(tmp_path):
    folder = tmp_path / "odd.toml"
    folder.mkdir()
    with pytest.raises(RoutineError) as caught:
        path_source(folder).load()
    assert str(caught.value) == f"{folder}: is a folder, not a routine file"


# -- the speech cache --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["truncate body", "flip a sample", "flip the checksum", "wrong magic", "empty"])
def test_a_damaged_cache_entry_is_made_again_and_the_audio_equals_a_clean_runs(tmp_path, fake_engine, damage):
    texts = ["Press down and in.", "Slide.", "Release."]
    clean = synthesize_all(texts, fake_speaker(fake_engine, tmp_path / "clean", "fake/one"))
    cache = SpeechCache(tmp_path / "cache")
    synthesize_all(texts, fake_speaker(fake_engine, cache.directory, "fake/one"))
    path = cache.path("fake", "fake/one", 1.0, "Slide.")
    data = bytearray(path.read_bytes())
    if damage == "truncate body":
        data = data[:-10]
    elif damage == "flip a sample":
        data[-3] ^= 0x40
    elif damage == "flip the checksum":
        data[20] ^= 0x01
    elif damage == "wrong magic":
        data[:8] = b"RIFFWAVE"
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    fake_engine.spoken.clear()
    again = synthesize_all(texts, fake_speaker(fake_engine, cache.directory, "fake/one"))
    assert fake_engine.spoken == ["Slide."]  # only the damaged one is made again
    assert all(np.array_equal(again[t], clean[t]) for t in texts)
    assert (
        synthesize_all(["Slide."], fake_speaker(fake_engine, cache.directory, "fake/one"))["Slide."].tolist()
        == clean["Slide."].tolist()
    )


def test_a_cache_entry_is_written_once_and_others_use_it(tmp_path):
    cache = SpeechCache(tmp_path)
    first = np.full(100, 5, np.int16)
    assert cache.put("e", "v", 1, "t", first, 22050) is first
    kept = cache.put("e", "v", 1, "t", np.full(200, 9, np.int16), 22050)
    assert kept.tolist() == first.tolist()  # the second writer gets the first one's audio
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [cache.path("e", "v", 1, "t").name]


# -- real processes: parallel exports, killed exports, faults -----------------------------------------------------


def coach(*args: str) -> list[str]:
    return [sys.executable, "-m", "coach", *args]


def test_four_exports_in_parallel_sharing_one_cache_match_a_serial_run(tmp_path, mini_env):
    """The cache starts empty: four processes synthesize with a real engine at once, then a fifth runs alone.
    (espeak-ng: four neural voices loading at once would cost 20 s of the suite; the cache is shared the same way.)"""
    outputs = [tmp_path / f"parallel-{n}.wav" for n in range(4)]
    args = ["mini", "--side", "both", "--engine", "espeak"]
    running = [subprocess.Popen(coach(*args, "-o", str(out)), env=mini_env, stderr=subprocess.PIPE) for out in outputs]
    for process in running:
        assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""
        if process.stderr:
            process.stderr.close()
    serial = tmp_path / "serial.wav"
    done = subprocess.run(coach(*args, "-o", str(serial)), env=mini_env, capture_output=True)
    assert done.returncode == 0
    expected = soundfile.read(serial, dtype="int16")[0]
    assert len(expected) > 30 * 22050
    for out in outputs:
        assert np.array_equal(soundfile.read(out, dtype="int16")[0], expected), out.name


@pytest.mark.parametrize("suffix", [".wav", ".mp3"])
def test_an_export_killed_at_random_moments_never_leaves_a_partial_file(tmp_path, mini_env, suffix):
    routine = parse_routine(MINI, "mini.toml", "mini")
    fill_cache(Path(mini_env["COACH_CACHE_DIR"]), build_script(routine, Options(Side.BOTH, strokes=3)).texts())
    script = subprocess.run(
        coach("mini", "--side", "both", "--strokes", "3", "--script", "--json"), env=mini_env, capture_output=True
    )
    frames = round(json.loads(script.stdout)["duration"] * 22050)
    target = tmp_path / f"session{suffix}"
    chance = random.Random(20261121)
    for _ in range(12):
        target.unlink(missing_ok=True)
        process = subprocess.Popen(coach("mini", "--side", "both", "--strokes", "3", "-o", str(target)), env=mini_env)
        time.sleep(chance.uniform(0.05, 0.9))
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        if target.exists():
            info = soundfile.info(str(target))
            assert info.frames == frames  # whole: MP3s decode to the exact length too
        assert not list(tmp_path.glob("session*.part"))  # never a temp name at the target


def one_sentence(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.fixture
def small_disk(tmpfs):
    """A 64 KB file system of its own (tmpfs), as root; skipped where mounting is not allowed."""
    return tmpfs("small", "64k")


def test_a_full_disk_is_one_sentence_and_leaves_nothing(small_disk, mini_env):
    fill_cache(
        Path(mini_env["COACH_CACHE_DIR"]), build_script(parse_routine(MINI, "m", "mini"), Options(Side.BOTH)).texts()
    )
    target = small_disk / "session.wav"
    done = subprocess.run(
        coach("mini", "--side", "both", "-o", str(target)), env=mini_env, capture_output=True, text=True
    )
    assert one_sentence(done) == f"Error: Could not write {target}: the disk is full (0 KB free in {small_disk})."
    assert os.listdir(small_disk) == []


def test_a_read_only_folder_is_one_sentence(small_disk, mini_env):
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    target = small_disk / "session.mp3"
    done = subprocess.run(
        coach("mini", "--side", "right", "-o", str(target)), env=mini_env, capture_output=True, text=True
    )
    assert one_sentence(done) == (
        f"Error: Cannot write {target}: the folder {small_disk} is not writable (or is read-only)."
    )


def test_a_write_error_midway_is_one_sentence(tmp_path, mini_env, monkeypatch):
    """Where mounting is not allowed, a failing write is simulated in-process."""
    import soundfile as sf
    from click.testing import CliRunner

    from coach.cli import cli

    fill_cache(
        Path(mini_env["COACH_CACHE_DIR"]), build_script(parse_routine(MINI, "m", "mini"), Options(Side.RIGHT)).texts()
    )
    for key in ("COACH_CACHE_DIR", "COACH_CONFIG_DIR", "COACH_DATA_DIR"):
        monkeypatch.setenv(key, mini_env[key])

    def failing(self, data):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(sf.SoundFile, "write", failing)
    target = tmp_path / "session.wav"
    result = CliRunner().invoke(cli, ["mini", "--side", "right", "-o", str(target)])
    assert (result.exit_code, result.stderr) == (1, f"Error: Could not write {target}: input/output error.\n")
    assert not target.exists() and not list(tmp_path.glob(".session.wav.*"))


def test_no_sound_device_and_an_unknown_voice_are_one_sentence(tmp_path, mini_env):
    (tmp_path / ".asoundrc").write_text("pcm.!default { type hw card 7 }\nctl.!default { type hw card 7 }\n")
    fill_cache(Path(mini_env["COACH_CACHE_DIR"]), ["Paused.", "Three.", "Two.", "One."])
    fill_cache(
        Path(mini_env["COACH_CACHE_DIR"]), build_script(parse_routine(MINI, "m", "mini"), Options(Side.RIGHT)).texts()
    )
    done = subprocess.run(coach("mini", "--side", "right", "--no-log"), env=mini_env, capture_output=True, text=True)
    assert done.returncode == 3
    assert one_sentence(done).startswith("Error: No audio output could be opened (No such file or directory).")
    voice = subprocess.run(
        coach("mini", "--side", "right", "--voice", "nobody", "--script"), env=mini_env, capture_output=True, text=True
    )
    assert one_sentence(voice) == "Error: Unknown voice 'nobody': 'coach voices' lists the voices you can use."
