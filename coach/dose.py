"""A side's dose from its tenderness (pure): a tenderness that rises by EASE_RISE or more over the day before's, or
reaches EASE_AT, makes the next sessions on that side lighter until it falls back.

The notes are the program log's tenderness answers and `coach log` notes, each side on its own (a session on both
sides notes both). "The day before's" is the last note of the latest earlier day with one. Once lighter, the dose
returns with the first later note at or under the limit: under EASE_AT, and less than EASE_RISE above where the
side stood before the rise (`Lighter.limit`). A note that goes on rising keeps it lighter; a side that never falls
back stays lighter, and each of its sessions says to see a doctor or physical therapist if it stays or gets worse.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from coach.kinds import Side

EASE_RISE = 3  # a tenderness this much above the day before's ...
EASE_AT = 7  # ... or this high, and the next sessions on that side are lighter
ADVICE = "If it stays or gets worse, see a doctor or physical therapist."


class Noted(Protocol):
    """A log entry as this module reads it (coach.program.Entry)."""

    @property
    def routine(self) -> str: ...
    @property
    def side(self) -> Side: ...
    @property
    def started(self) -> datetime: ...
    @property
    def tenderness(self) -> int | None: ...


@dataclass(frozen=True, kw_only=True)
class Lighter:
    """A side whose sessions are lighter: its latest note, the day before's when a rise made them lighter, and the
    most a later note may be for the full dose to return."""

    side: Side
    tenderness: int  # the latest note
    before: int | None  # the day before's note, when the rise made it lighter; None when reaching EASE_AT did
    limit: int

    def reason(self, named: bool = True) -> str:
        """ "your right side's tenderness rose from 2 to 6", "your left side was tender at 8"; not `named`: "its
        tenderness rose ...", "it was tender at 8"."""
        who = f"your {self.side} side" if named else "it"
        if self.before is not None:
            whose = f"{who}'s" if named else "its"
            return f"{whose} tenderness rose from {self.before} to {self.tenderness}"
        return f"{who} was tender at {self.tenderness}"


@dataclass(frozen=True, kw_only=True)
class Dose:
    """Where a side's dose stands before its next session: lighter (or not), and whether the note that returned
    the full dose has not been followed by a session on that side yet (so the next one says so)."""

    side: Side
    lighter: Lighter | None = None
    back: int | None = None  # the note that brought the full dose back, until the side's next session


def notes_of(entries: Iterable[Noted], routine: str, side: Side, until: date) -> list[tuple[datetime, int]]:
    """A side's tenderness notes up to the end of a day, oldest first."""
    return sorted(
        (e.started, e.tenderness)
        for e in entries
        if e.routine == routine and e.tenderness is not None and side in e.side.sides and e.started.date() <= until
    )


def _step(lighter: Lighter | None, side: Side, value: int, before: int | None) -> Lighter | None:
    """The dose after one more note, `before` the day before's."""
    if lighter is not None:
        if value <= lighter.limit:
            return None
        return Lighter(side=side, tenderness=value, before=lighter.before, limit=lighter.limit)
    rose = before is not None and value - before >= EASE_RISE
    if not rose and value < EASE_AT:
        return None
    base = before if before is not None and before < value else None
    limit = EASE_AT - 1 if base is None else min(EASE_AT - 1, base + EASE_RISE - 1)
    return Lighter(side=side, tenderness=value, before=before if rose else None, limit=limit)


def dose(entries: Sequence[Noted], routine: str, side: Side, today: date, worked: Sequence[datetime] = ()) -> Dose:
    """A single side's dose before its next session, from every note up to today; `worked`: when the sessions on
    that side started, so that "the full dose is back" is said once, at the first session after the note."""
    lighter: Lighter | None = None
    last_of_day: dict[date, int] = {}
    back: tuple[datetime, int] | None = None
    for when, value in notes_of(entries, routine, side, today):
        earlier = [day for day in last_of_day if day < when.date()]
        before = last_of_day[max(earlier)] if earlier else None
        after = _step(lighter, side, value, before)
        if lighter is not None and after is None:
            back = (when, value)
        elif after is not None:
            back = None
        lighter = after
        last_of_day[when.date()] = value
    if back is not None and any(start > back[0] for start in worked):
        back = None
    return Dose(side=side, lighter=lighter, back=None if back is None else back[1])
