"""Speech engines named by kind: the value the command line builds once and hands down, and that crosses to worker
processes, where it builds the engine again. Building one is cheap: an engine loads its voice on first use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coach.defaults import ENGINES as KINDS
from coach.defaults import ESPEAK, PIPER
from coach.errors import SpeechError
from coach.quoting import shown
from coach.speech.engine import SpeechEngine

NAMES = {PIPER: "piper", ESPEAK: "pyttsx3-espeak"}  # the engines' own names, as the cache keys carry them


def speech_label(kind: str, voice: str, pace: float) -> str:
    """How a session is spoken, for an MP3's comment and an export's index: the voice by its name (a path's file
    name), the engine, and the pace."""
    name = voice.rsplit("/", 1)[-1].removesuffix(".onnx") if voice.endswith(".onnx") else voice
    return f"voice {shown(name)} ({kind}), pace {pace:g}"  # quoted unless plain: on one line whatever it holds


@dataclass(frozen=True)
class EngineSpec:
    """An engine by kind, with the speech cache folder (scratch files go in it, and Piper remembers its voices'
    digests there) and the folder of the user's own Piper voices."""

    kind: str
    cache: Path
    voices: Path

    @property
    def name(self) -> str:
        if self.kind not in NAMES:
            raise SpeechError(f"Unknown speech engine {self.kind!r}: choose {', '.join(KINDS)}.")
        return NAMES[self.kind]

    def voice_key(self, voice: str) -> str:
        if self.kind == PIPER:
            from coach.speech.piper import find_voice, voice_digest

            return f"sha256:{voice_digest(find_voice(voice, [self.voices]), self.cache / 'voices.json')}"
        if self.kind not in NAMES:
            raise SpeechError(f"Unknown speech engine {self.kind!r}: choose {', '.join(KINDS)}.")
        return voice

    def build(self, threads: int = 0) -> SpeechEngine:
        if self.kind == PIPER:
            from coach.speech.piper import PiperEngine

            return PiperEngine([self.voices], threads)
        if self.kind == ESPEAK:
            from coach.speech.espeak import Pyttsx3Engine

            return Pyttsx3Engine(self.cache / "scratch")
        raise SpeechError(f"Unknown speech engine {self.kind!r}: choose {', '.join(KINDS)}.")
