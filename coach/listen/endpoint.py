"""Where utterances begin and end in a stream of audio (pure): an energy gate over a noise floor that follows the
room.

PocketSphinx's own voice-activity detector hears steady noise 10 dB under the voice (a fan, pink noise) as one
endless utterance, so commands in it were never decoded. Here each 10 ms frame's energy, after a pre-emphasis that
weighs the speech band over the rumble, is compared with the floor: the quietest tenth of the last few seconds. An
utterance starts where most frames of a short run stand ON_DB above the floor (with PRE_ROLL_S of audio before it,
so the first consonant is not lost) and ends after END_S of frames under OFF_DB above it, or at MAX_S.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from coach.audio import Pcm
from coach.listen.words import RATE

FRAME = RATE // 100  # 10 ms
ON_DB = 6.0  # a frame this far above the floor is speech
OFF_DB = 3.0  # and under this, quiet again
START_FRAMES = (4, 6)  # speech starts when 4 of the last 6 frames are speech
END_S = 0.3  # quiet this long ends an utterance
PRE_ROLL_S = 0.3  # audio kept from before the start
MAX_S = 8.0  # an utterance longer than this is ended anyway
FLOOR_S = 4.0  # the floor is the quietest tenth of this much audio
QUIETEST = 10  # percent


@dataclass(frozen=True)
class Piece:
    """Audio of an utterance, with where it starts (a sample of the stream). `last` ends the utterance."""

    samples: Pcm
    start: int
    last: bool


class Endpointer:
    """Audio in, utterances' audio out, frame by frame; quiet between them is dropped."""

    def __init__(self) -> None:
        self._energies: deque[float] = deque(maxlen=round(FLOOR_S * 100))
        self._recent: deque[bool] = deque(maxlen=START_FRAMES[1])
        self._before: deque[Pcm] = deque(maxlen=round(PRE_ROLL_S * 100))
        self._pending = np.zeros(0, dtype=np.int16)
        self._previous = 0.0  # the last sample, for the pre-emphasis across frames
        self._at = 0  # the stream's samples taken, in whole frames
        self._start: int | None = None  # where the open utterance starts
        self._quiet = 0  # frames of quiet in the open utterance
        self.end = 0  # where the last utterance's speech ended

    @property
    def in_speech(self) -> bool:
        return self._start is not None

    def feed(self, block: Pcm) -> list[Piece]:
        samples = np.concatenate([self._pending, block])
        whole = len(samples) // FRAME * FRAME
        self._pending = samples[whole:]
        pieces: list[Piece] = []
        for at in range(0, whole, FRAME):
            piece = self._frame(samples[at : at + FRAME])
            if piece is not None:
                pieces.append(piece)
        return pieces

    def finish(self) -> list[Piece]:
        """The end of the stream: an open utterance ends here."""
        if self._start is None:
            return []
        start, self._start = self._start, None
        self.end = self._at
        return [Piece(self._pending, start, True)]

    def _energy(self, frame: Pcm) -> float:
        x = frame.astype(np.float64)
        emphasized = x - 0.95 * np.concatenate([[self._previous], x[:-1]])
        self._previous = float(x[-1])
        return 10 * float(np.log10(np.mean(emphasized**2) + 1.0))

    def _frame(self, frame: Pcm) -> Piece | None:
        energy = self._energy(frame)
        self._energies.append(energy)
        floor = float(np.percentile(self._energies, QUIETEST))
        self._at += FRAME
        if self._start is None:
            self._recent.append(energy > floor + ON_DB)
            self._before.append(frame)
            if sum(self._recent) < START_FRAMES[0] or len(self._energies) < 50:
                return None
            self._start = self._at - FRAME * len(self._before)
            self._quiet = 0
            audio = np.concatenate(list(self._before))
            self._before.clear()
            self._recent.clear()
            return Piece(audio, self._start, False)
        self._quiet = self._quiet + 1 if energy < floor + OFF_DB else 0
        if self._quiet >= END_S * 100 or self._at - self._start >= MAX_S * RATE:
            start, self._start = self._start, None
            self.end = self._at - FRAME * self._quiet
            return Piece(frame, start, True)
        return Piece(frame, self._start, False)
