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
