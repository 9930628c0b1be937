"""Spoken commands in a live session, with fakes for the microphone and the recognizer: what each command is to the
controller, the tones, the tenderness answer said aloud, and the faults (no microphone, a recognizer that cannot
load, a microphone that goes away), each one sentence while the session goes on with its keys."""

from __future__ import annotations

import contextlib
import threading
import time

import numpy as np
import pytest
from conftest import FakeClock
from test_log_truth import ClockedOutput, live, rows, seconds, timeline
from test_log_truth import home as log_truth_home

from coach.cli.notices import LISTENING_TEXT, SPOKEN_QUESTION_TEXT
from coach.control import Controller, Intent, Key, Prompt, State, Stop
from coach.kinds import Side
from coach.listen.sources import MicrophoneError
from coach.listen.sphinx import RecognizerError
from coach.listen.spoken import (
    AGAIN,
    SAY_AGAIN_TONE,
    TONE_RATE,
    UNDERSTOOD,
    SpokenCommands,
    SpokenNumbers,
    input_for,
    spoken_commands,
)  # fmt: skip
from coach.listen.words import COMMAND, COMMANDS_MODE, NUMBERS_MODE, SAY_AGAIN, Heard, Hypothesis, Word
from coach.live import question_text

S = 16000


home = log_truth_home  # test_log_truth's mini routine with a program: its sessions logged, the tenderness asked


def hypothesis(*words: str, at: float = 1.0) -> Hypothesis:
    """Words said briskly from `at` seconds: a quarter second each."""
    ws = tuple(Word(w, round((at + 0.3 * i) * S), round((at + 0.3 * i + 0.25) * S)) for i, w in enumerate(words))
    return Hypothesis(ws, ws[0].start, ws[-1].end)


class FakeRecognizer:
    """Hears, in the block given by its index, the words given; records the modes it was told."""

    def __init__(self, said: dict[int, tuple[str, ...]]) -> None:
        self.said, self.taken = said, 0
        self.modes: list[str] = []

    def listen_for(self, mode: str) -> None:
        self.modes.append(mode)

    def feed(self, block):
        self.taken += 1
        words = self.said.get(self.taken - 1)
        return [hypothesis(*words)] if words else []

    def finish(self):
        return []


class Microphone:
    """Blocks of quiet, as many as given, then it goes quiet for good (or goes away: MicrophoneError)."""

    def __init__(self, blocks: int, gone: bool = False) -> None:
        self.blocks, self.gone, self.opened, self.closed = blocks, gone, 0, 0
        self.done = threading.Event()

    @contextlib.contextmanager
    def __call__(self):
        self.opened += 1

        def read():
            for _ in range(self.blocks):
                yield np.zeros(800, dtype=np.int16)
            self.done.set()
            if self.gone:
                raise MicrophoneError("The microphone stopped sending sound.")
            while True:
                time.sleep(0.01)
                yield np.zeros(800, dtype=np.int16)

        try:
            yield read()
        finally:
            self.closed += 1


class Heed:
    def __init__(self) -> None:
        self.said: list[tuple[str, str]] = []

    def listening(self) -> None:
        self.said.append(("listening", ""))

    def heard(self, said: str) -> None:
        self.said.append(("heard", said))

    def off(self, problem: str) -> None:
        self.said.append(("off", problem))


def settle(spoken: SpokenCommands, microphone: Microphone) -> None:
    assert microphone.done.wait(5)
    time.sleep(0.05)  # the last block's outcome is queued


# -- what each command is ------------------------------------------------------------------------------------------


def test_each_command_is_what_its_key_or_media_button_does_and_nothing_else_is_an_action():
    def heard(kind: str, name: str) -> Heard:
        return Heard(kind, name, 0, 8000)

    assert {name: input_for(heard(COMMAND, name)) for name in ("pause", "go on", "repeat", "next", "back", "stop")} == {
        "pause": Intent.PAUSE, "go on": Intent.PLAY, "repeat": Key.REPEAT, "next": Key.NEXT, "back": Key.BACK,
        "stop": Key.QUIT,
    }  # fmt: skip
    assert input_for(heard(SAY_AGAIN, "")) is None
    assert input_for(heard("number", "4")) is None


def test_pause_said_twice_stays_paused_and_go_on_resumes_with_the_countdown(psoas):
    from coach.script import Options, build_script
    from coach.session import assemble, load_sounds

    script = build_script(psoas, Options(side=Side.RIGHT, strokes=3))
    session = assemble(script, {}, load_sounds())
    controller = Controller(session.timeline)
    controller.start(0.0)
    pause, go_on = input_for(Heard(COMMAND, "pause", 0, 1)), input_for(Heard(COMMAND, "go on", 0, 1))
    assert controller.key(go_on, 1.0) == []  # playing: "go on" changes nothing
    assert controller.key(pause, 2.0) == [Stop(), Prompt("paused")]
    assert controller.key(pause, 3.0) == []  # already paused: said again, it stays paused (space would resume)
    assert controller.state == State.PAUSED
    assert controller.key(go_on, 4.0) == [Prompt("countdown")]
    assert controller.state == State.COUNTDOWN


# -- the listening thread, with fakes -------------------------------------------------------------------------------


def test_commands_heard_are_read_in_order_each_with_the_understood_tone_and_a_say_again_is_only_a_tone():
    played, heed = [], Heed()
    microphone = Microphone(10)
    recognizer = FakeRecognizer({2: ("coach", "pause"), 4: ("coach", "so"), 6: ("coach", "go", "on"), 8: ("stop",)})
    with spoken_commands(microphone, lambda: recognizer, heed, lambda pcm, rate: played.append((pcm, rate))) as spoken:
        settle(spoken, microphone)
        assert spoken.on
        assert spoken.read() == [Intent.PAUSE, Intent.PLAY]  # "stop" without the call is nothing
        assert spoken.read() == []
    assert [(pcm is UNDERSTOOD, pcm is SAY_AGAIN_TONE, rate) for pcm, rate in played] == [
        (True, False, TONE_RATE), (False, True, TONE_RATE), (True, False, TONE_RATE),
    ]  # fmt: skip
    assert heed.said == [("listening", ""), ("heard", "coach, pause"), ("heard", AGAIN), ("heard", "coach, go on")]
    assert recognizer.modes == [COMMANDS_MODE]
    assert (microphone.opened, microphone.closed) == (1, 1)  # closed when the session is over


def test_the_tones_are_soft_and_short():
    assert len(UNDERSTOOD) == round(0.07 * TONE_RATE) + round(0.11 * TONE_RATE)
    assert np.max(np.abs(UNDERSTOOD)) == round(32767 * 10 ** (-26 / 20))
    assert np.max(np.abs(SAY_AGAIN_TONE)) == round(32767 * 10 ** (-32 / 20))  # quieter still
    assert abs(int(UNDERSTOOD[0])) < 20 and abs(int(UNDERSTOOD[-1])) < 20  # faded: no click


def test_at_the_question_numbers_are_the_keys_and_commands_said_before_are_dropped():
    played, heed = [], Heed()
    microphone = Microphone(4)
    recognizer = FakeRecognizer({1: ("coach", "next")})
    with spoken_commands(microphone, lambda: recognizer, heed, lambda pcm, rate: played.append(pcm)) as spoken:
        settle(spoken, microphone)
        numbers = spoken.answers()
        assert isinstance(numbers, SpokenNumbers)
        assert numbers.read() == ""  # the "coach, next" said before the question is no answer
        assert recognizer.modes == [COMMANDS_MODE, NUMBERS_MODE]
        spoken._heard.put(Heard("number", "10", 0, 1))  # what the thread queues for "ten"
        spoken._heard.put(Heard(COMMAND, "stop", 0, 1))  # (a command cannot be heard now; were it, no answer)
        assert numbers.read() == "10"
    assert heed.said[-1] == ("heard", "10")
    assert played[-1] is UNDERSTOOD


@pytest.mark.parametrize(
    ("microphone", "recognizer", "sentence"),
    [
        (
            "none", None,
            "No microphone could be opened (PortAudio finds no input device): the session goes on with the keys and "
            "media buttons.",
        ),
        (
            None, "broken",
            "The speech recognizer could not be loaded (No module named 'pocketsphinx'): the session goes on with the "
            "keys and media buttons.",
        ),
        (
            "gone", None,
            "The microphone stopped sending sound: the session goes on with the keys and media buttons.",
        ),
    ],
)  # fmt: skip
def test_a_fault_is_one_sentence_said_once_and_nothing_is_heard_after_it(microphone, recognizer, sentence):
    heed = Heed()
    mic = Microphone(3, gone=True)

    @contextlib.contextmanager
    def no_microphone():
        raise MicrophoneError("No microphone could be opened (PortAudio finds no input device).")
        yield

    def broken():
        raise RecognizerError("The speech recognizer could not be loaded (No module named 'pocketsphinx').")

    opened = no_microphone if microphone == "none" else mic
    loaded = broken if recognizer == "broken" else (lambda: FakeRecognizer({}))
    with spoken_commands(opened, loaded, heed, lambda pcm, rate: None) as spoken:
        deadline = time.monotonic() + 5
        while spoken.problem is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert spoken.read() == [] and spoken.read() == []
        assert not spoken.on
    said = [("listening", "")] if microphone == "gone" else []
    assert heed.said == [*said, ("off", sentence)]


# -- a live session with --listen, on the fake clock (the real loop, controller, player and log) -----------------------


class Spoken:
    """A fake microphone and recognizer for `coach mini --listen`: each block is taken as the fake clock passes its
    50 ms, and the words given are heard in the block at their second."""

    def __init__(self, clock: FakeClock, said: dict[float, tuple[str, ...]], fault: str | None = None) -> None:
        self.clock, self.fault = clock, fault
        self.said = {round(at * 20): words for at, words in said.items()}

    @contextlib.contextmanager
    def microphone(self):
        if self.fault == "microphone":
            raise MicrophoneError("No microphone could be opened (PortAudio finds no input device).")

        def read():
            block = 0
            while True:
                self.asked = block  # every block before this one has been heard, and its words queued
                while self.clock.monotonic() - self.clock.start < block / 20:
                    time.sleep(0.0005)
                yield np.zeros(800, dtype=np.int16)
                block += 1

        yield read()

    def recognizer(self):
        if self.fault == "recognizer":
            raise RecognizerError("The speech recognizer could not be loaded (No module named 'pocketsphinx').")
        return FakeRecognizer(self.said)

    def keyboard(self):
        """No keys typed; each read waits until the listening thread has heard the audio up to the clock (as a
        real microphone's would have come by then), so what is said lands on the turn it would."""
        spoken, clock = self, self.clock

        class InStep:
            def read(self) -> str:
                due = int((clock.monotonic() - clock.start) * 20)
                deadline = time.monotonic() + 5
                while getattr(spoken, "asked", -1) <= due:
                    if spoken.fault or time.monotonic() > deadline:
                        break
                    time.sleep(0.0002)
                return ""

        return contextlib.nullcontext(InStep())


def live_with(monkeypatch, home, spoken: Spoken, keys=None):
    """`coach mini --side right --listen` through test_log_truth's live session, with the fake microphone and
    recognizer, and the tones kept."""
    import test_log_truth
    from conftest import deps

    tones: list[np.ndarray] = []
    base = deps(microphone=spoken.microphone, recognizer=spoken.recognizer, tone=lambda pcm, rate: tones.append(pcm))
    monkeypatch.setattr(test_log_truth, "deps", lambda: base)
    clock = spoken.clock
    keyboard = spoken.keyboard if keys is None else None
    result, _, _ = live(home, "--side", "right", "--listen", keys=keys, clock=clock, output=ClockedOutput(clock),
                        keyboard=keyboard)  # fmt: skip
    return result, tones


def test_coach_stop_said_stops_the_session_as_q_does(monkeypatch, home):
    clock = FakeClock()
    result, tones = live_with(monkeypatch, home, Spoken(clock, {2.0: ("coach", "stop")}))
    assert result.exit_code == 0, result.output
    assert rows(home) == [("right", 0, 0, None, "stopped", None, 0)]
    lines = result.stderr.splitlines()
    assert lines[lines.index(LISTENING_TEXT) :] == [
        LISTENING_TEXT, "Heard: coach, stop.", "Stopped.",
        "To continue it later today: coach mini --side right --resume",
    ]  # fmt: skip
    assert [tone is UNDERSTOOD for tone in tones] == [True]


def test_a_number_said_answers_the_tenderness_question(monkeypatch, home):
    clock = FakeClock()
    length = seconds(timeline(home).length)
    result, tones = live_with(monkeypatch, home, Spoken(clock, {length + 2.0: ("four",)}))
    assert result.exit_code == 0, result.output
    assert rows(home) == [("right", 2, 2, None, "finished", 4, None)], result.stderr
    assert result.stderr.splitlines()[-4:] == [
        "Session complete.", SPOKEN_QUESTION_TEXT, "Heard: 4.", "Tenderness 4 noted.",
    ]  # fmt: skip
    assert [tone is UNDERSTOOD for tone in tones] == [True]


@pytest.mark.parametrize("fault", ["microphone", "recognizer"])
def test_with_no_microphone_or_no_recognizer_the_session_plays_with_its_keys(monkeypatch, home, fault):
    clock = FakeClock()
    result, _ = live_with(monkeypatch, home, Spoken(clock, {}, fault), keys={3.0: "q"})
    assert result.exit_code == 0, result.output
    problem = {
        "microphone": "No microphone could be opened (PortAudio finds no input device)",
        "recognizer": "The speech recognizer could not be loaded (No module named 'pocketsphinx')",
    }[fault]
    assert result.stderr.count(f"{problem}: the session goes on with the keys and media buttons.\n") == 1
    assert LISTENING_TEXT not in result.stderr
    assert result.stderr.endswith("Stopped.\nTo continue it later today: coach mini --side right --resume\n")
    assert rows(home) == [("right", 0, 0, None, "stopped", None, 0)]  # q, as ever


def test_the_question_asked_by_voice_says_so():
    assert question_text(Side.RIGHT, spoken=True) == (
        "How tender was the spot on your right side, from zero to ten? Say the number, or press its key."
    )
