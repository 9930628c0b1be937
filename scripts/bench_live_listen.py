"""Benchmark of listening in a live session (`--listen`): the listening thread of coach.listen.spoken with the real
recognizer, fed a recording at the real rate, as a microphone gives it, while a loop reads it every 10 ms as the
live loop does. Prints the commands acted on, the share of one core the process used, and the delay from the end
of each command to `read()` giving its input (median, worst).

    .venv/bin/python scripts/bench_live_listen.py            # on its own
    make bench                                               # as part of the whole benchmark

The recording is scripts/recordings.py's: Piper's joe saying the six commands twice, a distractor sentence before
each set, under pink and under breathing-like noise 20 dB below the voice (about a minute each, in real time).
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import recordings  # noqa: E402
from bench_listen import pcm  # noqa: E402

from coach.listen.sphinx import SphinxRecognizer  # noqa: E402
from coach.listen.spoken import INPUTS, SpokenCommands  # noqa: E402
from coach.listen.words import RATE  # noqa: E402

BLOCK = RATE // 20  # 50 ms, as the microphone gives it
POLL_S = 0.01  # the live loop's turn


class Quiet:
    def listening(self) -> None:
        pass

    def heard(self, said: str) -> None:
        pass

    def off(self, problem: str) -> None:
        print(f"listening stopped: {problem}")


class Paced:
    """A recording as a microphone: each block given when its last sample has been 'heard', from `began`."""

    def __init__(self, samples: np.ndarray) -> None:
        self.samples = samples
        self.began = 0.0

    @contextlib.contextmanager
    def __call__(self) -> Iterator[Iterator[np.ndarray]]:
        yield self._blocks()

    def _blocks(self) -> Iterator[np.ndarray]:
        self.began = time.monotonic()
        for at in range(0, len(self.samples), BLOCK):
            due = self.began + (at + BLOCK) / RATE
            time.sleep(max(0.0, due - time.monotonic()))
            yield self.samples[at : at + BLOCK]


def run(noise: str, cache: Path) -> tuple[int, int, float, list[float]]:
    """(commands acted on as said, commands said, share of a core, delays in seconds) for one recording."""
    voices = recordings.Voices(cache)
    joe = recordings.VOICES[1]
    texts: list[str] = []
    for distractor in recordings.DISTRACTORS[:2]:
        texts += [distractor, *recordings.COMMANDS]
    audio, placed = recordings.recording(voices, joe, texts, noise, 20, seed=7)
    microphone = Paced(pcm(audio))
    spoken = SpokenCommands(microphone, SphinxRecognizer, Quiet(), lambda sound, rate: None)
    got: list[tuple[float, object]] = []
    began_cpu, began = time.process_time(), time.monotonic()
    spoken.start()
    end = began + 30 + len(audio) / recordings.SAMPLE_RATE
    while time.monotonic() < end and not (microphone.began and time.monotonic() > microphone.began + len(audio) /
                                          recordings.SAMPLE_RATE + 1.5):  # fmt: skip
        got += [(time.monotonic(), command) for command in spoken.read()]
        time.sleep(POLL_S)
    cpu = (time.process_time() - began_cpu) / (time.monotonic() - began)
    spoken.close()
    commands = [place for place in placed if place.meaning is not None]
    right, delays = 0, []
    for place in commands:
        said_end = microphone.began + place.end
        near = [(at, c) for at, c in got if said_end - 1.0 < at < said_end + 2.0]
        if len(near) == 1 and near[0][1] == INPUTS[place.meaning or ""]:
            right += 1
            delays.append(near[0][0] - said_end)
    return right, len(commands), cpu, delays


def live(cache: Path) -> dict[str, float]:
    """Prints the live listening table; returns the figures for the summary."""
    print()
    print(f"{'--listen, in real time':<28}{'acted on':>10}{'CPU (core)':>12}{'delay median':>14}{'worst':>8}")
    rows: dict[str, float] = {}
    all_delays: list[float] = []
    for noise in recordings.NOISES:
        right, said, cpu, delays = run(noise, cache)
        all_delays += delays
        median = float(np.median(delays)) if delays else float("nan")
        worst = max(delays) if delays else float("nan")
        print(
            f"{f'joe, {noise} noise 20 dB under':<28}{f'{right}/{said}':>10}{cpu:>12.3f}{median:>13.2f}s{worst:>7.2f}s"
        )
        rows[f"live listening CPU, {noise} noise (share of a core)"] = cpu
    rows["live command end to action, worst (s)"] = max(all_delays) if all_delays else float("nan")
    return rows


def main() -> None:
    for key, value in live(Path(tempfile.mkdtemp(prefix="coach-bench-live-"))).items():
        print(f"{key:<46}{value:>10.3f}")


if __name__ == "__main__":
    main()
