"""Spoken commands in a live session (a source of keys for coach.live): the microphone heard on a thread of its own,
what is understood handed to the live loop as the keys it stands for, on the loop's own turn.

The thread loads the recognizer, opens the microphone and decodes it block by block; the session never waits for
it. Each outcome is queued; `read()`, in the live loop, turns them into the controller's inputs: "coach, pause" is
the controller's pause (only while playing), "coach, go on" its play (only while paused), repeat r, next n, back b,
stop q, so each does exactly what its key does, with the same spoken feedback. A soft sound says a command was
understood; a call heard but not understood gets a quiet "say again?" tone and nothing else. At the tenderness
question the recognizer listens for numbers instead (`answers`), and a number said is the number key.

Where the recognizer cannot load, no microphone can be opened, or the microphone goes away, the thread ends and
`read()` says so once, in one sentence (`Heed.off`); the session goes on with its keys. Nothing heard is kept.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from coach.audio import Pcm
from coach.control import Input, Intent, Key, Where
from coach.errors import CoachError
from coach.listen.listening import Recognizer
from coach.listen.words import COMMAND, COMMANDS_MODE, NUMBER, NUMBERS_MODE, SAY_AGAIN, Heard, understand

TONE_RATE = 22050
STOP_WAIT_S = 3.0  # the longest `close` waits for the listening thread
# what each command is to the controller: pause and go on as intents, so neither undoes the other said twice
INPUTS: dict[str, Input] = {
    "pause": Intent.PAUSE,
    "go on": Intent.PLAY,
    "repeat": Key.REPEAT,
    "next": Key.NEXT,
    "back": Key.BACK,
    "stop": Key.QUIT,
}


def tone(notes: tuple[tuple[float, float], ...], level_db: float, rate: int = TONE_RATE) -> Pcm:
    """A soft tone: each (frequency, seconds) in turn, a sine with its second harmonic faint, each note faded in and
    out (no click), at `level_db` below full scale at its peak."""
    parts = []
    for frequency, seconds in notes:
        t = np.arange(round(seconds * rate)) / rate
        wave = np.sin(2 * np.pi * frequency * t) + 0.15 * np.sin(4 * np.pi * frequency * t)
        wave *= np.sin(np.pi * np.arange(len(t)) / len(t)) ** 2  # a raised-cosine swell
        parts.append(wave / np.max(np.abs(wave)))
    sound = np.concatenate(parts) * 10 ** (level_db / 20)
    pcm: Pcm = np.rint(sound * 32767).astype(np.int16)
    return pcm


UNDERSTOOD = tone(((660.0, 0.07), (990.0, 0.11)), -26.0)  # a soft rising pair: done
SAY_AGAIN_TONE = tone(((520.0, 0.12), (470.0, 0.12), (620.0, 0.16)), -32.0)  # quieter, questioning: again?


AGAIN = "coach, and no command: say again?"  # what a say-again is shown as


def input_for(heard: Heard) -> Input | None:
    """The controller's input for a command heard (None for a number or a say-again: no action)."""
    return INPUTS[heard.name] if heard.kind == COMMAND else None


class Heed(Protocol):
    """What the user is told of listening (coach.practice.Notices does it)."""

    def listening(self) -> None:
        """The microphone is open and the recognizer ready: commands are heard from now on."""

    def heard(self, said: str) -> None:
        """A command or number was understood (`said`: "coach, pause", "four")."""

    def off(self, problem: str) -> None:
        """Listening has stopped, or never started (`problem`, a sentence ending with a full stop)."""


Microphone = Callable[[], AbstractContextManager[Iterator[Pcm]]]


@dataclass(eq=False)
class SpokenCommands:
    """The listening thread and what it has heard. `read`, `publish`, `answers` and `close` belong to the live
    loop's thread."""

    microphone: Microphone
    recognizer: Callable[[], Recognizer]
    heed: Heed
    sound: Callable[[Pcm, int], None]  # plays a short tone beside the session (never fails)
    mode: str = COMMANDS_MODE
    ready: bool = False  # the microphone is open and the recognizer loaded
    problem: str | None = None  # why listening stopped, once it has
    _heard: queue.SimpleQueue[Heard | str] = field(default_factory=queue.SimpleQueue)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _told: bool = False
    _recognizer: Recognizer | None = None

    @property
    def on(self) -> bool:
        """Listening now: ready, and nothing has stopped it."""
        return self.ready and self.problem is None

    def start(self) -> SpokenCommands:
        self._thread = threading.Thread(target=self._run, name="coach-listen", daemon=True)
        self._thread.start()
        return self

    # -- the live loop's thread -------------------------------------------------------------------------------------

    def read(self) -> list[Input]:
        """The inputs for the commands understood since the last read, in order; a say-again plays its tone."""
        inputs: list[Input] = []
        for heard in self.take():
            if self.mode != COMMANDS_MODE:
                continue
            if heard.kind == SAY_AGAIN:
                self.sound(SAY_AGAIN_TONE, TONE_RATE)
                self.heed.heard(AGAIN)
                continue
            command = input_for(heard)
            if command is not None:
                self.sound(UNDERSTOOD, TONE_RATE)
                self.heed.heard(f"coach, {heard.name}")
                inputs.append(command)
        return inputs

    def publish(self, where: Where, now: float) -> None:
        pass

    def answers(self) -> SpokenNumbers:
        """From now on, numbers instead of commands: the tenderness question's keys."""
        self.mode = NUMBERS_MODE
        if self._recognizer is not None:
            self._recognizer.listen_for(NUMBERS_MODE)
        self.take()  # commands said before the question are no answers
        return SpokenNumbers(self)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(STOP_WAIT_S)

    def take(self) -> list[Heard]:
        """What the thread has queued: outcomes, and the moment it became ready or why it stopped (said once)."""
        heard: list[Heard] = []
        while True:
            try:
                item = self._heard.get_nowait()
            except queue.Empty:
                return heard
            if isinstance(item, Heard):
                heard.append(item)
            elif item == "":
                self.heed.listening()
            elif not self._told:
                self._told = True
                self.heed.off(item)

    # -- the listening thread ---------------------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            recognizer = self._recognizer = self.recognizer()
            recognizer.listen_for(self.mode)
            with self.microphone() as blocks:
                self.ready = True
                self._heard.put("")
                self._hear(recognizer, blocks)
        except CoachError as exc:
            if not self._stop.is_set():
                self.problem = f"{str(exc).rstrip('.')}: the session goes on with the keys and media buttons."
                self._heard.put(self.problem)

    def _hear(self, recognizer: Recognizer, blocks: Iterator[Pcm]) -> None:
        for block in blocks:
            if self._stop.is_set():
                return
            for hypothesis in recognizer.feed(block):
                heard = understand(hypothesis, self.mode)
                if heard is not None:
                    self._heard.put(heard)


@dataclass(frozen=True)
class SpokenNumbers:
    """The tenderness question's keys from the voice: a number said is its digits ("ten" is 1 then 0), with the
    understood sound."""

    spoken: SpokenCommands

    def read(self) -> str:
        keys = ""
        for heard in self.spoken.take():
            if heard.kind == NUMBER:
                self.spoken.sound(UNDERSTOOD, TONE_RATE)
                self.spoken.heed.heard(heard.name)
                keys += heard.name
        return keys


@contextlib.contextmanager
def spoken_commands(
    microphone: Microphone, recognizer: Callable[[], Recognizer], heed: Heed, sound: Callable[[Pcm, int], None]
) -> Iterator[SpokenCommands]:
    """Spoken commands while a live session plays: listening starts on a thread of its own, and stops on leaving."""
    spoken = SpokenCommands(microphone, recognizer, heed, sound).start()
    try:
        yield spoken
    finally:
        spoken.close()
