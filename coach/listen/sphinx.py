"""The recognizer (an edge): PocketSphinx with its bundled US-English model, offline, on audio blocks.

Audio goes through an endpointer (`coach.listen.endpoint`), which cuts it into utterances; each utterance is decoded
against a small grammar: during a session the call and the commands, with a few everyday words that compete for
the call's place (so "don't stop" is not "coach, stop"), and for the tenderness question the numbers. An utterance
comes back as a `Hypothesis`: its words and where they fall, in samples from the start of listening, at 16 kHz.
What it means is decided elsewhere (`coach.listen.words`). Nothing is written anywhere: the decoder's log goes to
the null device.
"""

from __future__ import annotations

import os
import re

from coach.audio import Pcm
from coach.errors import CoachError
from coach.listen.endpoint import Endpointer, Piece
from coach.listen.words import (
    CALL,
    CALL_WAIT_S,
    COMMANDS,
    COMMANDS_MODE,
    NUMBERS,
    NUMBERS_MODE,
    RATE,
    Hypothesis,
    Word,
)  # fmt: skip

FRAME_S = 0.01  # the decoder's frame: word times come in these
# Words that can stand where the call does, each a better match than "coach" for speech that is not the call, taking
# a command's words with it into nothing: everyday words, and the coach's own most frequent words ("Stroke 5." was
# heard as the call and a command on the coach's own sessions before "stroke" competed; "she looked back" was "coach,
# back" before "looked" did).
COMPETITORS = (
    "don't", "so", "now", "please", "just", "let's", "then", "and", "i", "we", "you", "okay", "couch",
    "no", "the", "can", "it", "that", "stroke", "press", "slide", "release", "breathe", "slowly", "spot",
    "look", "looked", "could", "got",
)  # fmt: skip
# After the call: words unlike every command, so a command said is never taken for one of them, while a call followed
# by other words is a say-again; and the numbers, which follow "stroke" in every stroke.
# Not those near a command said under breath or noise ("it" took "next", "five" took "back", "eight" and "two" took
# "next", "oh" and "what" took the command after a call heard alone).
AFTER_CALL = (
    "so", "now", "please", "just", "okay", "no", "you", "we", "i", "and", "is",
    *(n for n in NUMBERS if n not in ("two", "five", "eight")),
)  # fmt: skip
# Instead of a number: words unlike every number ("then" is too near "ten").
NOT_NUMBERS = ("so", "please", "just", "okay", "you", "we", "is", "what", "stroke", "press", "slide", "release")
COMPETITOR_WEIGHT = 0.3
SKIPPED = ("<s>", "</s>", "<sil>")
# Quiet this long after the last voiced frame, and an utterance the decoder already hears as complete (the call and a
# command, or a number when one is asked for) ends: sooner than the endpointer's END_S, which waits out the pause at
# a comma. This is most of the delay from the end of a command to its action.
EARLY_S = 0.2


class RecognizerError(CoachError):
    pass


def grammars() -> dict[str, str]:
    """The grammars, in JSGF, by mode: the call and a command, a command alone, a number."""
    commands = " | ".join(COMMANDS)
    competitors = " | ".join(COMPETITORS)
    w = COMPETITOR_WEIGHT
    return {
        COMMANDS_MODE: (
            "#JSGF V1.0;\ngrammar commands;\n"
            f"public <said> = <lead> [<tail>];\n<lead> = {CALL} | /{w}/ <other>;\n"
            f"<tail> = <command> | /{w}/ <after>;\n<command> = {commands};\n<other> = {competitors};\n"
            f"<after> = {' | '.join(AFTER_CALL)};\n"
        ),
        NUMBERS_MODE: (
            "#JSGF V1.0;\ngrammar numbers;\n"
            f"public <said> = <number> | /{w}/ <other> [<other>];\n<number> = {' | '.join(NUMBERS)};\n"
            f"<other> = {' | '.join(NOT_NUMBERS)};\n"
        ),
    }


class SphinxRecognizer:
    """Audio blocks (16 kHz, mono, 16-bit) in, utterances out. `listen_for` picks the grammar; it takes effect at
    the next utterance."""

    def __init__(self) -> None:
        try:
            from pocketsphinx import Decoder
        except ImportError as exc:
            raise RecognizerError(f"The speech recognizer could not be loaded ({exc}).") from exc
        try:
            self._decoder = Decoder(lm=None, logfn=os.devnull, samprate=RATE)
            for mode, grammar in grammars().items():
                self._decoder.add_jsgf_string(mode, grammar)
            self._decoder.activate_search(COMMANDS_MODE)
        except (RuntimeError, ValueError, OSError) as exc:
            raise RecognizerError(f"The speech recognizer could not start ({exc}).") from exc
        self._endpointer = Endpointer()
        self._mode = COMMANDS_MODE
        self._in_utterance = False
        self._at = 0  # samples taken
        self._start = 0  # the open utterance's first sample
        self._held_from: int | None = None  # where the quiet after a call said alone began

    def listen_for(self, mode: str) -> None:
        self._mode = mode

    def feed(self, block: Pcm) -> list[Hypothesis]:
        """Take a block; returns the utterances that ended in it."""
        pieces = self._endpointer.feed(block)
        self._at += len(block)
        if self._held_from is not None:
            return self._hold(block, pieces)
        heard: list[Hypothesis] = []
        for piece in pieces:
            heard += self._take(piece)
        if self._in_utterance and self._complete():
            self._endpointer.cut()
            heard += self._end()
        return heard

    def _complete(self) -> bool:
        """Whether the open utterance has been quiet EARLY_S and is already heard as a whole command or number."""
        if not self._endpointer.in_speech or self._endpointer.quiet_s < EARLY_S:
            return False
        hypothesis = self._decoder.hyp()
        if hypothesis is None:
            return False
        said = re.sub(r"\(\d+\)", "", hypothesis.hypstr).split()
        if self._mode == NUMBERS_MODE:
            return len(said) == 1 and said[0] in NUMBERS
        return len(said) > 1 and said[0] == CALL and " ".join(said[1:]) in COMMANDS

    def finish(self) -> list[Hypothesis]:
        """The end of the audio: an utterance still open ends here."""
        pieces = self._endpointer.finish()
        if self._held_from is not None:
            return self._end() if self._in_utterance else []
        heard: list[Hypothesis] = []
        for piece in pieces:
            heard += self._take(piece)
        return self._end() if self._in_utterance else heard

    def _take(self, piece: Piece) -> list[Hypothesis]:
        """An utterance's audio, decoded; where it ends as the call alone it is held open (`_hold`), since a pause
        after the call is no end of what is said."""
        if not self._in_utterance:
            if self._decoder.current_search() != self._mode:
                self._decoder.activate_search(self._mode)
            self._decoder.start_utt()
            self._in_utterance = True
            self._start = piece.start
        self._decoder.process_raw(piece.samples.tobytes(), False, False)
        if not piece.last:
            return []
        hypothesis = self._decoder.hyp()
        if self._mode == COMMANDS_MODE and hypothesis is not None and hypothesis.hypstr == CALL:
            self._held_from = self._at
            return []
        return self._end()

    def _hold(self, block: Pcm, pieces: list[Piece]) -> list[Hypothesis]:
        """After a call said alone, everything is decoded with it (the quiet too), until what follows ends, or
        CALL_WAIT_S passes in quiet."""
        self._decoder.process_raw(block.tobytes(), False, False)
        if any(piece.last for piece in pieces):
            return self._end()
        if self._complete():
            self._endpointer.cut()
            return self._end()
        waited = self._at - self._held_from if self._held_from is not None else 0
        if not self._endpointer.in_speech and waited >= CALL_WAIT_S * RATE:
            return self._end()
        return []

    def _end(self) -> list[Hypothesis]:
        self._decoder.end_utt()
        self._in_utterance = False
        self._held_from = None
        frame = round(FRAME_S * RATE)
        words = tuple(
            Word(s.word, self._start + s.start_frame * frame, self._start + (s.end_frame + 1) * frame, min(s.prob, 1.0))
            for s in self._decoder.seg() or ()
            if s.word not in SKIPPED and not s.word.startswith(("[", "+"))
        )
        return [Hypothesis(words, self._start, self._endpointer.end)]
