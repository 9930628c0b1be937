"""Benchmark of spoken commands: how many are recognized and acted on under noise, false triggers on the coach's own
sessions and on ordinary speech with the command words, the delay from the end of a command to its action, and
the processor time listening takes.

    .venv/bin/python scripts/bench_listen.py                 # on its own (makes an hour of sessions first)
    make bench                                               # as part of the whole benchmark

The recordings are scripts/recordings.py's: every voice (Piper's joe at three paces, espeak-ng voices at several
paces and pitches) says each command twice, under pink and breathing-like noise at 10, 20 and 30 dB below the
voice; the same voices say the distractor sentences under the same noises. Audio goes to the recognizer in 50 ms
blocks, as the microphone gives it; a command counts when it is understood as itself, from within half a second of
where its call was said, and nothing else is understood there.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import recordings  # noqa: E402

from coach.audio import resample  # noqa: E402
from coach.listen.listening import Known, listen  # noqa: E402
from coach.listen.sources import recording  # noqa: E402
from coach.listen.sphinx import SphinxRecognizer  # noqa: E402
from coach.listen.words import COMMAND, COMMANDS_MODE, NUMBERS_MODE, RATE, SAY_AGAIN  # noqa: E402

BLOCK = RATE // 20


class Timed:
    """Listening, with the processor time the recognizer takes and the audio it heard."""

    def __init__(self) -> None:
        self.cpu = 0.0
        self.seconds = 0.0

    def hear(self, samples: np.ndarray, mode: str = COMMANDS_MODE) -> list[Known]:
        blocks = [samples[at : at + BLOCK] for at in range(0, len(samples), BLOCK)]
        return self.hear_blocks(blocks, mode)

    def hear_blocks(self, blocks: list[np.ndarray], mode: str = COMMANDS_MODE) -> list[Known]:
        began = time.process_time()
        heard = list(listen(blocks, SphinxRecognizer(), mode))
        self.cpu += time.process_time() - began
        self.seconds += sum(len(b) for b in blocks) / RATE
        return heard


def pcm(audio: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(resample(audio, recordings.SAMPLE_RATE, RATE) * 32767), -32768, 32767).astype(np.int16)


def commands(
    voices: recordings.Voices, timed: Timed, noise: str, snr: float
) -> tuple[int, int, list[float], dict[str, list[int]]]:
    """(commands acted on as said, commands said, delays in seconds, [acted on, said] by engine) over every voice."""
    right = said = 0
    delays: list[float] = []
    engines: dict[str, list[int]] = {}
    for number, speaking in enumerate(recordings.VOICES):
        counts = engines.setdefault(speaking.kind, [0, 0])
        audio, placed = recordings.recording(voices, speaking, list(recordings.COMMANDS) * 2, noise, snr, number)
        heard = [k for k in timed.hear(pcm(audio)) if k.heard.kind != SAY_AGAIN]
        for place in placed:
            said += 1
            near = [k for k in heard if abs(k.heard.start / RATE - place.start) <= 0.5]
            counts[1] += 1
            if len(near) == 1 and near[0].heard.name == place.meaning:
                right += 1
                counts[0] += 1
                delays.append(near[0].known / RATE - place.end)
    return right, said, delays, engines


def numbers(voices: recordings.Voices, timed: Timed, noise: str, snr: float) -> tuple[int, int]:
    """(numbers understood as said, numbers said) over every voice, listening for the tenderness answer."""
    right = said = 0
    for number, speaking in enumerate(recordings.VOICES):
        texts = [recordings.DISTRACTORS[0], *recordings.NUMBERS]
        audio, placed = recordings.recording(voices, speaking, texts, noise, snr, number)
        heard = timed.hear(pcm(audio), NUMBERS_MODE)
        for place in placed[1:]:
            said += 1
            near = [k for k in heard if abs(k.heard.start / RATE - place.start) <= 0.5]
            right += len(near) == 1 and near[0].heard.name == place.meaning
    return right, said


def distractors(voices: recordings.Voices, timed: Timed) -> tuple[int, int, float]:
    """(commands acted on, say-agains, seconds) over the distractor sentences, every voice and noise."""
    acted = again = 0
    seconds = 0.0
    for number, speaking in enumerate(recordings.VOICES):
        for noise in recordings.NOISES:
            for snr in (None, *recordings.SNRS):
                audio, _ = recordings.recording(voices, speaking, recordings.DISTRACTORS, noise, snr, number)
                heard = timed.hear(pcm(audio))
                acted += sum(k.heard.kind == COMMAND for k in heard)
                again += sum(k.heard.kind == SAY_AGAIN for k in heard)
                seconds += len(audio) / recordings.SAMPLE_RATE
    return acted, again, seconds


def sessions(files: list[Path], timed: Timed) -> tuple[int, int, float]:
    """(commands acted on, say-agains, seconds) over the coach's own exported sessions."""
    acted = again = 0
    seconds = 0.0
    for file in files:
        blocks = list(recording(file))
        heard = timed.hear_blocks(blocks)
        acted += sum(k.heard.kind == COMMAND for k in heard)
        again += sum(k.heard.kind == SAY_AGAIN for k in heard)
        seconds += sum(len(b) for b in blocks) / RATE
    return acted, again, seconds


def listening(cache: Path, session_files: list[Path]) -> dict[str, float]:
    """Prints the listening tables; returns the figures for the summary."""
    voices = recordings.Voices(cache)
    timed = Timed()
    rows: dict[str, float] = {}
    print()
    print(f"{'spoken commands':<28}{'acted on':>10}{'share':>8}{'delay median':>14}{'worst':>8}   by engine")
    all_delays: list[float] = []
    for snr in recordings.SNRS:
        for noise in recordings.NOISES:
            right, said, delays, engines = commands(voices, timed, noise, snr)
            split = ", ".join(f"{kind} {acted}/{of}" for kind, (acted, of) in engines.items())
            all_delays += delays
            median = float(np.median(delays)) if delays else float("nan")
            worst = max(delays) if delays else float("nan")
            print(f"{f'{noise} noise, {snr} dB under':<28}{f'{right}/{said}':>10}{right / said:>8.1%}"
                  f"{median:>13.2f}s{worst:>7.2f}s   {split}")  # fmt: skip
            if snr == 20:
                rows[f"commands missed, {noise} noise 20 dB (%)"] = 100 * (1 - right / said)
    rows["command end to action, median (s)"] = float(np.median(all_delays))
    rows["command end to action, 95th percentile (s)"] = float(np.percentile(all_delays, 95))
    right, said = numbers(voices, timed, "pink", 20)
    print(f"numbers alone (the tenderness answer), pink noise 20 dB under: {right}/{said} = {right / said:.1%}")
    rows["numbers missed, pink noise 20 dB (%)"] = 100 * (1 - right / said)
    acted, again, seconds = distractors(voices, timed)
    print(f"ordinary speech with the command words: {seconds / 60:.1f} min, {acted} commands acted on, "
          f"{again} say-agains")  # fmt: skip
    rows["false triggers an hour, ordinary speech"] = acted / (seconds / 3600)
    if session_files:
        acted, again, seconds = sessions(session_files, timed)
        print(f"the coach's own sessions: {seconds / 60:.1f} min, {acted} commands acted on, {again} say-agains")
        rows["false triggers an hour, coach's sessions"] = acted / (seconds / 3600)
    print(f"listening took {timed.cpu:.1f} CPU s for {timed.seconds / 60:.1f} min of audio")
    rows["CPU while listening (share of a core)"] = timed.cpu / timed.seconds
    return rows


def main() -> None:
    import os
    import subprocess
    import tempfile

    work = Path(tempfile.mkdtemp(prefix="coach-bench-listen-"))
    env = {"COACH_CACHE_DIR": str(work / "cache-sessions"), "COACH_DATA_DIR": str(work / "data")}
    files = []
    for engine in ("piper", "espeak"):
        target = work / f"psoas-both-{engine}.mp3"
        subprocess.run(
            [sys.executable, "-m", "coach", "psoas", "--side", "both", "--strokes", "12", "--tempo", "slow",
             "--engine", engine, "-o", str(target)],
            env={**os.environ, **env}, check=True, capture_output=True,
        )  # fmt: skip
        files.append(target)
    for key, value in listening(work / "cache-recordings", files).items():
        print(f"{key:<46}{value:>10.3f}")


if __name__ == "__main__":
    main()
