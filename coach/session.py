"""The pipeline in one call: routine + options -> script -> speech clips -> timeline, ready to render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from coach.audio import SAMPLE_RATE, Clip, read_wav, to_float
from coach.routine import Routine
from coach.script import SOUNDS, Options, build_script
from coach.speech.cache import SpeechCache, synthesize_all
from coach.speech.engine import SpeechEngine
from coach.timeline import SOUND, SPEECH, ClipKey, Timeline, build_timeline


@dataclass(frozen=True)
class Session:
    timeline: Timeline
    clips: dict[ClipKey, Clip]


def load_sounds() -> dict[str, Clip]:
    """The metronome sounds shipped in the package, by name."""
    sounds = {}
    for name in SOUNDS:
        with resources.as_file(resources.files("coach.sounds").joinpath(f"{name}.wav")) as path:
            pcm, rate = read_wav(path)
        if rate != SAMPLE_RATE:
            raise RuntimeError(f"{name}.wav is {rate} Hz, not {SAMPLE_RATE} Hz: run scripts/make_sounds.py")
        sounds[name] = to_float(pcm)
    return sounds


def prepare(
    routine: Routine,
    options: Options,
    engine: SpeechEngine,
    cache: SpeechCache,
    voice: str,
    rate: int,
    progress: Callable[[int, int], None] | None = None,
) -> Session:
    script = build_script(routine, options)
    speech = synthesize_all(script.texts(), engine, cache, voice, rate, progress)
    clips: dict[ClipKey, Clip] = {(SPEECH, text): clip for text, clip in speech.items()}
    clips.update({(SOUND, name): clip for name, clip in load_sounds().items()})
    timeline = build_timeline(script, {key: len(clip) for key, clip in clips.items()}, SAMPLE_RATE)
    return Session(timeline, clips)
