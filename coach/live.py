"""A live session: the player, the keyboard and a status line around the pure controller (coach.control)."""

from __future__ import annotations

import contextlib
import os
import select
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from coach.audio import SAMPLE_RATE, Clip, Pcm, to_float, to_pcm
from coach.control import ENDED, Controller, End, Play, Prompt, Stop
from coach.kinds import Side
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
NUMBER_TEXTS = ("Zero.", "One.", "Two.", "Three.", "Four.", "Five.", "Six.", "Seven.", "Eight.", "Nine.", "Ten.")
ANSWER_WAIT_S = 10.0  # silence this long after the question, and it is skipped
TEN_WAIT_S = 1.0  # after "1", how long a "0" may take to make it ten


def question_text(side: Side) -> str:
    """The tenderness question, said at the end of a live session."""
    if side is Side.BOTH:
        return "How tender were the spots, from zero to ten? Press a number key."
    return f"How tender was the spot on your {side} side, from zero to ten? Press a number key."


def ask_tenderness(
    question: Pcm,
    numbers: Sequence[Pcm],
    backend: Backend | Streamer,
    keys: Keys,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    sample_rate: int,
    ready: Callable[[], None] = lambda: None,
) -> int | None:
    """Ask the question aloud and take the answer from one key, no Enter: a digit 0-9 at once, except "1", which
    waits TEN_WAIT_S for a "0" (ten). The number is said back. Silence for ANSWER_WAIT_S after the question, or
    any other key, skips it (None). A key may come while the question is still being said. `ready` is called once
    the keys pressed before are dropped: from then on a key is an answer (the question is shown there)."""
    player = live_player(backend, clock, sleep)
    keys.read()  # keys pressed during the session are not answers
    ready()
    answer: int | None = None
    one_at: float | None = None  # when a "1" came
    quiet_from: float | None = None  # when the question ended
    try:
        player.start_clip(question, sample_rate)
        while True:
            now = clock()
            if quiet_from is None and not player.poll():
                quiet_from = now
            pressed = keys.read()
            if pressed:
                key = pressed[0]
                if one_at is not None:
                    answer = 10 if key == "0" else 1
                    break
                if key == "1":
                    one_at = now
                    player.stop()
                    quiet_from = quiet_from or now
                elif key in "023456789":
                    answer = int(key)
                    break
                else:
                    break  # any other key skips the question
            if one_at is not None and now - one_at >= TEN_WAIT_S:
                answer = 1
                break
            if one_at is None and quiet_from is not None and now - quiet_from >= ANSWER_WAIT_S:
                break
            sleep(LOOP_S)
        player.stop()
        if answer is not None:
            player.start_clip(numbers[answer], sample_rate)
            while player.poll():
                sleep(LOOP_S)
    finally:
        player.stop()
    return answer


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

    def __init__(self, script: Script, speaker: Speaker, after: Sequence[str] = ()) -> None:
        """`after`: lines said after the session (the tenderness question and its answers), made last."""
        self.script = script
        self.speaker = speaker
        self.sounds = load_sounds()
        beat = script.beat_texts()
        texts = list(dict.fromkeys(script.texts()))
        self.speech: dict[str, Clip] = {}
        for text in [*texts, *PROMPT_TEXTS, *after]:
            pcm = speaker.cached(text, text in beat)
            if pcm is not None:
                self.speech[text] = to_float(pcm)
        missing = [text for text in texts if text not in self.speech]
        prompts = [text for text in PROMPT_TEXTS if text not in self.speech and text not in missing]
        later = [text for text in after if text not in self.speech and text not in missing]
        order = [*missing[:1], *prompts, *missing[1:], *later]
        self.ahead = Ahead(speaker, [(text, text in beat) for text in order]).start()
        self.pending: list[tuple[str, bool]] = []  # lines of a script told again, made once the thread is done

    def retold(self, script: Script) -> Session:
        """The session with its script told again (its closing, say): its new lines are made once those before them
        are (the session is known up to them until then)."""
        self.script = script
        beat = script.beat_texts()
        queued = {text for text, _ in self.ahead.lines} | {text for text, _ in self.pending}
        new = [text for text in dict.fromkeys(script.texts()) if text not in self.speech and text not in queued]
        self.pending += [(text, text in beat) for text in new]
        self._start_pending()
        return self.session()

    def _start_pending(self) -> None:
        if self.pending and self.ahead.finished:
            self.ahead = Ahead(self.speaker, self.pending).start()
            self.pending = []

    def clip(self, text: str) -> Clip:
        """A line said after the session: made already, or now."""
        if text not in self.speech:
            self.close()
            self.speech[text] = to_float(self.speaker.clip(text))
        return self.speech[text]

    def session(self) -> Session:
        return assemble(self.script, self.speech, self.sounds)

    def prompts(self) -> dict[str, Pcm]:
        return prompt_clips(self.speech, SAMPLE_RATE)

    def more(self) -> tuple[Session, Mapping[str, Pcm]] | None:
        """The session known further, with the prompts, when lines have come since the last call."""
        made = self.ahead.take()
        self._start_pending()
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
    done_by_side: tuple[int, ...] = ()  # strokes done on each single side worked
    strokes: tuple[int, ...] = ()  # the strokes done, by index
    phase: int = 0  # the phase it ended in, from 0


@dataclass(frozen=True)
class Progress:
    """What a live session has done so far: strokes on each single side worked, and which (by index)."""

    done_by_side: tuple[int, ...]
    strokes: tuple[int, ...]
    planned: int

    @property
    def done(self) -> int:
        return sum(self.done_by_side)


Revise = Callable[[tuple[int, ...]], Session | None]


def run_live(
    session: Session,
    prompts: Mapping[str, Pcm],
    backend: Backend | Streamer,
    keys: Keys,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    status: Callable[[str], None] | None = None,
    progress: Callable[[Progress], None] | None = None,
    more: Update | None = None,
    media: Media | None = None,
    revise: Revise | None = None,
    start: int = 0,
    done: tuple[int, ...] = (),
) -> Outcome:
    """Play a session under keyboard control until it ends; Ctrl-C silences it and goes on as KeyboardInterrupt.
    `clock` is monotonic seconds, and `sleep` waits by it.

    `media` is the desktop's media keys: its keys are read after the keyboard's, and it hears where the session
    stands on every turn of the loop, the end included.

    `progress` hears what is done: once the sound has started (nothing done), then each time a stroke is done.
    While the session's speech is still being made, `more` gives the session known further, with the prompts,
    whenever lines have come since it was last asked (None otherwise); it raises the synthesizer's error.
    `revise`, when a key changes how many strokes each side will have done by the end (n skips some, say), gives
    the session with its closing saying so, laid out the same up to there (or None to keep it as it is).
    `start` and `done` continue a session stopped earlier: the sample to play from, and the strokes it had done.
    """
    current = session
    controller = Controller(session.timeline, done=done)
    player = live_player(backend, clock, sleep)

    def render(first: int, end: int) -> Pcm:
        return render_all(current.timeline, current.clips, first, end)

    def execute(commands: list[Play | Stop | Prompt | End]) -> None:
        for command in commands:
            if isinstance(command, Play):
                player.start(current.timeline, render, command.at)
            elif isinstance(command, Stop):
                player.stop()
            elif isinstance(command, Prompt):
                player.start_clip(prompts[command.name], current.timeline.sample_rate)

    reported: tuple[int, ...] | None = None
    expected = controller.planned_by_side  # what the closing says: the strokes planned

    def report() -> None:
        nonlocal reported
        now = clock()
        strokes = controller.done(now)
        if progress is not None and strokes != reported:
            progress(Progress(controller.done_by_side(now), strokes, controller.strokes_planned))
        reported = strokes

    def retell(now: float) -> None:
        """After a key: if the strokes to be done by the end have changed, the closing is told again."""
        nonlocal current, expected
        will = controller.expected_by_side(now)
        if revise is None or will == expected or controller.state == ENDED:
            return
        expected = will
        revised = revise(will)
        if revised is not None:
            current = revised
            controller.retime(revised.timeline)

    try:
        commands = controller.start(clock(), start)
        retell(clock())  # a session continued may have skipped strokes before: its closing says so
        execute(commands)
        report()
        while True:
            update = more() if more is not None else None
            if update is not None:
                current, prompts = update
                player.extend(current.timeline, render)
                execute(controller.replace(current.timeline))
            for key in keys.read() + (media.read() if media is not None else ""):
                now = clock()
                commands = controller.key(key.lower(), now)
                retell(now)  # before the commands run, so a Play plays the session as it now is
                execute(commands)
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
        controller.finished, controller.strokes_done(now), controller.strokes_planned, controller.position(now),
        controller.done_by_side(now), controller.done(now), controller.phase_index(now),
    )  # fmt: skip
