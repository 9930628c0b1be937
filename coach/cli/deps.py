"""The dependencies, built in one place at the command line's edge and handed down: where files live, the speech
engine (as a factory that can cross to worker processes), the audio output, the keyboard and the clock.

Nothing below the command line builds an engine, opens the program log or reads the clock for itself; tests build
a `Deps` of their own with fakes and pass it as click's `obj`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from coach.paths import Dirs
from coach.speech.engine import EngineFactory
from coach.speech.factory import ESPEAK, EngineSpec

if TYPE_CHECKING:
    from coach.live import Keys
    from coach.output.playback import Backend


@dataclass(frozen=True)
class Clock:
    now: Callable[[], datetime]  # local time, for the program log and for "today"
    monotonic: Callable[[], float]  # seconds, for pacing a live session
    sleep: Callable[[float], None]


SYSTEM_CLOCK = Clock(now=datetime.now, monotonic=time.monotonic, sleep=time.sleep)


def open_simpleaudio() -> Backend:
    """The real audio output (imported only when a session is played)."""
    from coach.output.playback import SimpleaudioBackend

    return SimpleaudioBackend()


def terminal_keys() -> AbstractContextManager[Keys]:
    """Single keys from the terminal, restored on leaving (nothing to read when stdin is not a terminal)."""
    from coach.live import terminal_keys

    return terminal_keys()


@dataclass(frozen=True)
class Deps:
    dirs: Dirs
    engine: EngineFactory  # builds the speech engine, here or in a worker process
    audio: Callable[[], Backend]  # opens the audio output; AudioOutputError when there is none
    keys: Callable[[], AbstractContextManager[Keys]]
    clock: Clock

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Deps:
        dirs = Dirs.from_environment(os.environ if environ is None else environ)
        return cls(
            dirs=dirs,
            engine=EngineSpec(ESPEAK, dirs.scratch),
            audio=open_simpleaudio,
            keys=terminal_keys,
            clock=SYSTEM_CLOCK,
        )
