"""Speech engines named by kind: the value the command line builds once and hands down, and that crosses to worker
processes, where it builds the engine again. Building one is cheap: an engine loads its voice on first use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coach.errors import SpeechError
from coach.speech.engine import SpeechEngine

ESPEAK = "espeak"
KINDS = (ESPEAK,)


@dataclass(frozen=True)
class EngineSpec:
    """An engine by kind, with where it may write its scratch files (it removes them as it goes)."""

    kind: str
    scratch: Path

    def build(self) -> SpeechEngine:
        if self.kind == ESPEAK:
            from coach.speech.espeak import Pyttsx3Engine

            return Pyttsx3Engine(self.scratch)
        raise SpeechError(f"Unknown speech engine {self.kind!r}: choose {', '.join(KINDS)}.")
