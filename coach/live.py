"""A live session: the player, the keyboard and a status line around the pure controller (coach.control)."""

from __future__ import annotations

import contextlib
import os
import select
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from coach.audio import Clip, Pcm, to_pcm
from coach.control import ENDED, Controller, End, Play, Prompt, Stop
from coach.mixer import render_all
from coach.output.playback import Backend, Player
from coach.session import Session

PAUSED_TEXT = "Paused."
COUNTDOWN_TEXTS = ("Three.", "Two.", "One.")
PROMPT_TEXTS = (PAUSED_TEXT, *COUNTDOWN_TEXTS)
LOOP_S = 0.01


class Keys(Protocol):
    def read(self) -> str:
        """The keys pressed since the last call (may be empty)."""
        ...


class NoKeys:
    """When standard input is not a terminal: nothing to read."""

    def read(self) -> str:
        return ""


@contextlib.contextmanager
def terminal_keys() -> Iterator[Keys]:
    """Single keys without Enter, from the terminal, which is restored on every way out (Ctrl-C included)."""
    if not sys.stdin.isatty():
        yield NoKeys()
        return
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)

    class TerminalKeys:
        def read(self) -> str:
            keys = ""
            while select.select([fd], [], [], 0)[0]:
                data = os.read(fd, 64)
                if not data:
                    break
                keys += data.decode("utf-8", "ignore")
            return keys

    try:
        tty.setcbreak(fd)  # keys arrive one by one; Ctrl-C still interrupts
        yield TerminalKeys()
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def prompt_clips(speech: Mapping[str, Clip], sample_rate: int) -> dict[str, Pcm]:
    """The spoken prompts: "paused", and a countdown with one word a second for three seconds."""
    countdown = np.zeros(sample_rate * len(COUNTDOWN_TEXTS), dtype=np.float32)
    for second, text in enumerate(COUNTDOWN_TEXTS):
        clip = speech[text][:sample_rate]
        countdown[second * sample_rate : second * sample_rate + len(clip)] += clip
    return {"paused": to_pcm(speech[PAUSED_TEXT]), "countdown": to_pcm(countdown)}


@dataclass(frozen=True)
class Outcome:
    finished: bool
    strokes_done: int
    strokes_planned: int
    position: int  # the sample reached


def run_live(
    session: Session,
    prompts: Mapping[str, Pcm],
    backend: Backend,
    keys: Keys,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    status: Callable[[str], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Outcome:
    """Play a session under keyboard control until it ends; Ctrl-C silences it and goes on as KeyboardInterrupt.
    `clock` is monotonic seconds, and `sleep` waits by it.

    `progress` hears (strokes done, strokes planned): 0 done once the sound has started, then each time the count
    goes up.
    """
    timeline = session.timeline
    controller = Controller(timeline)
    player = Player(backend, clock, sleep)

    def render(start: int, end: int) -> Pcm:
        return render_all(timeline, session.clips, start, end)

    def execute(commands: list[Play | Stop | Prompt | End]) -> None:
        for command in commands:
            if isinstance(command, Play):
                player.start(timeline, render, command.at)
            elif isinstance(command, Stop):
                player.stop()
            elif isinstance(command, Prompt):
                player.start_clip(prompts[command.name], timeline.sample_rate)

    reported = -1

    def report() -> None:
        nonlocal reported
        done = controller.strokes_done(clock())
        if progress is not None and done != reported:
            progress(done, controller.strokes_planned)
        reported = done

    try:
        execute(controller.start(clock()))
        report()
        while True:
            for key in keys.read():
                execute(controller.key(key.lower(), clock()))
            execute(controller.tick(clock(), player.poll()))
            report()
            if controller.state == ENDED:
                break
            if status is not None:
                status(controller.status(clock()))
            sleep(LOOP_S)
    finally:
        player.stop()
    now = clock()
    return Outcome(
        controller.finished, controller.strokes_done(now), controller.strokes_planned, controller.position(now)
    )
