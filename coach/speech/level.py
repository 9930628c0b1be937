"""Loudness of speech clips (pure: numpy in, numpy out): every clip is brought to one integrated loudness (ITU-R
BS.1770, measured by libloudness through the `loudness` package) with its true peaks kept under a ceiling by a
look-ahead limiter, when it is made. Both engines get the same treatment, so a session sounds like a podcast
(about -16.5 LUFS, true peak at most -1 dBTP after MP3 encoding) whichever voice speaks it.

Only synthesis imports this module: a session whose speech is all cached never loads it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from coach.audio import Pcm

TARGET_LUFS = -15.0  # per clip: a session measures about 1.5 LU less on its decoded MP3 (LAME low-passes near
# 9.5 kHz, and the peakiest lines stop short of the target rather than be squashed)
CEILING_DBTP = -3.0  # per clip, and for a tick on a line (session.duck): MP3 encoding lifts true peaks 1 to 2 dB
SETTINGS = f"bs1770 {TARGET_LUFS:g} LUFS, true peak {CEILING_DBTP:g} dBTP"  # part of every cache key

WINDOW_MS = 20.0  # the limiter's gain moves over this much either side of a peak
ROUNDS = 8  # bisection steps at most, as limiting takes back part of each raise
MAX_LIMIT_DB = 9.0  # the most gain the limiter may be made to take back, to reach the target
BLOCK_S = 0.4  # BS.1770's gating block: a shorter clip is measured repeated to this length
OVERSAMPLE = 4  # true peak: the largest magnitude of the 4x oversampled signal (BS.1770-4, Annex 2)

Samples = npt.NDArray[np.float64]


def loudness(x: Samples, rate: int) -> float:
    """Integrated loudness in LUFS of a float clip (full scale 1.0); -inf for silence. A clip shorter than one
    400 ms block is measured repeated to that length: the loudness of the sound itself."""
    import loudness as meter  # libloudness: imported only when a clip is made

    if x.size == 0 or not np.any(x):
        return -math.inf
    block = round(BLOCK_S * rate)
    if len(x) < block:
        x = np.tile(x, -(-block // len(x)) + 1)
    return float(meter.integrated_loudness(np.ascontiguousarray(x, dtype=np.float64), rate))


def _interpolator(factor: int = OVERSAMPLE, taps_per_phase: int = 16) -> Samples:
    """A windowed-sinc low-pass for upsampling by `factor`, with its centre tap 1 (odd length, so it has one)."""
    n = factor * taps_per_phase + 1
    t = (np.arange(n) - (n - 1) / 2) / factor
    taps: Samples = np.sinc(t) * np.kaiser(n, 8.0)
    return taps


def peak_envelope(x: Samples) -> Samples:
    """Per sample, the largest magnitude of the 4x oversampled signal from that sample to the next three
    in-between points. Polyphase: the in-between points are three short convolutions at the clip's own rate (the
    interpolator's centre tap is 1 and its other taps at whole samples are 0, so the samples themselves are kept)."""
    if x.size == 0:
        return np.zeros(0)
    taps = _interpolator()
    centre = (len(taps) - 1) // 2
    envelope: Samples = np.abs(x)
    for phase in range(1, OVERSAMPLE):
        shifts = [j for j in range(-len(taps), len(taps)) if 0 <= OVERSAMPLE * j + phase + centre < len(taps)]
        filter_ = taps[[OVERSAMPLE * j + phase + centre for j in shifts]]
        between = np.convolve(x, filter_)[-shifts[0] : -shifts[0] + len(x)]
        envelope = np.maximum(envelope, np.abs(between))
    return envelope


def true_peak(x: Samples) -> float:
    """The true peak of a clip, linear (1.0 is full scale)."""
    return float(peak_envelope(x).max()) if x.size else 0.0


def _sliding_min(a: Samples, half: int) -> Samples:
    """The minimum of a[i - half .. i + half] for every i, edges extended (van Herk / Gil-Werman: linear time)."""
    k = 2 * half + 1
    padded = np.pad(a, (half, half), mode="edge")
    blocks = np.pad(padded, (0, -len(padded) % k), constant_values=np.inf).reshape(-1, k)
    forward = np.minimum.accumulate(blocks, axis=1).ravel()
    backward = np.minimum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    starts = np.arange(len(a))
    result: Samples = np.minimum(backward[starts], forward[starts + k - 1])
    return result


def _moving_mean(a: Samples, half: int) -> Samples:
    """The mean of a[i - half .. i + half] for every i, edges extended."""
    padded = np.pad(a, (half + 1, half), mode="edge")
    sums = np.cumsum(padded)
    result: Samples = (sums[2 * half + 1 :] - sums[: -2 * half - 1]) / (2 * half + 1)
    return result


def limit_peaks(x: Samples, rate: int, ceiling_dbtp: float, envelope: Samples | None = None) -> Samples:
    """Look-ahead limiter: a gain curve that keeps the oversampled signal under the ceiling, ramped over WINDOW_MS
    before and after each peak (no clipping, no overshoot). `envelope` is x's peak_envelope, if already known (it
    scales with a constant gain, so a clip's is computed once)."""
    ceiling = 10 ** (ceiling_dbtp / 20)
    env = peak_envelope(x) if envelope is None else envelope
    needed = np.minimum(1.0, ceiling / np.maximum(env, 1e-12))
    if needed.min() >= 1.0:
        return x
    w = max(1, round(rate * WINDOW_MS / 1000))
    # the least need within +/- w, then a centred mean over +/- w/2: every value averaged is at most the need at the
    # centre, so the smoothed gain never lets a peak through, and it moves over about w samples either side
    gain = _moving_mean(_sliding_min(needed, w), w // 2)
    limited: Samples = x * gain
    return limited


@dataclass(frozen=True)
class Levelled:
    samples: Samples  # float, full scale 1.0
    gain_db: float  # the gain applied before limiting
    limiting: Samples  # the limiter's gain per sample (1.0 where it did nothing)


def level(x: Samples, rate: int, target_lufs: float = TARGET_LUFS, ceiling_dbtp: float = CEILING_DBTP) -> Levelled:
    """Gain to `target_lufs`; where peaks would pass the ceiling, the limiter takes them down and more gain makes up
    for what it took, found by bisection (loudness after limiting only grows with the gain), within 0.05 LU of the
    target. The limiter never takes more than MAX_LIMIT_DB: a very peaky clip ends a little short of the target
    rather than squashed (driving a limiter harder raises loudness little, and brings up breaths and noise).
    Silence is returned unchanged."""
    measured = loudness(x, rate)
    if not math.isfinite(measured):
        return Levelled(x, 0.0, np.ones(len(x)))
    ceiling = ceiling_dbtp - 0.1  # room for rounding to 16 bits
    envelope = peak_envelope(x)

    def attempt(gain_db: float) -> tuple[Samples, float]:
        scale = 10 ** (gain_db / 20)
        y = limit_peaks(x * scale, rate, ceiling, envelope * scale)
        return y, target_lufs - loudness(y, rate)

    low = target_lufs - measured  # the plain gain: with no limiting it lands on the target
    y, error = attempt(low)
    applied = low
    if error > 0.05:  # the limiter took some: raise the gain, bracketed by how much limiting is allowed
        high = low + MAX_LIMIT_DB
        y_high, error_high = attempt(high)
        if error_high >= 0:
            y, applied = y_high, high
        else:
            for _ in range(ROUNDS):
                applied = (low + high) / 2
                y, error = attempt(applied)
                if abs(error) < 0.05:
                    break
                low, high = (applied, high) if error > 0 else (low, applied)
    scale = 10 ** (applied / 20)
    with np.errstate(divide="ignore", invalid="ignore"):
        limiting = np.where(x != 0, y / (x * scale), 1.0)
    return Levelled(y, applied, limiting)


def normalize(pcm: Pcm | npt.NDArray[Any], rate: int) -> Pcm:
    """A clip at the session's loudness: int16 in (or float in [-1, 1]), int16 out, the same length."""
    x = pcm.astype(np.float64) / 32768.0 if pcm.dtype == np.int16 else pcm.astype(np.float64)
    y = level(x, rate).samples
    out: Pcm = np.rint(np.clip(y, -1.0, 32767 / 32768) * 32768).astype(np.int16)
    return out
