"""Where heard audio comes from (an edge): the default microphone through PortAudio, or a recording.

Both give blocks of 16 kHz mono 16-bit samples, the recognizer's format, and nothing is kept: the microphone's
blocks pass through a short queue and are dropped once heard; a recording is read a block at a time.
"""

from __future__ import annotations

import contextlib
import queue
from collections.abc import Iterator
from math import gcd
from pathlib import Path
from typing import Any

import numpy as np

from coach.audio import Pcm, resample
from coach.errors import CoachError
from coach.listen.words import RATE

BLOCK_S = 0.05  # a block of audio: what the microphone hands over at a time, and a recording is read in
READ_TYPES = ("WAV", "FLAC", "OGG", "MP3")
MARGIN = 32  # samples either side of a block when it is resampled: the resampler's filter reaches 16


class MicrophoneError(CoachError):
    pass


def _to_recognizer(block: np.ndarray, rate: int) -> Pcm:
    """A mono float block as the recognizer's samples: resampled, 16-bit."""
    at_rate = resample(block.astype(np.float32), rate, RATE)
    samples: Pcm = np.clip(np.rint(at_rate * 32767.0), -32768, 32767).astype(np.int16)
    return samples


def recording(path: Path) -> Iterator[Pcm]:
    """A recording's audio, a block at a time (WAV, FLAC, OGG or MP3), mixed to one channel. The file is opened
    here: one that is missing or not audio raises CoachError, in one sentence, before anything is read."""
    import soundfile

    try:
        sound = soundfile.SoundFile(str(path))
    except (soundfile.LibsndfileError, OSError, RuntimeError) as exc:
        problem = "it does not exist" if not path.exists() else "it is not a WAV, FLAC, OGG or MP3 recording"
        raise CoachError(f"Cannot listen to {path}: {problem}.") from exc
    if sound.format not in READ_TYPES:
        sound.close()
        raise CoachError(f"Cannot listen to {path}: it is not a WAV, FLAC, OGG or MP3 recording.")
    return _blocks(sound, path)


def _blocks(sound: Any, path: Path) -> Iterator[Pcm]:
    """The file's blocks at the recognizer's rate. Each is resampled with the samples either side of it (a block's
    own edges would otherwise be filtered against silence, a click every block): blocks are whole multiples of the
    rates' ratio, so each gives whole samples, and one block is read ahead."""
    with sound:
        rate = int(sound.samplerate)
        down = rate // gcd(rate, RATE)  # input samples in one whole step of the ratio
        frames = max(1, round(rate * BLOCK_S / down)) * down
        margin = down * -(-MARGIN // down)
        previous = np.zeros(0, dtype=np.float32)
        current = _read(sound, frames, path)
        while len(current):
            following = _read(sound, frames, path)
            left = previous[len(previous) - min(margin, len(previous)) :]
            resampled = _to_recognizer(np.concatenate([left, current, following[:margin]]), rate)
            first = len(left) * RATE // rate
            yield resampled[first : first + len(current) * RATE // rate]
            previous, current = current, following


def _read(sound: Any, frames: int, path: Path) -> np.ndarray:
    import soundfile

    try:
        block = sound.read(frames, dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError) as exc:
        raise CoachError(f"Cannot listen to {path}: it is damaged ({exc}).") from exc
    return np.asarray(block.mean(axis=1), dtype=np.float32)


@contextlib.contextmanager
def microphone(device: int | str | None = None) -> Iterator[Iterator[Pcm]]:
    """The default microphone (or `device`), open while the context lasts: its blocks, as they come. A microphone
    that cannot be opened, or that goes away, raises MicrophoneError in one sentence."""
    try:
        import sounddevice
    except (ImportError, OSError) as exc:
        raise MicrophoneError(f"No microphone could be opened: PortAudio is missing ({exc}).") from exc
    blocks: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=200)  # 10 s: a slow reader loses the oldest

    def heard(data: np.ndarray, frames: int, time: Any, status: Any) -> None:
        if blocks.full():
            with contextlib.suppress(queue.Empty):
                blocks.get_nowait()
        blocks.put_nowait(data.copy())

    def finished() -> None:
        with contextlib.suppress(queue.Full):
            blocks.put_nowait(None)  # the stream stopped by itself: the device went away

    try:
        stream = sounddevice.InputStream(
            samplerate=RATE, channels=1, dtype="float32", device=device, blocksize=round(RATE * BLOCK_S),
            callback=heard, finished_callback=finished,
        )  # fmt: skip
    except (sounddevice.PortAudioError, ValueError) as exc:
        raise MicrophoneError(f"No microphone could be opened ({_reason(exc)}).") from exc
    rate = int(stream.samplerate)

    def read() -> Iterator[Pcm]:
        while True:
            try:
                block = blocks.get(timeout=2.0)
            except queue.Empty:
                block = None
            if block is None:
                raise MicrophoneError("The microphone stopped sending sound.")
            yield _to_recognizer(block[:, 0], rate)

    with stream:
        yield read()


def _reason(exc: Exception) -> str:
    text = str(exc.args[0] if exc.args else exc)
    if "querying device -1" in text or "Invalid device" in text or "No Default Input Device" in text:
        return "PortAudio finds no input device"
    return text.rstrip(".")
