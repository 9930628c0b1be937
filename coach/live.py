"""A live session: the player, the keyboard and a status line around the pure controller (coach.control)."""

from __future__ import annotations

import contextlib
import os
import select
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from coach.audio import SAMPLE_RATE, Clip, Pcm, to_float, to_pcm
from coach.control import ENDED, Controller, End, Play, Prompt, Stop
from coach.mixer import render_all
from coach.output.playback import Backend, live_player
from coach.output.stream import Streamer
from coach.script import Script
from coach.session import Session, assemble, load_sounds
from coach.speech.ahead import Ahead
from coach.speech.cache import Speaker

if TYPE_CHECKING:
    from coach.desktop.media import Media

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
    """The spoken prompts: "paused", and a countdown with one word a second for three seconds. A word not made yet
    (its speech is still being made) is a moment of quiet instead."""
    countdown = np.zeros(sample_rate * len(COUNTDOWN_TEXTS), dtype=np.float32)
    for second, text in enumerate(COUNTDOWN_TEXTS):
        clip = speech.get(text, np.zeros(0, dtype=np.float32))[:sample_rate]
        countdown[second * sample_rate : second * sample_rate + len(clip)] += clip
    paused = speech.get(PAUSED_TEXT, np.zeros(sample_rate // 2, dtype=np.float32))
    return {"paused": to_pcm(paused), "countdown": to_pcm(countdown)}


Update = Callable[[], tuple[Session, Mapping[str, Pcm]] | None]


class LiveSpeech:
    """A live session's speech: the lines the cache has at once, and the rest made ahead of the playhead, in the
    order they are said (the prompts right after the first of them). With every line cached no engine is built."""

    def __init__(self, script: Script, speaker: Speaker) -> None:
        self.script = script
        self.sounds = load_sounds()
        beat = script.beat_texts()
        texts = list(dict.fromkeys(script.texts()))
        self.speech: dict[str, Clip] = {}
        for text in [*texts, *PROMPT_TEXTS]:
            pcm = speaker.cached(text, text in beat)
            if pcm is not None:
                self.speech[text] = to_float(pcm)
        missing = [text for text in texts if text not in self.speech]
        prompts = [text for text in PROMPT_TEXTS if text not in self.speech and text not in missing]
        order = [*missing[:1], *prompts, *missing[1:]]
        self.ahead = Ahead(speaker, [(text, text in beat) for text in order]).start()

    def session(self) -> Session:
        return assemble(self.script, self.speech, self.sounds)

    def prompts(self) -> dict[str, Pcm]:
        return prompt_clips(self.speech, SAMPLE_RATE)

    def more(self) -> tuple[Session, Mapping[str, Pcm]] | None:
        """The session known further, with the prompts, when lines have come since the last call."""
        made = self.ahead.take()
        if not made:
            return None
        self.speech.update({text: to_float(pcm) for text, pcm in made.items()})
        return self.session(), self.prompts()

    def close(self) -> None:
        self.ahead.close()


@dataclass(frozen=True)
class Outcome:
    """How a live session ended. Both counts rest on the player's position (`LivePlayer.position`: the sample the
    listener was hearing, from the audio output itself), never on a clock of the loop's own."""

    finished: bool  # played to the end (not stopped)
    strokes_done: int  # strokes whose accent had been heard
    strokes_planned: int
    position: int  # the sample reached: where the listener was when it ended


def run_live(
    session: Session,
    prompts: Mapping[str, Pcm],
    backend: Backend | Streamer,
    keys: Keys,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    status: Callable[[str], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    more: Update | None = None,
    media: Media | None = None,
) -> Outcome:
    """Play a session under keyboard control until it ends; Ctrl-C silences it and goes on as KeyboardInterrupt.
    `clock` is monotonic seconds, and `sleep` waits by it.

    `media` is the desktop's media keys: its keys are read after the keyboard's, and it hears where the session
    stands on every turn of the loop, the end included.

    `progress` hears (strokes done, strokes planned): 0 done once the sound has started, then each time the count
    goes up. While the session's speech is still being made, `more` gives the session known further, with the
    prompts, whenever lines have come since it was last asked (None otherwise); it raises the synthesizer's error.
    """
    current = session
    controller = Controller(session.timeline)
    player = live_player(backend, clock, sleep)

    def render(start: int, end: int) -> Pcm:
        return render_all(current.timeline, current.clips, start, end)

    def execute(commands: list[Play | Stop | Prompt | End]) -> None:
        for command in commands:
            if isinstance(command, Play):
                player.start(current.timeline, render, command.at)
            elif isinstance(command, Stop):
                player.stop()
            elif isinstance(command, Prompt):
                player.start_clip(prompts[command.name], current.timeline.sample_rate)

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
            update = more() if more is not None else None
            if update is not None:
                current, prompts = update
                player.extend(current.timeline, render)
                execute(controller.replace(current.timeline))
            for key in keys.read() + (media.read() if media is not None else ""):
                execute(controller.key(key.lower(), clock()))
            sounding = player.poll()
            controller.follow(player.position, clock())  # the audio heard, a wait for speech included
            execute(controller.tick(clock(), sounding))
            report()
            if media is not None:
                now = clock()
                media.publish(controller.where(now), now)
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
