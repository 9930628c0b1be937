"""The audio facts every stage shares (a leaf): the session's sample rate, its sample types, and conversions.

Sessions are 22050 samples a second, one channel, signed 16-bit (`Pcm`). That is espeak-ng's own rate, so speech is
never resampled. While mixing, clips are float32 with full scale 1.0 (`Clip`).
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 22050
CHANNELS = 1

Clip = npt.NDArray[np.float32]  # mono, full scale is 1.0
Pcm = npt.NDArray[np.int16]


def to_float(pcm: Pcm) -> Clip:
    return (pcm.astype(np.float32) / 32768.0).astype(np.float32)


def to_pcm(samples: Clip) -> Pcm:
    pcm: Pcm = np.clip(np.rint(samples * 32768.0), -32768, 32767).astype(np.int16)
    return pcm


def read_wav(path: Path) -> tuple[Pcm, int]:
    """A mono 16-bit WAV file's samples and its sample rate."""
    with wave.open(str(path), "rb") as f:
        if f.getnchannels() != 1 or f.getsampwidth() != 2:
            raise ValueError(f"{path.name}: expected mono 16-bit audio")
        data = f.readframes(f.getnframes())
        return np.frombuffer(data, dtype="<i2").astype(np.int16), f.getframerate()


def resample(x: Clip, from_rate: int, to_rate: int, taps: int = 32) -> Clip:
    """A float clip from one sample rate to another (a windowed-sinc interpolator, one filter per output phase):
    for a Piper voice that speaks at 16000 Hz, say. The same clip when the rates agree."""
    if from_rate == to_rate or x.size == 0:
        return x
    step = np.gcd(from_rate, to_rate)
    up, down = to_rate // step, from_rate // step
    cutoff = min(1.0, to_rate / from_rate)  # below the lower of the two Nyquist frequencies
    offsets = np.arange(-taps // 2 + 1, taps // 2 + 1)
    phases = np.arange(up) / up
    distance = phases[:, None] - offsets[None, :]  # from each output phase to the input samples around it
    window = np.i0(8.0 * np.sqrt(np.clip(1 - (distance / (taps / 2)) ** 2, 0, 1))) / np.i0(8.0)
    bank = cutoff * np.sinc(cutoff * distance) * window
    padded = np.pad(x.astype(np.float64), (taps, taps))
    count = len(x) * up // down
    out = np.empty(count, dtype=np.float32)
    for first in range(0, count, 65536):
        n = np.arange(first, min(first + 65536, count))
        at, phase = n * down // up, n * down % up
        out[n] = np.einsum("ij,ij->i", padded[at[:, None] + offsets[None, :] + taps], bank[phase])
    return out
