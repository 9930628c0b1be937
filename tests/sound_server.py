"""A private, paced sound server for tests: PulseAudio with one null sink, started as a child process in a folder of
its own (no systemd, no desktop, root allowed), and a recorder on the sink's monitor. A null sink consumes audio at
the real rate, so playback takes real time, as through headphones; at 22050 Hz mono 16-bit nothing is resampled,
and the recording is the played audio sample for sample.

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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

SINK = "coach_null"
RATE = 22050


def skip_without_pulseaudio() -> None:
    missing = [name for name in ("pulseaudio", "parec") if shutil.which(name) is None]
    plugin = any(
        Path(p).glob("alsa-lib/libasound_module_pcm_pulse.so")
        for p in ("/usr/lib", *Path("/usr/lib").glob("*-linux-gnu"))
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
def private_pulse(folder: Path) -> Iterator[Pulse]:
    """A PulseAudio server of the test's own, in `folder`, with a null sink at the session's rate."""
    skip_without_pulseaudio()
    folder.mkdir(parents=True, exist_ok=True)
    socket = folder / "native"
    config = folder / "default.pa"
    config.write_text(
        f"load-module module-null-sink sink_name={SINK} rate={RATE} channels=1 format=s16le\n"
        f"load-module module-native-protocol-unix socket={socket} auth-anonymous=1\n"
        f"set-default-sink {SINK}\n"
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
    ready once the monitor flows (a tenth of a second recorded)."""

    def __init__(self, pulse: Pulse) -> None:
        env = {**os.environ, **pulse.env()}
        self.process = subprocess.Popen(
            ["parec", f"--device={SINK}.monitor", f"--rate={RATE}", "--channels=1", "--format=s16le",
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
        return sum(len(data) for _, data in self.chunks) // 2

    def stop(self) -> tuple[np.ndarray, np.ndarray]:
        """The samples, and the monotonic time each arrived (its chunk's arrival, less what followed it)."""
        self.process.terminate()
        self.thread.join(10)
        self.process.wait(10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        raw = b"".join(data for _, data in self.chunks)
        samples = np.frombuffer(raw[: len(raw) // 2 * 2], dtype="<i2").astype(np.int16)
        times = np.empty(len(samples))
        end = leftover = 0
        for arrived, data in self.chunks:
            count = (leftover + len(data)) // 2
            leftover = (leftover + len(data)) % 2
            times[end : end + count] = arrived - np.arange(count - 1, -1, -1) / RATE
            end += count
        return samples, times[: len(samples)]
