"""What a session is asked to be, as the command line's options give it: typed values, converted once at the edge.

`SessionChoices` is the session's shape and pace (named tempo and guidance as enums, --no-intro turned round, the
shape or `auto`, the tool); `SpeechChoices` how it is spoken. The live session (coach.practice), a single file and
an export all take them as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from coach.kinds import AUTO, Auto, Guidance, Shape, Tempo, Tool


@dataclass(frozen=True, kw_only=True)
class SessionChoices:
    """The session options as the pipeline takes them."""

    strokes: int | None  # None: the routine's
    tempo: Tempo | None  # None: the routine's, or --bpm's
    bpm: int | None
    guidance: Guidance
    intro: bool
    shape: Shape | Auto = AUTO  # teach, refresh, quick, or auto: from the program log
    tool: Tool = Tool.HANDS  # what presses: the hands, a cane or a knobbler


@dataclass(frozen=True, kw_only=True)
class SpeechChoices:
    """How the session is spoken: the engine (by kind), its voice, and the pace."""

    engine: str
    voice: str
    pace: float

    @property
    def label(self) -> str:
        """For the MP3 comment: the voice by its name, the engine and the pace."""
        from coach.speech.factory import speech_label

        return speech_label(self.engine, self.voice, self.pace)
