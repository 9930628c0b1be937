"""What the pipeline needs of a text-to-speech engine, and of whatever builds one.

Engines are values passed in, never globals reached for. An engine is built from an `EngineFactory`, a small
picklable value, so that a worker process builds its own (coach export synthesizes in spawned processes). The
factory also names the engine and its voices for the speech cache without building anything, so a session whose
speech is all cached loads no engine at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from coach.audio import Pcm


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    languages: tuple[str, ...]


class SpeechEngine(Protocol):
    """A text-to-speech engine."""

    name: str  # stable: part of the cache key, so a phrase from one engine is never taken for another's
    sample_rate: int

    def voices(self) -> list[Voice]: ...

    def synthesize(self, text: str, voice: str, pace: float) -> Pcm:
        """Mono int16 samples at `sample_rate`. `pace` 1.0 is the calm default; 0.9 is slower, 1.1 quicker."""
        ...


class EngineFactory(Protocol):
    """Builds a speech engine, in this process or in a worker: a small picklable value (coach.speech.factory)."""

    @property
    def name(self) -> str:
        """The name of the engine it builds (the cache key's), known without building it."""
        ...

    def voice_key(self, voice: str) -> str:
        """What names `voice` in the speech cache, found without building the engine; SpeechError for a voice that
        cannot be used."""
        ...

    def build(self, threads: int = 0) -> SpeechEngine:
        """The engine; `threads` bounds the CPU threads it may use for one line (0: its own choice)."""
        ...
