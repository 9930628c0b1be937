"""Where utterances begin and end in a stream of audio (pure): voiced frames over a noise floor that follows the
room.

PocketSphinx's own voice-activity detector hears steady noise 10 dB under the voice (a fan, pink noise) as one
endless utterance, and an energy gate alone takes every breath for speech: a breath is a long burst of broadband
hiss as loud as a quiet word, so it opened utterances and held them open, joining a command to the breaths round it
into one long utterance that was then no command. Here a 10 ms frame counts as voice only when it is both loud and
periodic: its energy, after a pre-emphasis that weighs the speech band over the rumble, stands ON_DB above the
floor (the quietest tenth of the last few seconds), and the last 30 ms of it repeat themselves at a pitch period
(normalized autocorrelation over 2.5 to 12.5 ms, 80 to 400 Hz) by at least PERIODIC. Vowels and voiced consonants
are; hiss, breath, fans and clicks are not. An utterance starts where START_FRAMES[0] of the last START_FRAMES[1]
frames are voice (with PRE_ROLL_S of audio before it, so a first unvoiced consonant is not lost) and ends after
END_S without a voiced frame (which holds an unvoiced last consonant, "next", "stop", and the pause at the comma of
"coach, pause"), or at MAX_S; whoever decodes it may end it sooner (`cut`), once what was said is complete.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from coach.audio import Pcm
from coach.listen.words import RATE

FRAME = RATE // 100  # 10 ms
ON_DB = 6.0  # a frame this far above the floor is loud enough for voice
PERIODIC = 0.4  # and repeating itself this well at a pitch period, voice
PERIOD_FRAMES = 3  # the periodicity is of the last 30 ms
LAGS = (RATE // 400, RATE // 80)  # pitch periods looked at, in samples
START_FRAMES = (3, 6)  # speech starts when 3 of the last 6 frames are voice
END_S = 0.6  # this long without voice ends an utterance
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


def periodicity(x: np.ndarray) -> float:
    """How well `x` repeats itself at a pitch period: the highest normalized autocorrelation over LAGS, 0 to 1."""
    n = len(x)
    size = 1 << (2 * n - 1).bit_length()
    spectrum = np.fft.rfft(x, size)
    correlation = np.fft.irfft(spectrum.real**2 + spectrum.imag**2, size)[LAGS[0] : LAGS[1] + 1]
    energy = np.concatenate([[0.0], np.cumsum(x**2)])
    lags = np.arange(LAGS[0], LAGS[1] + 1)
    head, tail = energy[n - lags], energy[n] - energy[lags]  # of x[:n-k] and of x[k:]
    return float(np.max(correlation / np.sqrt(head * tail + 1e-9)))


class Endpointer:
    """Audio in, utterances' audio out, frame by frame; quiet between them is dropped."""

    def __init__(self) -> None:
        self._energies: deque[float] = deque(maxlen=round(FLOOR_S * 100))
        self._recent: deque[bool] = deque(maxlen=START_FRAMES[1])
        self._before: deque[Pcm] = deque(maxlen=round(PRE_ROLL_S * 100))
        self._emphasized: deque[np.ndarray] = deque(maxlen=PERIOD_FRAMES)
        self._pending = np.zeros(0, dtype=np.int16)
        self._previous = 0.0  # the last sample, for the pre-emphasis across frames
        self._at = 0  # the stream's samples taken, in whole frames
        self._start: int | None = None  # where the open utterance starts
        self._quiet = 0  # frames without voice in the open utterance
        self.end = 0  # where the last utterance's speech ended

    @property
    def in_speech(self) -> bool:
        return self._start is not None

    @property
    def quiet_s(self) -> float:
        """How long the open utterance has gone without voice, in seconds."""
        return self._quiet * FRAME / RATE

    def cut(self) -> None:
        """Ends the open utterance here (its audio has all been given out)."""
        if self._start is not None:
            self._start = None
            self.end = self._at - FRAME * self._quiet

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

    def _voiced(self, frame: Pcm) -> bool:
        """Whether a frame is voice: loud over the floor, and periodic."""
        x = frame.astype(np.float64)
        emphasized = x - 0.95 * np.concatenate([[self._previous], x[:-1]])
        self._previous = float(x[-1])
        self._emphasized.append(emphasized)
        energy = 10 * float(np.log10(np.mean(emphasized**2) + 1.0))
        self._energies.append(energy)
        floor = float(np.percentile(self._energies, QUIETEST))
        if energy <= floor + ON_DB or len(self._emphasized) < PERIOD_FRAMES:
            return False
        return periodicity(np.concatenate(list(self._emphasized))) >= PERIODIC

    def _frame(self, frame: Pcm) -> Piece | None:
        voiced = self._voiced(frame)
        self._at += FRAME
        if self._start is None:
            self._recent.append(voiced)
            self._before.append(frame)
            if sum(self._recent) < START_FRAMES[0] or len(self._energies) < 50:
                return None
            self._start = self._at - FRAME * len(self._before)
            self._quiet = 0
            audio = np.concatenate(list(self._before))
            self._before.clear()
            self._recent.clear()
            return Piece(audio, self._start, False)
        self._quiet = 0 if voiced else self._quiet + 1
        if self._quiet >= END_S * 100 or self._at - self._start >= MAX_S * RATE:
            start, self._start = self._start, None
            self.end = self._at - FRAME * self._quiet
            return Piece(frame, start, True)
        return Piece(frame, self._start, False)
