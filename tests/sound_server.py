"""A private, paced sound server for tests: PulseAudio with one null sink, started as a child process in a folder of
its own (no systemd, no desktop, root allowed), and a recorder on the sink's monitor. A null sink consumes audio at
the real rate, so playback takes real time, as through headphones; at 22050 Hz 16-bit, mono or stereo as the sink
is made, nothing is resampled or remixed, and the recording is the played audio sample for sample.

ALSA reaches it through ALSA's pulse plugin (Debian's libasound2-plugins), by a ~/.asoundrc in the folder: a process
run with HOME=<folder> and PULSE_SERVER=<its socket> plays into the null sink.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest

SINK = "coach_null"
RATE = 22050


def skip_without_pulseaudio() -> None:
    missing = [name for name in ("pulseaudio", "parec") if shutil.which(name) is None]
    plugin = any(
        (folder / "alsa-lib/libasound_module_pcm_pulse.so").exists()
        for folder in (Path("/usr/lib"), *Path("/usr/lib").glob("*-linux-gnu"))
    )
    if missing or not plugin:
        what = " and ".join([*missing, *([] if plugin else ["ALSA's pulse plugin"])])
        pytest.skip(
            f"{what} not installed: paced playback runs through a private PulseAudio, which make installs only where "
            "no sound server is installed (not beside PipeWire)"
        )


@dataclass(frozen=True)
class Pulse:
    folder: Path
    server: str  # for PULSE_SERVER: unix:<folder>/native

    def env(self) -> dict[str, str]:
        """What a process needs to play into the null sink through ALSA (and to find nothing else)."""
        return {"HOME": str(self.folder), "PULSE_SERVER": self.server}


@contextlib.contextmanager
def private_pulse(folder: Path, extra: str = "", channels: int = 1) -> Iterator[Pulse]:
    """A PulseAudio server of the test's own, in `folder`, with a null sink at the session's rate with `channels`
    (and `extra` lines of configuration: a pipe source as a microphone, say)."""
    skip_without_pulseaudio()
    folder.mkdir(parents=True, exist_ok=True)
    socket = folder / "native"
    config = folder / "default.pa"
    config.write_text(
        f"load-module module-null-sink sink_name={SINK} rate={RATE} channels={channels} format=s16le\n"
        f"load-module module-native-protocol-unix socket={socket} auth-anonymous=1\n"
        f"set-default-sink {SINK}\n{extra}"
    )
    (folder / "runtime").mkdir(exist_ok=True)
    (folder / ".asoundrc").write_text(
        f'pcm.!default {{ type pulse server "unix:{socket}" }}\nctl.!default {{ type pulse server "unix:{socket}" }}\n'
    )
    env = {**os.environ, "HOME": str(folder), "XDG_RUNTIME_DIR": str(folder / "runtime")}
    for name in ("DBUS_SESSION_BUS_ADDRESS", "PULSE_SERVER", "DISPLAY"):
        env.pop(name, None)
    # -n: none of the system's modules, only ours (-F); as root it warns that it is not meant to be, and runs
    daemon = subprocess.Popen(
        ["pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no", "--disallow-exit", "-n",
         "-F", str(config), f"--log-target=file:{folder}/pulse.log"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while not socket.exists():
            if daemon.poll() is not None or time.monotonic() > deadline:
                log = (folder / "pulse.log").read_text() if (folder / "pulse.log").exists() else ""
                raise AssertionError(f"pulseaudio did not start: {log}")
            time.sleep(0.01)
        yield Pulse(folder, f"unix:{socket}")
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(5)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
        if daemon.stderr is not None:
            daemon.stderr.close()


class Recorder:
    """parec on the null sink's monitor, from start to stop: what a listener would have heard, sample for sample.
    Each chunk is stamped with the monotonic time it arrived, so every sample has a time (to a few ms). It is
    ready once the monitor flows (a tenth of a second recorded). With two channels, `stop` gives each frame as one
    int32 (left and right side by side), so a frame compares with a frame as a sample does with a sample."""

    def __init__(self, pulse: Pulse, channels: int = 1) -> None:
        env = {**os.environ, **pulse.env()}
        self.frame = 2 * channels  # bytes
        self.process = subprocess.Popen(
            ["parec", f"--device={SINK}.monitor", f"--rate={RATE}", f"--channels={channels}", "--format=s16le",
             "--latency-msec=5", "--raw"],
            env=env, stdout=subprocess.PIPE,
        )  # fmt: skip
        self.chunks: list[tuple[float, bytes]] = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while self.received() < RATE // 10:  # the monitor is flowing (parec's first moments come late)
            assert time.monotonic() < deadline and self.process.poll() is None, "parec recorded nothing"
            time.sleep(0.01)

    def _read(self) -> None:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        while data := os.read(fd, 4096):
            self.chunks.append((time.monotonic(), data))

    def received(self) -> int:
        return sum(len(data) for _, data in self.chunks) // self.frame

    def stop(self) -> tuple[np.ndarray, np.ndarray]:
        """The samples, and the monotonic time each arrived (its chunk's arrival, less what followed it)."""
        self.process.terminate()
        self.thread.join(10)
        self.process.wait(10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        raw = b"".join(data for _, data in self.chunks)
        whole = raw[: len(raw) // self.frame * self.frame]
        samples = np.frombuffer(whole, dtype="<i2" if self.frame == 2 else "<i4").copy()
        times = np.empty(len(samples))
        end = leftover = 0
        for arrived, data in self.chunks:
            count = (leftover + len(data)) // self.frame
            leftover = (leftover + len(data)) % self.frame
            times[end : end + count] = arrived - np.arange(count - 1, -1, -1) / RATE
            end += count
        return samples, times[: len(samples)]


# -- what a listener heard, against what the session is ------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A stretch of the recording that is the session exactly: recording[at : at + length] == session[start : ...]."""

    at: int
    start: int
    length: int


def extend_match(recording: np.ndarray, at: int, session: np.ndarray, start: int) -> int:
    """How many samples from `at` and `start` are equal (compared a second at a time, then to the sample)."""
    n = 0
    limit = min(len(recording) - at, len(session) - start)
    while n < limit:
        step = min(RATE, limit - n)
        same = recording[at + n : at + n + step] == session[start + n : start + n + step]
        if same.all():
            n += step
            continue
        return n + int(np.argmin(same))
    return n


def find_near(
    recording: np.ndarray, at: int, session: np.ndarray, guess: int, reach: int, width: int = 256
) -> int | None:
    """Where in `session`, within `reach` of `guess`, the recording's `width` samples from `at` are, exactly."""
    window = recording[at : at + width]
    lo, hi = max(0, guess - reach), min(len(session) - width, guess + reach)
    for start in np.flatnonzero(session[lo:hi] == window[0]) + lo:
        if np.array_equal(session[start : start + width], window):
            return int(start)
    return None


def account(
    recording: np.ndarray, session: np.ndarray, clips: dict[str, np.ndarray], guess: Callable[[int], list[int]]
) -> tuple[list[Piece], list[tuple[int, str, int]], list[int]]:
    """Every sound in the recording accounted for, in order: pieces of the session (each found near where
    `guess(recording index)` says the session may have been, then followed for as long as it is equal, quiet
    included), and clips (the prompts: where, which, and how much of them was heard). Also the recording indexes
    where a sound was neither."""
    pieces: list[Piece] = []
    heard: list[tuple[int, str, int]] = []
    unknown: list[int] = []
    loud = np.flatnonzero(recording)
    at = 0
    while True:
        next_loud = int(np.searchsorted(loud, at))
        if next_loud == len(loud):
            return pieces, heard, unknown
        at = int(loud[next_loud])
        for name, clip in clips.items():
            first = int(np.flatnonzero(clip)[0])
            if at >= first and np.array_equal(recording[at : at + 256], clip[first : first + 256]):
                n = extend_match(recording, at - first, clip, 0)
                heard.append((at - first, name, n))
                at = at - first + n
                break
        else:
            found = (find_near(recording, at, session, where, RATE // 2) for where in guess(at))
            start = next((start for start in found if start is not None), None)
            if start is None:
                unknown.append(at)
                at += 1
                continue
            n = extend_match(recording, at, session, start)
            pieces.append(Piece(at, start, n))
            at += n


class Positions:
    """A log of (time, status, position) read from the player, asked where the session was at a time."""

    def __init__(self, log: list[tuple[float, str, int]]) -> None:
        playing = [(t, p) for t, status, p in log if status == "Playing"]
        self.times = np.array([t for t, _ in playing])
        self.positions = np.array([p for _, p in playing])

    def at(self, t: float) -> list[int]:
        """Where the log says the session was at `t`: from the reading before, moved on by the time since, and from
        the reading after, moved back; one of them is wrong across a jump (a skip), never both."""
        k = int(np.clip(np.searchsorted(self.times, t), 1, len(self.times) - 1))
        (t0, t1), (p0, p1) = self.times[k - 1 : k + 1], self.positions[k - 1 : k + 1]
        return [round(p0 + (t - t0) * RATE), round(p1 - (t1 - t) * RATE)]


def onset(recording: np.ndarray, clip: np.ndarray, expected: int, reach: int = RATE // 50) -> int:
    """Where `clip` starts in the recording near `expected` (within 20 ms): the best normalized correlation."""
    lo = max(0, expected - reach)
    window = recording[lo : expected + reach + len(clip)].astype(np.float64)
    energy = np.sqrt(np.convolve(window**2, np.ones(len(clip)), mode="valid")) + 1e-12
    score = np.correlate(window, clip.astype(np.float64), mode="valid") / energy
    return int(np.argmax(score)) + lo


@dataclass
class Grid:
    """One metronome grid as it was heard. Errors in milliseconds."""

    title: str
    beats: int  # in the timeline
    heard: int = 0  # heard within one piece of the session
    exact: list[float] = field(default_factory=list)  # beat to beat, against the timeline, by the exact match
    clear: int = 0  # beats with no words on them (or within 20 ms), found by their sound alone
    detected: list[float] = field(default_factory=list)  # beat to beat, between those, by their sound
    late: list[float] = field(default_factory=list)  # the position shown, minus the beat, when it was heard


def measure_grids(
    timeline: dict[str, Any], heard: np.ndarray, times: np.ndarray, pieces: list[Piece], positions: Positions
) -> list[Grid]:
    """Each grid's beats (ticks and accents, from the --script --json timeline) as the recording has them."""
    from coach.session import load_sounds

    sounds = {name: np.rint(clip * 32768).astype(np.int16) for name, clip in load_sounds().items()}
    speech = [(round(e["start"] * RATE), round((e["start"] + e["duration"]) * RATE)) for e in timeline["events"]
              if e["kind"] == "speech"]  # fmt: skip
    grids = []
    for phase in timeline["phases"]:
        beats = [(round(e["start"] * RATE), sounds[e["sound"]]) for e in timeline["events"] if e["kind"] == "sound"
                 and e["sound"] in ("tick", "accent") and phase["start"] <= e["start"] < phase["end"]]  # fmt: skip
        if not beats:
            continue
        grid = Grid(phase["title"], len(beats))
        for piece in pieces:
            inside = [(b, s) for b, s in beats if piece.start <= b and b + len(s) <= piece.start + piece.length]
            where = {b: piece.at + b - piece.start for b, _ in inside}  # in the recording, by the exact match
            found = {b: onset(heard, s, where[b]) for b, s in inside  # and by the beat's own sound
                     if not any(a - RATE // 50 < b + len(s) and b < z + RATE // 50 for a, z in speech)}  # fmt: skip
            grid.heard += len(inside)
            grid.clear += len(found)
            grid.exact += [abs(where[b] - where[a] - (b - a)) / RATE * 1000 for (a, _), (b, _) in pairwise(inside)]
            grid.detected += [abs(found[b] - found[a] - (b - a)) / RATE * 1000 for a, b in pairwise(sorted(found))]
            for b, _ in inside:
                shown = positions.at(float(times[where[b]]))
                grid.late.append(min((p - b for p in shown), key=abs) / RATE * 1000)  # the nearer of the two
        grids.append(grid)
    return grids
