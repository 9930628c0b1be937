"""Recordings of spoken commands, made by the project itself, for the listening tests and `make bench`.

Every recording is speech from the project's own engines, so nothing is downloaded or committed: the calls and
commands ("Coach, pause."), the tenderness numbers ("Four.") and distractor sentences that use the command words
without the call, each by several voices (Piper's joe at three paces; espeak-ng's American, British, Scottish and
Caribbean voices at several paces and pitches), laid out in a track with quiet between them and mixed with pink
noise or breathing-like noise at a signal-to-noise ratio (10, 20 or 30 dB below the voice). The noise comes from a
seeded generator, so a recording is the same every time its speech is; the speech is kept in a speech cache (the
tests' own, `$COACH_TEST_SPEECH_CACHE`, under `make test`), so it is made once.

    .venv/bin/python scripts/recordings.py OUT_DIR             # a few WAVs to listen to, with what each holds
    .venv/bin/python scripts/recordings.py OUT_DIR --snr 10
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.audio import SAMPLE_RATE, Clip, Pcm, to_float  # noqa: E402
from coach.defaults import ESPEAK, PIPER  # noqa: E402
from coach.speech.cache import Speaker, SpeechCache  # noqa: E402
from coach.speech.engine import SpeechEngine, Voice  # noqa: E402
from coach.speech.factory import EngineSpec  # noqa: E402

COMMANDS = {  # what is said -> the command it means
    "Coach, pause.": "pause",
    "Coach, go on.": "go on",
    "Coach, repeat.": "repeat",
    "Coach, next.": "next",
    "Coach, back.": "back",
    "Coach, stop.": "stop",
}
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
NUMBERS = {f"{word.capitalize()}.": str(n) for n, word in enumerate(NUMBER_WORDS)}
DISTRACTORS = (  # ordinary speech with the command words, and no call
    "Let's pause here for a minute, then go on.",
    "Could you repeat that? I didn't hear the last part.",
    "Stop at the next corner and go back to the car.",
    "I'll be right back, just go on without me.",
    "The next bus leaves at four, so we should stop now.",
    "Press pause on the movie, I need to get a drink.",
    "My back hurts when I sit on the couch for too long.",
    "Go on, tell me what happened next.",
    "Don't stop, you're doing great, keep going.",
    "We can repeat the exercise tomorrow and the next day.",
    "She paused, looked back, and went on walking.",
    "Can we go back to the start and repeat the last step?",
)


@dataclass(frozen=True)
class Speaking:
    """A voice to make recordings with: an engine, its voice, a pace, and (espeak-ng only) a pitch, 0 to 99."""

    kind: str
    voice: str
    pace: float
    pitch: int | None = None

    @property
    def label(self) -> str:
        name = "joe" if self.kind == PIPER else self.voice.removeprefix("gmw/")
        pitch = "" if self.pitch is None else f" pitch {self.pitch}"
        return f"{self.kind} {name} pace {self.pace:g}{pitch}"


VOICES = (
    Speaking(PIPER, "en_US-joe-medium", 0.8),
    Speaking(PIPER, "en_US-joe-medium", 1.0),
    Speaking(PIPER, "en_US-joe-medium", 1.3),
    Speaking(ESPEAK, "gmw/en-us", 0.8, 35),
    Speaking(ESPEAK, "gmw/en-us", 1.0, 50),
    Speaking(ESPEAK, "gmw/en-us", 1.3, 70),
    Speaking(ESPEAK, "gmw/en", 1.0, 40),
    Speaking(ESPEAK, "gmw/en-gb-scotland", 0.9, 60),
    Speaking(ESPEAK, "gmw/en-029", 1.1, 45),
)
NOISES = ("pink", "breath")
SNRS = (10, 20, 30)


class _Pitched:
    """espeak-ng at a pitch of its own: an engine factory whose name carries the pitch, so its clips are cached
    apart from the plain voice's."""

    def __init__(self, spec: EngineSpec, pitch: int) -> None:
        self.spec, self.pitch = spec, pitch
        self.name = f"{spec.name}-pitch{pitch}"

    def voice_key(self, voice: str) -> str:
        return self.spec.voice_key(voice)

    def build(self, threads: int = 0) -> SpeechEngine:
        return _PitchedEngine(self.spec.build(threads), self.pitch)


class _PitchedEngine:
    def __init__(self, engine: SpeechEngine, pitch: int) -> None:
        self.engine, self.pitch = engine, pitch
        self.name, self.sample_rate = engine.name, engine.sample_rate

    def voices(self) -> list[Voice]:
        return self.engine.voices()

    def synthesize(self, text: str, voice: str, pace: float) -> Pcm:
        self.engine.voices()  # loads pyttsx3 and espeak-ng
        library: Any = sys.modules["pyttsx3.drivers._espeak"]
        library.SetParameter(library.PITCH, self.pitch, 0)  # kept across voices and rates, applied with the rate
        return self.engine.synthesize(text, voice, pace)


class Voices:
    """Speech by the recording voices, through coach's own speech cache (one folder for all of them)."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self._speakers: dict[Speaking, Speaker] = {}

    def speaker(self, speaking: Speaking) -> Speaker:
        if speaking not in self._speakers:
            spec = EngineSpec(speaking.kind, self.cache, self.cache / "voices")
            factory = spec if speaking.pitch is None else _Pitched(spec, speaking.pitch)
            self._speakers[speaking] = Speaker(factory, speaking.voice, speaking.pace, SpeechCache(self.cache), 1)
        return self._speakers[speaking]

    def say(self, speaking: Speaking, text: str) -> Clip:
        return to_float(self.speaker(speaking).clip(text))


def pink_noise(n: int, seed: int) -> Clip:
    """Pink noise (power falling 3 dB an octave), RMS 1."""
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
    spectrum *= 1 / np.sqrt(np.maximum(f, 20.0))
    noise = np.fft.irfft(spectrum, n)
    return (noise / np.sqrt(np.mean(noise**2))).astype(np.float32)


def breath_noise(n: int, seed: int) -> Clip:
    """Breathing-like noise, RMS 1: band-limited hiss (about 150 Hz to 3 kHz, like air through the mouth and
    nose) swelling and fading in cycles of about four seconds, an inhale and a longer exhale with a rest between,
    each cycle a little different."""
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
    spectrum *= np.exp(-(((np.log2(np.maximum(f, 1.0)) - np.log2(700.0)) / 1.6) ** 2))
    hiss = np.fft.irfft(spectrum, n)
    envelope = np.zeros(n)
    at = 0
    while at < n:
        for length_s, level in ((1.4, 0.7), (0.3, 0.0), (2.0, 1.0), (0.6, 0.0)):
            count = int(length_s * rng.uniform(0.85, 1.15) * SAMPLE_RATE)
            if level and at < n:
                envelope[at : at + count] = (level * np.sin(np.pi * np.arange(count) / count) ** 2)[: n - at]
            at += count
    noise = hiss * envelope
    return (noise / np.sqrt(np.mean(noise**2))).astype(np.float32)


def speech_rms(clip: Clip) -> float:
    """The voice's level: the RMS of its sounding part (20 ms frames within 40 dB of the loudest)."""
    frame = SAMPLE_RATE // 50
    frames = clip[: len(clip) // frame * frame].reshape(-1, frame).astype(np.float64)
    power = np.mean(frames**2, axis=1)
    return float(np.sqrt(np.mean(power[power > power.max() * 1e-4])))


@dataclass(frozen=True)
class Placed:
    """An utterance in a recording: where it starts and ends (seconds), what was said, and what it means."""

    start: float
    end: float
    text: str
    meaning: str | None  # the command or number, or None for a distractor


def lay_out(clips: Sequence[tuple[str, Clip]], meanings: dict[str, str], gap_s: float = 2.0, lead_s: float = 3.0):
    """The clips one after another with quiet between them: the track and where each one is."""
    parts: list[Clip] = [np.zeros(int(lead_s * SAMPLE_RATE), np.float32)]
    placed: list[Placed] = []
    at = len(parts[0])
    for text, clip in clips:
        placed.append(Placed(at / SAMPLE_RATE, (at + len(clip)) / SAMPLE_RATE, text, meanings.get(text)))
        parts += [clip, np.zeros(int(gap_s * SAMPLE_RATE), np.float32)]
        at += len(clip) + int(gap_s * SAMPLE_RATE)
    return np.concatenate(parts), placed


def with_noise(track: Clip, speech: Clip, noise: str, snr_db: float | None, seed: int) -> Clip:
    """The track with noise under it, `snr_db` below the level of the voice in `speech` (None: no noise)."""
    if snr_db is None:
        return track
    make = pink_noise if noise == "pink" else breath_noise
    level = speech_rms(speech) / 10 ** (snr_db / 20)
    mixed = track + make(len(track), seed) * np.float32(level)
    peak = float(np.max(np.abs(mixed)))
    return (mixed / peak * 0.89 if peak > 0.89 else mixed).astype(np.float32)


def recording(
    voices: Voices,
    speaking: Speaking,
    texts: Iterable[str],
    noise: str = "pink",
    snr_db: float | None = None,
    seed: int = 1,
    gap_s: float = 2.0,
) -> tuple[Clip, list[Placed]]:
    """One voice saying `texts` in turn, `gap_s` apart, with noise: the audio (22050 Hz) and what is where."""
    clips = [(text, voices.say(speaking, text)) for text in texts]
    track, placed = lay_out(clips, {**COMMANDS, **NUMBERS}, gap_s)
    speech = np.concatenate([clip for _, clip in clips])
    return with_noise(track, speech, noise, snr_db, seed), placed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--snr", type=float, default=20.0)
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "coach-recordings")
    args = parser.parse_args()
    import soundfile

    voices = Voices(args.cache)
    args.out.mkdir(parents=True, exist_ok=True)
    for number, speaking in enumerate(VOICES):
        for noise in NOISES:
            texts = [*COMMANDS, *list(NUMBERS)[::3], *DISTRACTORS[:3]]
            audio, placed = recording(voices, speaking, texts, noise, args.snr, seed=number)
            name = f"{speaking.label.replace(' ', '-')}-{noise}-{args.snr:g}dB"
            soundfile.write(args.out / f"{name}.wav", audio, SAMPLE_RATE, subtype="PCM_16")
            lines = [f"{p.start:7.2f} {p.end:7.2f}  {p.meaning or '-':8} {p.text}" for p in placed]
            (args.out / f"{name}.txt").write_text("\n".join(lines) + "\n")
            print(name)


if __name__ == "__main__":
    main()
