"""Files that are not what they seem: a FIFO, /dev/zero or a link to it where coach expects a routine, a speech-cache
entry, an export's manifest, an audio file or the program log. Only regular files of bounded size are read, so
each is refused in one sentence or made again, never a hang or memory filling up. Each case runs in its own process
with a time and memory limit, so a regression fails instead of taking the machine with it. docs/reliability.md
lists these cases and their counts."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result
from conftest import fake_speaker, install_routine, process_env
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

MEMORY = 1 << 30  # a process that reads /dev/zero runs out of this in well under a second


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def coach(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coach", *args], env=env, capture_output=True, text=True, timeout=60,
        preexec_fn=limited,
    )  # fmt: skip


def python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60, preexec_fn=limited
    )


@pytest.fixture
def env(tmp_path):
    install_routine(tmp_path)
    return process_env(tmp_path)


def hostile(path: Path, kind: str) -> str:
    """Put a FIFO, a link to /dev/zero, or /dev/zero's own kind of file at `path`; returns what coach calls it."""
    path.unlink(missing_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
        return "a FIFO"
    path.symlink_to("/dev/zero")
    return "a character device"


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_coach_info_reads_only_regular_files(tmp_path, env, kind):
    for path in (Path("/dev/zero"), tmp_path / "x.mp3"):
        called = "a character device" if path == Path("/dev/zero") else hostile(path, kind)
        done = coach(env, "info", str(path))
        assert (done.returncode, done.stdout, done.stderr) == (
            1,
            "",
            f"Error: {path}: not a regular file ({called}).\n",
        )


SPEAK_AGAIN = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from conftest import FakeEngine, fake_speaker
from coach.speech.cache import synthesize_all
engine = FakeEngine()
clips = synthesize_all(["Slide."], fake_speaker(engine, Path(sys.argv[1])))
print(engine.spoken, len(clips["Slide."]))
"""


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_a_cache_entry_that_is_not_a_regular_file_is_made_again(tmp_path, fake_engine, kind):
    from coach.speech.cache import synthesize_all

    speaker = fake_speaker(fake_engine, tmp_path / "cache")
    synthesize_all(["Slide."], speaker)
    entry = speaker.path("Slide.")
    length = len(speaker.cached("Slide."))
    hostile(entry, kind)
    done = python(SPEAK_AGAIN, str(tmp_path / "cache"), str(Path(__file__).parent))
    assert (done.returncode, done.stdout, done.stderr) == (0, f"['Slide.'] {length}\n", "")
    assert entry.is_file() and not entry.is_symlink()
    assert len(speaker.cached("Slide.")) == length


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_a_user_routine_that_is_not_a_regular_file_is_refused_by_name(tmp_path, env, kind):
    path = tmp_path / "config" / "routines" / "odd.toml"
    called = hostile(path, kind)
    listed = coach(env, "list")
    assert listed.returncode == 0
    assert f"odd             (cannot be loaded: {path}: not a regular file ({called}))\n" in listed.stdout
    run = coach(env, str(path), "--side", "right", "--script")
    assert (run.returncode, run.stderr) == (1, f"Error: {path}: not a regular file ({called})\n")


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_a_manifest_that_is_not_a_regular_file_is_not_read_nor_replaced(tmp_path, env, kind):
    """Read as no manifest (never a hang), and, since coach replaces only regular files, refused before any work
    (it was replaced until round three: tests/test_hostile_writes.py)."""
    folder = tmp_path / "lib"
    folder.mkdir()
    manifest = folder / ".coach-export.json"
    called = hostile(manifest, kind)
    done = coach(env, "export", str(folder), "--routine", "mini", "--shape", "teach", "--workers", "1")
    what = "a FIFO" if kind == "fifo" else "a link to a character device (/dev/zero)"
    assert (done.returncode, done.stderr) == (1, f"Error: Cannot write {manifest}: it is {what}, not a regular file.\n")
    assert called in ("a FIFO", "a character device")
    assert sorted(p.name for p in folder.iterdir()) == [".coach-export.json", ".coach-export.lock"]


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_a_program_log_that_is_not_a_regular_file_is_one_sentence(tmp_path, env, kind):
    (tmp_path / "data").mkdir()
    path = tmp_path / "data" / "log.sqlite3"
    called = hostile(path, kind)
    done = coach(env, "history")
    assert (done.returncode, done.stderr) == (
        1,
        f"Error: The program log {path} is not a regular file ({called}): move it aside, and coach starts a new one.\n",
    )


# -- coach info on hostile audio files --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tagged_mp3(tmp_path_factory) -> bytes:
    """A real session MP3 with its tags, chapters and lyrics, made once."""
    home = tmp_path_factory.mktemp("tagged")
    install_routine(home)
    env = {"COACH_CACHE_DIR": str(home / "cache"), "COACH_CONFIG_DIR": str(home / "config")}
    from click.testing import CliRunner

    from coach.cli import cli

    target = home / "s.mp3"
    result = CliRunner().invoke(cli, ["mini", "--side", "right", "-o", str(target), "--lyrics"], env=env)
    assert result.exit_code == 0, result.output
    return target.read_bytes()


def info(path: Path) -> Result:
    from conftest import run_cli

    return run_cli("info", str(path))


def with_tlen(data: bytes, value: str, tmp_path: Path) -> Path:
    from mutagen import id3

    path = tmp_path / "t.mp3"
    path.write_bytes(data)
    tags = id3.ID3(path)
    tags.add(id3.TLEN(encoding=id3.Encoding.LATIN1, text=value))
    tags.save(path, v2_version=3)
    return path


@pytest.mark.parametrize(
    ("tlen", "shown"),
    [
        ("25435", "0:25"),
        ("4:47", "4:47 (as written: not in milliseconds)"),
        ("9" * 400, "9" * 200 + "... (as written: not in milliseconds)"),
        ("9" * 5000, "9" * 200 + "... (as written: not in milliseconds)"),
        ("-5", "-5 (as written: not in milliseconds)"),
        ("\x1b[31mred", "?[31mred (as written: not in milliseconds)"),
    ],
)
def test_info_shows_any_length_tag_without_failing(tagged_mp3, tmp_path, tlen, shown):
    result = info(with_tlen(tagged_mp3, tlen, tmp_path))
    assert (result.exit_code, result.stderr) == (0, "")
    assert f"\nLength:   {shown}\n" in result.stdout


def test_info_on_what_is_not_audio_fails_with_one_sentence(tmp_path, tagged_mp3):
    toml = tmp_path / "psoas.toml"
    toml.write_text(MINI_TEXT)
    result = info(toml)
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", f"Error: {toml}: not an audio file coach can read.\n"
    )  # fmt: skip
    for size in (10, 50, 300):  # an ID3 tag cut short: mutagen's error says nothing
        cut = tmp_path / f"cut{size}.mp3"
        cut.write_bytes(tagged_mp3[:size])
        result = info(cut)
        assert (result.exit_code, result.stdout) == (1, ""), size
        assert result.stderr in (
            f"Error: {cut}: cannot be read as audio (it is cut short or damaged).\n",
            f"Error: {cut}: cannot be read as audio (can't sync to MPEG frame).\n",
        ), size


MINI_TEXT = 'title = "Mini"\n'
PRINTABLE = re.compile(r"[^\x00-\x1f\x7f-\x9f\u2028\u2029]*")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzz_info_on_damaged_mp3s_gives_text_or_one_sentence(tagged_mp3, tmp_path, data):
    """Bytes of a real tagged MP3 flipped, cut, dropped or repeated, anywhere, tags included: `coach info` prints
    lines with no control characters, or fails with one of its sentences; never a traceback."""
    damaged = bytearray(tagged_mp3)
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(damaged) - 1))
        change = data.draw(st.sampled_from(["flip", "cut", "drop", "repeat", "zero"]))
        if change == "flip":
            damaged[at] ^= 1 << data.draw(st.integers(0, 7))
        elif change == "cut":
            del damaged[at:]
        elif change == "drop":
            del damaged[at : at + data.draw(st.integers(1, 64))]
        elif change == "repeat":
            damaged[at:at] = damaged[at : at + data.draw(st.integers(1, 64))]
        else:
            damaged[at : at + 4] = b"\xff\xff\xff\xff"
        if not damaged:
            damaged = bytearray(b"\0")
    path = tmp_path / "damaged.mp3"
    path.write_bytes(bytes(damaged))
    result = info(path)
    if result.exit_code == 0:
        assert result.stderr == ""
        assert all(PRINTABLE.fullmatch(line) for line in result.stdout.splitlines())
    else:
        assert result.exit_code == 1 and result.stdout == ""
        assert re.fullmatch(
            rf"Error: {re.escape(str(path))}: (not an audio file coach can read|cannot be read as audio \(.+\))\.\n",
            result.stderr,
        ), result.stderr


# -- coach info on a file cut short ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sessions(tmp_path_factory) -> dict[str, bytes]:
    """The mini session (right side) in each format coach writes, made once."""
    home = tmp_path_factory.mktemp("formats")
    install_routine(home)
    env = {"COACH_CACHE_DIR": str(home / "cache"), "COACH_CONFIG_DIR": str(home / "config")}
    from click.testing import CliRunner

    from coach.cli import cli

    made = {}
    for suffix in ("mp3", "wav", "flac", "ogg"):
        target = home / f"s.{suffix}"
        result = CliRunner().invoke(cli, ["mini", "--side", "right", "-o", str(target)], env=env)
        assert result.exit_code == 0, result.output
        made[suffix] = target.read_bytes()
    return made


def ogg_audio_start(data: bytes) -> int:
    """Where an Ogg file's first page of audio starts: the first page whose granule position is past 0."""
    at = 0
    while (at := data.find(b"OggS", at)) >= 0:
        if int.from_bytes(data[at + 6 : at + 14], "little", signed=True) > 0:
            return at
        at += 4
    raise AssertionError("no audio page")


def decoded_seconds(path: Path) -> float:
    """What a decoder gets from the file, read until it stops (libsndfile; mpg123 for MP3)."""
    import soundfile

    frames = 0
    with soundfile.SoundFile(path) as sound:
        try:
            while block := len(sound.read(4096, dtype="int16")):
                frames += block
        except soundfile.LibsndfileError:
            pass
        return frames / sound.samplerate


@pytest.mark.parametrize("suffix", ["mp3", "wav", "flac", "ogg"])
def test_info_on_a_file_cut_short_shows_the_length_it_holds(sessions, tmp_path, suffix):
    from coach.timefmt import length

    whole = tmp_path / f"whole.{suffix}"
    whole.write_bytes(sessions[suffix])
    first = info(whole).stdout.splitlines()[0]
    claimed = first.split(": ", 1)[1].split(",")[0]
    assert "cut short" not in first and claimed == length(decoded_seconds(whole))
    cut = tmp_path / f"cut.{suffix}"
    data = sessions[suffix]
    audio = ogg_audio_start(data) if suffix == "ogg" else 0  # an Ogg file's headers hold its cover: cut the audio
    cut.write_bytes(data[: audio + (len(data) - audio) // 3])
    result = info(cut)
    assert (result.exit_code, result.stderr) == (0, "")
    held = result.stdout.splitlines()[0].split(": ", 1)[1].split(",")[0]
    if suffix == "ogg":  # Ogg's length comes from its last page there: the length it holds, with nothing to add
        assert held == length(decoded_seconds(cut))
        return
    shown, _, rest = held.partition(" ")
    assert rest == f"(cut short: its header says {claimed})"
    error = abs(sum(int(x) * 60**i for i, x in enumerate(reversed(shown.split(":")))) - decoded_seconds(cut))
    assert error < 1.0, (held, decoded_seconds(cut))  # shown in whole seconds; a FLAC measured in 0.7 s blocks


def test_info_on_the_first_thousand_bytes_of_a_session_says_it_is_cut_short(sessions, tmp_path):
    """The reported case: the first 1,000 bytes of the audio (after its tags) said "4:07, 64 kbps"."""
    from mutagen.mp3 import MP3

    whole = tmp_path / "whole.mp3"
    whole.write_bytes(sessions["mp3"])
    start = MP3(whole).info.frame_offset
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(sessions["mp3"][: start + 1000])
    result = info(cut)
    claimed = info(whole).stdout.splitlines()[0].split(": ", 1)[1].split(",")[0]
    assert result.stdout.splitlines()[0] == (
        f"cut.mp3: 0:00 (cut short: its header says {claimed}), 96 kbps, 22050 Hz stereo"
    )
