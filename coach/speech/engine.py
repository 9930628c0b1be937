"""What the pipeline needs of a text-to-speech engine, and of whatever builds one.

Engines are values passed in, never globals reached for. An engine is built from an `EngineFactory`, a small
picklable value, so that a worker process builds its own (coach export renders in spawned processes).
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

    def synthesize(self, text: str, voice: str, rate: int) -> Pcm:
        """Mono int16 samples at `sample_rate`."""
        ...


class EngineFactory(Protocol):
    """Builds a speech engine, in this process or in a worker: a small picklable value (coach.speech.factory)."""

    def build(self) -> SpeechEngine: ...
