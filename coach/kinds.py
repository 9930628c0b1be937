"""The named choices a session is made of: side, tempo, guidance, shape and tool, and `auto` where the program log
decides (a leaf: it imports nothing of coach).

Each is a `StrEnum` whose values are the spellings the command line takes and the JSON, the program log and the
messages show, so a member is also the string it stands for.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Side(StrEnum):
    """The side a session works: right or left names the muscle worked; both works the right, then the left."""

    RIGHT = "right"
    LEFT = "left"
    BOTH = "both"

    @property
    def sides(self) -> tuple[Side, ...]:
        """The single sides worked, in order."""
        return (Side.RIGHT, Side.LEFT) if self is Side.BOTH else (self,)

    @property
    def other(self) -> Side:
        """The other single side (right and left only)."""
        if self is Side.BOTH:
            raise ValueError("both sides have no other side")
        return Side.LEFT if self is Side.RIGHT else Side.RIGHT

    @property
    def words(self) -> str:
        """ "right side", "left side" or "both sides"."""
        return "both sides" if self is Side.BOTH else f"{self} side"


class Auto(StrEnum):
    """What the program log decides: --side auto takes the side with fewer sessions today, --shape auto the shape
    the day's sessions call for. One member, so `Side | Auto` says a side or the log's choice."""

    AUTO = "auto"


AUTO: Final = Auto.AUTO


class Tempo(StrEnum):
    SLOW = "slow"
    MEDIUM = "medium"
    FAST = "fast"


class Guidance(StrEnum):
    """How much is said during the strokes: full, every step's words on every stroke; brief, full words for the
    first strokes and then short ones; minimal, counts and sounds only."""

    FULL = "full"
    BRIEF = "brief"
    MINIMAL = "minimal"


class Shape(StrEnum):
    """The shape of a session in the day's program: teach, the first session of a routine (everything); refresh,
    the first of a day (the safety words in full, the position and the stroke in short); quick, every later one that
    day (a line to get into position, the strokes, a closing line)."""

    TEACH = "teach"
    REFRESH = "refresh"
    QUICK = "quick"


class Tool(StrEnum):
    """What presses: the hands (fingertips), or a tool for weak or sore hands: a cane (a hooked massage cane, its
    tip set on the spot and drawn in by its handle) or a knobbler (a hand-held knob, the palm over it)."""

    HANDS = "hands"
    CANE = "cane"
    KNOBBLER = "knobbler"

    @property
    def named(self) -> str:
        """ "with a cane", "with a knobbler", or "" for the hands (a session's title says only a tool)."""
        return "" if self is Tool.HANDS else f"with a {self}"
