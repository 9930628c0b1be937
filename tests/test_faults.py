"""Faults of the machine: a full disk under the speech cache, write errors in the speech engine's own thread, file
systems that take no files. Each is one sentence at once, never a hang or a traceback. docs/reliability.md lists
these cases and their counts."""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import fake_speaker

from coach.errors import SpeechError

pytestmark = pytest.mark.e2e


def coach(*args: str) -> list[str]:
    return [sys.executable, "-m", "coach", *args]


def fill(folder: Path, leave_kb: int) -> None:
    """Fill a small file system until about `leave_kb` KB are free."""
    with open(folder / "filler", "wb") as out:
        try:
            while os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize > leave_kb * 1024:
                out.write(b"\0" * 4096)
                out.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


FULL = re.compile(r"the disk is full \((\d+) KB free in (.+)\)")


@pytest.mark.parametrize("leave_kb", [0, 24])
def test_a_full_disk_under_the_speech_cache_is_one_sentence_at_once(tmpfs, mini_env, leave_kb):
    """Empty, or with room for a little but not a phrase's audio (about 50 KB): the real engine writes into the
    cache's scratch folder from espeak-ng's own thread, where the error once went unheard and the wait never
    ended (or waited 30 s and blamed the engine)."""
    disk = tmpfs("cache", "64k")
    fill(disk, leave_kb)
    env = {**mini_env, "COACH_CACHE_DIR": str(disk / "coach")}
    done = subprocess.run(
        coach("mini", "--side", "right", "--script", "--engine", "espeak"), env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (1, "")
    message = done.stderr.removeprefix("Error: ").removesuffix(".\n")
    assert message.startswith(f"The speech engine could not write its audio to {disk / 'coach' / 'scratch'}: ")
    free, folder = FULL.search(message).groups()
    assert (int(free) < 4, folder) == (True, str(disk / "coach" / "scratch")), done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    # the natural voice makes its audio in memory: the cache, writing it, says the disk is full
    natural = subprocess.run(
        coach("mini", "--side", "right", "--script"), env=env, capture_output=True, text=True, timeout=120
    )
    assert (natural.returncode, natural.stdout) == (1, "")
    message = natural.stderr.removeprefix("Error: ").removesuffix(".\n")
    assert message.startswith(f"The speech cache in {disk / 'coach'} cannot be written: the disk is full ("), message
    assert natural.stderr.count("\n") == 1


def test_an_error_in_the_engines_own_thread_ends_the_wait_and_the_engine_goes_on(tmp_path, monkeypatch):
    """A simulated ENOSPC where the driver writes the phrase, inside espeak-ng's callback thread."""
    from coach.speech.espeak import Pyttsx3Engine

    scratch = tmp_path / "scratch"
    engine = Pyttsx3Engine(scratch)
    assert len(engine.synthesize("Warm up.", "gmw/en-us", 1.0)) > 0
    driver = sys.modules["pyttsx3.drivers.espeak"]

    class FullDisk:
        @staticmethod
        def open(*args, **kwargs):
            raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch, pytest.raises(SpeechError) as caught:
        patch.setattr(driver, "wave", FullDisk)
        engine.synthesize("Hello there.", "gmw/en-us", 1.0)
    message = str(caught.value)
    assert message.startswith(f"The speech engine could not write its audio to {scratch}: the disk is full (")
    assert FULL.search(message).group(2) == str(scratch)
    assert len(engine.synthesize("Hello there.", "gmw/en-us", 1.0)) > 22050 // 2  # whole again
    assert list(scratch.iterdir()) == []


def test_a_full_disk_when_the_cache_stores_a_phrase_is_one_sentence(tmp_path, fake_engine, monkeypatch):
    import tempfile

    from coach.speech.cache import synthesize_all

    def no_room(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "mkstemp", no_room)
    cache = tmp_path / "cache"
    with pytest.raises(SpeechError) as caught:
        synthesize_all(["Hi."], fake_speaker(fake_engine, cache))
    message = str(caught.value)
    folder = fake_speaker(fake_engine, cache).path("Hi.").parent
    assert message.startswith(f"The speech cache in {cache} cannot be written: the disk is full (")
    assert FULL.search(message).group(2) == str(folder)
