"""Make the metronome sounds in sounds/ (22050 Hz, mono, 16-bit WAV).

Each sound starts from silence with a raised-cosine attack and ends in a smooth fade to exact zero, so nothing
clicks on headphones; all peak well below the voice (speech peaks near -2 dBFS, these at -23 to -12 dBFS;
the near-silent lead-in at -50). The struck tick and accent mark the beats and the start of a stroke; the held,
gliding rise and fall mark the start of a slide and of a release, so the steps can be told apart without words.
Being held, the glides carry more energy than their peaks say: over the 400 ms the ear sums, they sit about 5 dB
above the tick and 1 to 2 dB under the accent.

    python scripts/make_sounds.py           # write sounds/*.wav
    python scripts/make_sounds.py --check   # exit 1 if the files differ from what this script makes
"""

from __future__ import annotations

import argparse
import io
import sys
import wave
from pathlib import Path

import numpy as np

RATE = 22050
OUT = Path(__file__).resolve().parent.parent / "sounds"


def envelope(n: int, attack_s: float, decay_s: float, fade_s: float) -> np.ndarray:
    t = np.arange(n) / RATE
    env = np.exp(-t / decay_s)
    a = int(attack_s * RATE)
    env[:a] *= 0.5 - 0.5 * np.cos(np.pi * np.arange(a) / a)
    f = int(fade_s * RATE)
    env[n - f :] *= 0.5 + 0.5 * np.cos(np.pi * np.arange(1, f + 1) / f)
    return env


def tone(
    seconds: float, partials: list[tuple[float, float, float]], attack_s: float, fade_s: float, peak: float
) -> np.ndarray:
    """Sum of decaying sine partials (frequency, amplitude, decay time), scaled to `peak`."""
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    out = np.zeros(n)
    for freq, amp, decay in partials:
        out += amp * np.sin(2 * np.pi * freq * t) * envelope(n, attack_s, decay, fade_s)
    return out * (peak / np.max(np.abs(out)))


def glide(
    seconds: float,
    start_hz: float,
    end_hz: float,
    glide_s: float,
    partials: list[tuple[float, float]],
    attack_s: float,
    decay_s: float,
    fade_s: float,
    peak: float,
) -> np.ndarray:
    """A tone gliding from start_hz to end_hz over glide_s (evenly in pitch), then held, with harmonic partials
    (multiple, amplitude), a slow decay after the attack, scaled to `peak`."""
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    freq = start_hz * (end_hz / start_hz) ** np.clip(t / glide_s, 0.0, 1.0)
    phase = 2 * np.pi * np.cumsum(freq) / RATE
    out = np.zeros(n)
    for multiple, amp in partials:
        out += amp * np.sin(multiple * phase)
    out *= envelope(n, attack_s, decay_s, fade_s)
    out[0] = out[-1] = 0.0
    return out * (peak / np.max(np.abs(out)))


def hush(seconds: float, peak: float) -> np.ndarray:
    """Soft, dark noise (a fixed linear congruential sequence, smoothed), faded in and out, scaled to `peak`."""
    n = int(seconds * RATE)
    state, values = 12345, np.empty(n)
    for i in range(n):
        state = (1103515245 * state + 12345) % 2**31
        values[i] = state / 2**30 - 1.0
    smooth = np.convolve(values, np.ones(32) / 32, mode="same")
    fade = int(0.25 * RATE)
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(fade) / fade)
    smooth[:fade] *= ramp
    smooth[n - fade :] *= ramp[::-1]
    smooth[0] = smooth[-1] = 0.0
    return smooth * (peak / np.max(np.abs(smooth)))


def sounds() -> dict[str, np.ndarray]:
    return {
        # near-silent (about -50 dBFS) before the first word, so wireless headphones wake up in time for it
        "lead-in": hush(2.0, 0.003),
        # a soft, low wooden tick on every beat
        "tick": tone(0.12, [(620.0, 1.0, 0.025), (1240.0, 0.25, 0.015)], 0.004, 0.02, 0.18),
        # a rounder, slightly louder tone on the first beat of each stroke
        "accent": tone(0.22, [(880.0, 1.0, 0.05), (1760.0, 0.2, 0.03)], 0.004, 0.04, 0.25),
        # the start of a slide: a soft upward glide, C5 to F5
        "rise": glide(0.45, 523.25, 698.46, 0.35, [(1, 1.0), (2, 0.18)], 0.020, 0.60, 0.12, 0.080),
        # the start of a release: a soft downward glide, D5 to G4
        "fall": glide(0.55, 587.33, 392.00, 0.40, [(1, 1.0), (2, 0.12)], 0.030, 0.45, 0.15, 0.070),
        # a gentle bell at the end of a phase
        "chime": tone(
            2.0,
            [(523.25, 1.0, 0.9), (1046.5, 0.45, 0.6), (1444.2, 0.25, 0.4), (2825.5, 0.08, 0.25)],
            0.008,
            0.3,
            0.22,
        ),
    }


def wav_bytes(samples: np.ndarray) -> bytes:
    pcm = np.clip(np.rint(samples * 32768.0), -32768, 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(RATE)
        f.writeframes(pcm.tobytes())
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    stale = []
    for name, samples in sounds().items():
        path = OUT / f"{name}.wav"
        data = wav_bytes(samples)
        if args.check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(path.name)
        else:
            path.write_bytes(data)
            print(f"{path.relative_to(OUT.parent)}: {len(samples) / RATE:.2f} s, peak {np.max(np.abs(samples)):.3f}")
    if stale:
        print(f"out of date: {', '.join(stale)} (run python scripts/make_sounds.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
