"""What spoken words mean (pure): the call, the commands and the numbers, and what a recognizer's hypotheses come to.

A command is the call, "coach", then one of six commands: "coach, pause" ... "coach, stop". Each is a controller key
(pause and go on are both space, which toggles; repeat r, next n, back b, stop q). A number from zero to ten answers
the tenderness question, said alone. The call alone, the call and words that are no command, or a call the
recognizer is not sure of, is a "say again?": never an action. A pause after the call is part of what is said (up
to CALL_WAIT_S): "coach ... pause" is a command. The words come from a recognizer that forces a small grammar onto
whatever it hears, so words drawn out, far apart or too long in all are no command: a sentence squeezed into one.

Times are integer samples of the recognizer's audio (RATE a second), counted from the start of listening.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

RATE = 16000  # the recognizer's samples a second
CALL = "coach"
COMMANDS = ("pause", "go on", "repeat", "next", "back", "stop")
KEYS = {"pause": " ", "go on": " ", "repeat": "r", "next": "n", "back": "b", "stop": "q"}
NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
COMMAND, NUMBER, SAY_AGAIN = "command", "number", "say again"
COMMANDS_MODE, NUMBERS_MODE = "commands", "numbers"  # what is listened for: during a session, at its question
CALL_WAIT_S = 1.5  # quiet after a call this long, and the call was said alone
MAX_COMMAND_S = 2.5  # from the start of the call to the end of the command; longer is ordinary speech
MAX_WORD_S = 1.5  # a call, command or number word said longer than this is not one
MAX_GAP_S = 1.0  # the most quiet between two words of a command
# The recognizer's confidence in the call (its posterior: how little the words competing for its place weigh
# against it), below which a call and a command are a say-again, never an action. A call heard this weakly is as
# often speech that is no call: "Don't stop," in espeak-ng's Caribbean voice was "coach, stop" with the call at 0.41
# to 0.62, by noise and by run; and the coach's own line "... from your navel to the six-pack's edge" was "coach,
# pause" at 0.74 in one synthesis of Piper's joe. The calls of the commands said under noise are over 0.8 nine times
# in ten, but not all of Piper's joe's: at 0.8 the tests' "Coach, back." under breathing noise at 20 dB was missed.
# So the line is drawn between the two, with little room on either side (docs/listening.md).
MIN_CALL_CONFIDENCE = 0.75


@dataclass(frozen=True)
class Word:
    """A word a recognizer heard: its text (in the recognizer's spelling, "on(2)" for a variant), its samples, and
    the recognizer's confidence in it, 0 to 1."""

    text: str
    start: int
    end: int
    confidence: float = 1.0

    @property
    def name(self) -> str:
        return re.sub(r"\(\d+\)$", "", self.text).lower()


@dataclass(frozen=True)
class Hypothesis:
    """One utterance, as a recognizer heard it: its words in order, without silences and fillers, and the samples
    the utterance ran over (from the first to the last sample heard as speech)."""

    words: tuple[Word, ...]
    start: int
    end: int


@dataclass(frozen=True)
class Heard:
    """What an utterance meant: a command ("pause"), a number ("4") or a call not understood (SAY_AGAIN), with the
    samples from the call (or the number) to the end of the last word."""

    kind: str
    name: str
    start: int
    end: int

    @property
    def key(self) -> str:
        """The controller key this stands for: a command's key, a number's digits, nothing for a say-again."""
        if self.kind == COMMAND:
            return KEYS[self.name]
        return self.name if self.kind == NUMBER else ""


def _seconds(samples: int) -> float:
    return samples / RATE


def _plausible(words: tuple[Word, ...], hypothesis: Hypothesis) -> bool:
    """Said as a command is: no word drawn out, no long gap, the whole said briskly (a grammar of a few words
    forces them onto any speech it hears, and stretches them over a sentence)."""
    if any(_seconds(w.end - w.start) > MAX_WORD_S for w in words):
        return False
    if any(_seconds(b.start - a.end) > MAX_GAP_S for a, b in pairwise(words)):
        return False
    return _seconds(words[-1].end - words[0].start) <= MAX_COMMAND_S


def _command(names: list[str]) -> str | None:
    said = " ".join(names)
    return said if said in COMMANDS else None


def understand(hypothesis: Hypothesis, mode: str) -> Heard | None:
    """What an utterance meant, listening for `mode` (COMMANDS_MODE or NUMBERS_MODE): None for anything else."""
    words = hypothesis.words
    if not words or not _plausible(words, hypothesis):
        return None
    names = [w.name for w in words]
    if mode == NUMBERS_MODE:
        if len(names) == 1 and names[0] in NUMBERS:
            return Heard(NUMBER, str(NUMBERS.index(names[0])), words[0].start, words[0].end)
        return None
    if names[0] != CALL:
        return None
    command = _command(names[1:])
    if command is None or words[0].confidence < MIN_CALL_CONFIDENCE:
        return Heard(SAY_AGAIN, "", words[0].start, words[-1].end)
    return Heard(COMMAND, command, words[0].start, words[-1].end)
