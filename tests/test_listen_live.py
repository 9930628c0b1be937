"""`coach ROUTINE --listen` as a user runs it: a live session in real time through a private PulseAudio, its
microphone a pipe source the test speaks into (recordings by Piper's joe, scripts/recordings.py), the real
recognizer, the real loop and player, the real program log, and standard error a terminal, so the status line shows.
The test speaks each command once the session shows it is ready for it, as a user would, and waits on what the
session shows, never on the clock: a slow machine only makes it slower. The recordings are clean (no noise mixed
in; the pipe's own faint hiss is under them), so what is tested is the path from the microphone to the action, not
the recognizer's margin under noise (tests/test_listen.py and `make bench` measure that). Where something is not
heard, the failure shows what the session did hear and show."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import fill_cache, process_env
from test_listen import JOE, recordings
from test_log_truth import ROUTINE, STANDINGS

from coach.audio import resample
from coach.kinds import Shape, Side
from coach.listen.words import RATE
from coach.live import NUMBER_TEXTS, PROMPT_TEXTS, question_text
from coach.routine import parse_routine
from coach.script import Options, build_script

pytestmark = [pytest.mark.e2e, pytest.mark.realtime]


def cache_every_line(home: Path) -> None:
    """Every line a mini session on the right side can say in the cache (as a fake clip): nothing is synthesized."""
    routine = parse_routine(ROUTINE, "mini.toml", "mini")
    texts = [*PROMPT_TEXTS, *NUMBER_TEXTS, question_text(Side.RIGHT, spoken=True), question_text(Side.RIGHT)]
    for shape in Shape:
        for standing in STANDINGS:
            for done in (None, (0,), (1,), (2,)):
                texts += build_script(
                    routine, Options(side=Side.RIGHT, shape=shape, standing=standing, done=done)
                ).texts()
    fill_cache(home / "cache", list(dict.fromkeys(texts)))


@pytest.fixture(scope="module")
def voices(tmp_path_factory):
    shared = os.environ.get("COACH_TEST_SPEECH_CACHE")  # `make test` shares one across its Pythons
    cache = Path(shared) / "recordings" if shared else tmp_path_factory.mktemp("recordings")
    return recordings.Voices(cache)


def speech(voices: recordings.Voices, text: str) -> np.ndarray:
    """One line by Piper's joe, clean, at the microphone's rate, 16-bit, with a second of quiet after it."""
    audio, _ = recordings.recording(voices, JOE, [text], "pink", None, gap_s=1.0)
    audio = audio[int(2.6 * 22050) :]  # from just before the words (the recording leads with 3 s of quiet)
    return np.clip(np.rint(resample(audio, 22050, RATE) * 32767), -32768, 32767).astype("<i2")


class Terminal:
    """Standard error of the session as a terminal shows it: everything written, read on a thread."""

    def __init__(self) -> None:
        self.master, self.slave = pty.openpty()
        self.text = ""
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while True:
            ready, _, _ = select.select([self.master], [], [], 0.5)
            if ready:
                try:
                    data = os.read(self.master, 4096)
                except OSError:
                    return
                if not data:
                    return
                self.text += data.decode("utf-8", "replace")

    def wait_for(self, pattern: str, after: int = 0, timeout: float = 60.0) -> int:
        """Where `pattern` first shows after `after`; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.text[after:])
            if found:
                return after + found.end()
            time.sleep(0.05)
        raise AssertionError(f"{pattern!r} never showed in {timeout:g} s.\n{self.story()}")

    def story(self) -> str:
        """What the session showed, line by line (the status line once, where it last stood): what it heard, the
        say-agains and any problem with listening are among them."""
        shown = re.sub(r"(\r\x1b\[2K[^\r\n]*)+(?=\r\x1b\[2K)", "", self.text)
        lines = [line.split("\r")[-1].replace("\x1b[2K", "") for line in shown.replace("\r\n", "\n").split("\n")]
        heard = [line for line in lines if line.startswith(("Heard", "Listening")) or "with the keys" in line]
        return "heard: " + repr(heard) + "\nstandard error, last lines:\n" + "\n".join(lines[-25:])


class Microphone:
    """The pipe source's feed: a faint hiss at the real rate, and a line spoken into it when asked."""

    def __init__(self, fifo: Path) -> None:
        self.fifo = fifo
        self.queue: list[np.ndarray] = []
        self.hiss = (np.random.default_rng(8).standard_normal(RATE // 20) * 20).astype("<i2")
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._feed, daemon=True)
        self.thread.start()

    def say(self, pcm: np.ndarray) -> None:
        self.queue += list(np.array_split(pcm, max(1, len(pcm) // (RATE // 20))))

    def _feed(self) -> None:
        with open(self.fifo, "wb") as pipe:
            began, sent = time.monotonic(), 0
            while not self.stop.is_set():
                chunk = self.queue.pop(0) if self.queue else self.hiss
                pipe.write(chunk.tobytes())
                pipe.flush()
                sent += len(chunk)
                time.sleep(max(0.0, began + sent / RATE - time.monotonic()))


def test_a_live_session_is_controlled_by_voice_and_a_number_said_answers_its_question(voices, tmp_path):
    from sound_server import private_pulse

    folder = tmp_path / "config" / "routines"
    folder.mkdir(parents=True)
    (folder / "mini.toml").write_text(ROUTINE)
    cache_every_line(tmp_path)
    said = {text: speech(voices, text) for text in ("Coach, pause.", "Coach, go on.", "Coach, next.", "Four.")}
    fifo = tmp_path / "pulse" / "mic.fifo"
    extra = (
        f"load-module module-pipe-source source_name=coach_mic file={fifo} format=s16le rate={RATE} channels=1\n"
        "set-default-source coach_mic\n"
    )
    with private_pulse(tmp_path / "pulse", extra=extra) as pulse:
        microphone = Microphone(fifo)
        terminal = Terminal()
        env = {**process_env(tmp_path), **pulse.env(), "COLUMNS": "200"}
        session = subprocess.Popen(
            [sys.executable, "-m", "coach", "mini", "--side", "right", "--listen", "--no-media-keys"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=terminal.slave, text=True,
        )  # fmt: skip
        try:
            at = terminal.wait_for(r"Listening: say ")
            at = terminal.wait_for(r"\| Start \| 0:0[2-9]", at)  # playing, a couple of seconds in
            microphone.say(said["Coach, pause."])
            paused = terminal.wait_for(r"Heard: coach, pause\.", at)
            at = terminal.wait_for(r"paused, space resumes \| listening", paused)
            microphone.say(said["Coach, go on."])
            resumed = terminal.wait_for(r"Heard: coach, go on\.", at)
            at = terminal.wait_for(r"get ready \| listening", resumed)
            at = terminal.wait_for(r"\| Start \| [^|]+ \| listening\x1b|\| Start \| [^|]+ \| listening\r", at)
            microphone.say(said["Coach, next."])
            moved = terminal.wait_for(r"Heard: coach, next\.", at)
            following = terminal.text[moved:][: terminal.wait_for(r"\x1b\[2KMini[^\r]+\r", moved) - moved]
            assert "| Start |" not in following  # the status right after it: the next phase (Place is a moment)
            asked = terminal.wait_for(r"How tender was it, 0 to 10\? Say the number", moved, timeout=120)
            microphone.say(said["Four."])
            terminal.wait_for(r"Tenderness 4 noted\.", asked)
            out, _ = session.communicate(timeout=30)
        finally:
            if session.poll() is None:
                session.kill()
                session.wait()
            microphone.stop.set()
            microphone.thread.join(5)
            os.close(terminal.slave)
    (tmp_path / "terminal.txt").write_text(terminal.text)  # what the user saw, to read after a run
    assert session.returncode == 0, terminal.story()
    assert out == ""
    lines = [line.split("\r")[-1].replace("\x1b[2K", "") for line in terminal.text.replace("\r\n", "\n").split("\n")]
    spoken = [line for line in lines if line.startswith(("Heard", "Session", "Tenderness", "How tender"))]
    assert spoken == [
        "Heard: coach, pause.", "Heard: coach, go on.", "Heard: coach, next.", "Session complete.",
        "How tender was it, 0 to 10? Say the number, or press its key; 10 s of quiet skips it.", "Heard: 4.",
        "Tenderness 4 noted.",
    ], terminal.story()  # fmt: skip
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(tmp_path / "data" / "log.sqlite3")) as db:
        assert db.execute("SELECT routine, side, status, tenderness FROM sessions").fetchall() == [
            ("mini", "right", "finished", 4)
        ]
