"""The audio facts every stage shares (a leaf): the session's sample rate, its sample types, and conversions.

Sessions are 22050 samples a second, signed 16-bit (`Pcm`), in stereo (arrays of shape (n, 2): left, right) or
mono (shape (n,)). 22050 Hz is espeak-ng's own rate, so speech is never resampled. While mixing, clips are float32
with full scale 1.0 (`Clip`); speech and the sounds are mono clips, placed in stereo by the mixer.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 22050
MONO, STEREO = 1, 2  # channels

Clip = npt.NDArray[np.float32]  # full scale is 1.0
Pcm = npt.NDArray[np.int16]  # (n,) mono or (n, 2) stereo


def to_float(pcm: Pcm) -> Clip:
    return (pcm.astype(np.float32) / 32768.0).astype(np.float32)


def to_pcm(samples: Clip) -> Pcm:
    pcm: Pcm = np.clip(np.rint(samples * 32768.0), -32768, 32767).astype(np.int16)
    return pcm


def centred(pcm: Pcm, channels: int) -> Pcm:
    """A mono clip (a spoken prompt) as the session's channels have it: in stereo, in the centre at constant power
    (each ear at cos(pi / 4)), as the session's words are."""
    if channels == 1:
        return pcm
    half = to_pcm((pcm.astype(np.float32) / 32768.0 * np.float32(np.cos(np.pi / 4))).astype(np.float32))
    return np.column_stack([half] * channels)


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
