"""Listening: audio blocks through a recognizer, and what was said, as it is understood.

The recognizer and the blocks are passed in (the microphone or a recording; PocketSphinx, or a fake in tests), so
this holds no device and no model of its own. Each outcome comes with the sample at which it was known: the audio
taken up to then, so `known - heard.end` is the delay from the end of the words to the action.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from coach.audio import Pcm
from coach.listen.words import COMMANDS_MODE, Heard, Hypothesis, understand


class Recognizer(Protocol):
    def listen_for(self, mode: str) -> None: ...

    def feed(self, block: Pcm) -> list[Hypothesis]: ...

    def finish(self) -> list[Hypothesis]: ...


@dataclass(frozen=True)
class Known:
    """An outcome, and the sample of the audio at which it was known."""

    heard: Heard
    known: int


def level_db(block: Pcm) -> float:
    """A block's RMS level in dB below full scale (-120 for silence)."""
    if not len(block):
        return -120.0
    rms = float(np.sqrt(np.mean((block.astype(np.float64) / 32768.0) ** 2)))
    return max(-120.0, 20 * float(np.log10(rms)) if rms > 0 else -120.0)


def listen(
    blocks: Iterable[Pcm],
    recognizer: Recognizer,
    mode: str = COMMANDS_MODE,
    level: Callable[[float], None] | None = None,
) -> Iterator[Known]:
    """What is said in the blocks, as each is understood; `level` hears each block's level (dBFS)."""
    recognizer.listen_for(mode)
    taken = 0
    for block in blocks:
        taken += len(block)
        if level is not None:
            level(level_db(block))
        for hypothesis in recognizer.feed(block):
            heard = understand(hypothesis, mode)
            if heard is not None:
                yield Known(heard, taken)
    for hypothesis in recognizer.finish():
        heard = understand(hypothesis, mode)
        if heard is not None:
            yield Known(heard, taken)
