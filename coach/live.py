"""A live session's loop: the player, the sources of keys (the keyboard, the desktop's media keys, ...) and a
status line around the pure controller (coach.control); the speech made while it plays; the tenderness question."""

from __future__ import annotations

import contextlib
import os
import select
import sys
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from coach.audio import SAMPLE_RATE, Clip, Pcm, to_float, to_pcm
from coach.control import Command, Controller, Input, Key, Play, Prompt, State, Stop, Where, last_sound
from coach.kinds import Side
from coach.mixer import render_all
from coach.output.player import LivePlayer
from coach.script import Grid, Say, Script
from coach.session import Session, assemble, load_sounds
from coach.speech.ahead import Ahead
from coach.speech.cache import Speaker

PAUSED_TEXT = "Paused."
COUNTDOWN_TEXTS = ("Three.", "Two.", "One.")
PROMPT_TEXTS = (PAUSED_TEXT, *COUNTDOWN_TEXTS)
LOOP_S = 0.01
NUMBER_TEXTS = ("Zero.", "One.", "Two.", "Three.", "Four.", "Five.", "Six.", "Seven.", "Eight.", "Nine.", "Ten.")
ANSWER_WAIT_S = 10.0  # silence this long after the question, and it is skipped
TEN_WAIT_S = 1.0  # after "1", how long a "0" may take to make it ten


def question_text(side: Side, spoken: bool = False) -> str:
    """The tenderness question, said at the end of a live session (`spoken`: with --listen, a number said answers)."""
    answer = "Say the number, or press its key." if spoken else "Press a number key."
    if side is Side.BOTH:
        return f"How tender were the spots, from zero to ten? {answer}"
    return f"How tender was the spot on your {side} side, from zero to ten? {answer}"


def ask_tenderness(
    question: Pcm,
    numbers: Sequence[Pcm],
    player: LivePlayer,
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
            if pressed and one_at is None and pressed[0] == "1":
                one_at = now
                player.stop()
                quiet_from = quiet_from or now
                pressed = pressed[1:]  # a "0" read with it (ten said aloud) is at once
            if pressed:
                answer = _answer(pressed[0], one_at)
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


def _answer(key: str, one_at: float | None) -> int | None:
    """The answer a key gives: after a "1", ten for a "0" and one for anything else; a digit; None for other keys."""
    if one_at is not None:
        return 10 if key == "0" else 1
    return int(key) if key in "023456789" else None


class Keys(Protocol):
    def read(self) -> str:
        """The keys pressed since the last call (may be empty)."""
        ...


class NoKeys:
    """When standard input is not a terminal: nothing to read."""

    def read(self) -> str:
        return ""


class Source(Protocol):
    """Where a live session's keys come from besides its player: the keyboard, the desktop's media keys, spoken
    commands. Each is read on every turn of the loop, in order, and hears where the session stands (the end
    included)."""

    def read(self) -> Sequence[Input]:
        """The keys (or intents) since the last read, in order (may be none)."""
        ...

    def publish(self, where: Where, now: float) -> None: ...


@dataclass(frozen=True)
class Keyboard:
    """The keyboard as a source: the keys typed (either case); other characters are no keys."""

    keys: Keys

    def read(self) -> list[Key]:
        return Key.typed(self.keys.read())

    def publish(self, where: Where, now: float) -> None:
        pass


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


Update = Callable[[int], tuple[Session, Mapping[str, Pcm]] | None]  # given where the session is


def speaking_order(script: Script, start: int = 0) -> tuple[list[str], list[str]]:
    """The script's words in the order to make them for a session at phase `start`: first the words that open it
    and the next phase (so a skip to the next phase plays at once), then the rest of it, the words that open the
    phase after the next, the rest of the next, and so on; the phases before `start` last. A phase opens with its
    first line, or its first grid's words (a grid plays whole)."""
    units = [
        [[c.text] if isinstance(c, Say) else c.texts() for c in p.cues if isinstance(c, Say | Grid)]
        for p in script.phases
    ]
    ahead = units[start:]
    opening = [text for phase in ahead[:2] for text in (phase[0] if phase else [])]
    rest: list[str] = []
    for k, phase in enumerate(ahead):
        rest += [text for unit in phase[1:] for text in unit]
        if k + 2 < len(ahead) and ahead[k + 2]:
            rest += ahead[k + 2][0]
    rest += [text for phase in units[:start] for unit in phase for text in unit]
    return list(dict.fromkeys(opening)), [text for text in dict.fromkeys(rest) if text not in opening]


class LiveSpeech:
    """A live session's speech: the lines the cache has at once, and the rest made ahead of the playhead, in the
    order `speaking_order` gives (the prompts after the words that open the first two phases), again from where the
    session is after it jumps to another phase. With every line cached no engine is built."""

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
        opening, rest = speaking_order(script)
        order = [text for text in dict.fromkeys([*opening, *PROMPT_TEXTS, *rest, *after]) if text not in self.speech]
        self.ahead = Ahead(speaker, [(text, text in beat) for text in order]).start()
        self.pending: list[tuple[str, bool]] = []  # lines of a script told again, made once the thread is done
        self.phase = 0  # the phase the session was in when last asked
        self.laid = self.session().timeline  # as laid out last

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
        session = assemble(self.script, self.speech, self.sounds)
        self.laid = session.timeline
        return session

    def prompts(self) -> dict[str, Pcm]:
        return prompt_clips(self.speech, SAMPLE_RATE)

    def more(self, at: int = 0) -> tuple[Session, Mapping[str, Pcm]] | None:
        """The session known further, with the prompts, when lines have come since the last call. `at` is where the
        session is: once it is in another phase (a skip, a step back), the lines from there are made first."""
        phase = max(0, bisect_right([p.start for p in self.laid.phases], at) - 1)
        if phase != self.phase:
            self.phase = phase
            opening, rest = speaking_order(self.script, phase)
            self.ahead.prefer([*opening, *PROMPT_TEXTS, *rest])
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


@dataclass(frozen=True, kw_only=True)
class Hooks:
    """What a live session tells, and asks, as it plays (each optional).

    `status` hears a one-line status on every turn. `progress` hears what is done: once the sound has started
    (nothing done), then each time a stroke is done. While the session's speech is still being made, `more`, told
    where the session is (so the lines from there are made first), gives the session known further, with the
    prompts, whenever lines have come since it was last asked (None otherwise); it raises the synthesizer's error.
    `revise`, when a key changes how many strokes each side will have done by the end (n skips some, say), gives the
    session with its closing saying so, laid out the same up to there (or None to keep it as it is)."""

    status: Callable[[str], None] | None = None
    progress: Callable[[Progress], None] | None = None
    more: Update | None = None
    revise: Revise | None = None


@dataclass(frozen=True)
class Start:
    """Where a live session starts: at its beginning, or where a session stopped earlier goes on (the sample to
    play from, and the strokes it had done, by index)."""

    at: int = 0
    done: tuple[int, ...] = ()


NO_HOOKS, BEGINNING = Hooks(), Start()


def run_live(
    session: Session,
    prompts: Mapping[str, Pcm],
    player: LivePlayer,
    sources: Sequence[Source],
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    hooks: Hooks = NO_HOOKS,
    start: Start = BEGINNING,
) -> Outcome:
    """Play a session under the control of its sources of keys until it ends; Ctrl-C silences it and goes on as
    KeyboardInterrupt. `clock` is monotonic seconds, and `sleep` waits by it."""
    loop = _Loop(session, prompts, player, clock, hooks, start.done)
    try:
        loop.begin(start.at)
        while True:
            loop.turn(sources)
            if loop.controller.state == State.ENDED:
                break
            if hooks.status is not None:
                hooks.status(loop.controller.status(clock()))
            sleep(LOOP_S)
    finally:
        player.stop()
    return loop.outcome()


class _Loop:
    """One live session's turns: the controller, the player, and what the session is now (its closing told again,
    or known further as its speech is made)."""

    def __init__(
        self,
        session: Session,
        prompts: Mapping[str, Pcm],
        player: LivePlayer,
        clock: Callable[[], float],
        hooks: Hooks,
        done: tuple[int, ...],
    ) -> None:
        self.current, self.prompts, self.player, self.clock, self.hooks = session, prompts, player, clock, hooks
        self.controller = Controller(session.timeline, done=done)
        self.reported: tuple[int, ...] | None = None
        self.expected = self.controller.planned_by_side  # what the closing says: the strokes planned

    def render(self, first: int, end: int) -> Pcm:
        return render_all(self.current.timeline, self.current.clips, first, end, self.player.channels)

    def execute(self, commands: list[Command]) -> None:
        for command in commands:
            if isinstance(command, Play):
                self.player.start(self.current.timeline, self.render, command.at)
            elif isinstance(command, Stop):
                self.player.stop()
            elif isinstance(command, Prompt):
                self.player.start_clip(self.prompts[command.name], self.current.timeline.sample_rate)

    def report(self) -> None:
        controller, now = self.controller, self.clock()
        strokes = controller.done(now)
        if self.hooks.progress is not None and strokes != self.reported:
            self.hooks.progress(Progress(controller.done_by_side(now), strokes, controller.strokes_planned))
        self.reported = strokes

    def retell(self, now: float) -> None:
        """After a key: if the strokes to be done by the end have changed, the closing is told again."""
        will = self.controller.expected_by_side(now)
        if self.hooks.revise is None or will == self.expected or self.controller.state == State.ENDED:
            return
        self.expected = will
        revised = self.hooks.revise(will)
        if revised is not None:
            self.current = revised
            self.controller.retime(revised.timeline)

    def begin(self, at: int) -> None:
        commands = self.controller.start(self.clock(), at)
        self.retell(self.clock())  # a session continued may have skipped strokes before: its closing says so
        self.execute(commands)
        self.report()

    def turn(self, sources: Sequence[Source]) -> None:
        """One turn of the loop: the session known further, the keys, the player, what is done, where it is."""
        controller = self.controller
        update = self.hooks.more(controller.position(self.clock())) if self.hooks.more is not None else None
        if update is not None:
            self.current, self.prompts = update
            shift = controller.replace(self.current.timeline)  # where it is moves with its phase, if at all
            self.player.extend(self.current.timeline, self.render, shift)
        commands: list[Command] = []
        for source in sources:  # each key in turn against the controller's state, as it is after the one before
            for key in source.read():
                now = self.clock()
                commands += controller.key(key, now)
                self.retell(now)  # before the commands run, so a Play plays the session as it now is
        self.execute(last_sound(commands))  # what the keys come to, and no more: the output is touched once
        sounding = self.player.poll()
        controller.follow(self.player.position, self.clock())  # the audio heard, a wait for speech included
        self.execute(controller.tick(self.clock(), sounding))
        self.report()
        now = self.clock()
        where = controller.where(now)
        for source in sources:
            source.publish(where, now)

    def outcome(self) -> Outcome:
        controller, now = self.controller, self.clock()
        return Outcome(
            controller.finished, controller.strokes_done(now), controller.strokes_planned, controller.position(now),
            controller.done_by_side(now), controller.done(now), controller.phase_index(now),
        )  # fmt: skip
