"""The program (pure): where a user stands in a routine's program, which side is due, and the history by day.

The seed prescribes a program, not a single session: a few strokes, several sessions a day, for about two weeks,
until the muscle is no longer tender. These functions read the log's entries and take today's date as a value;
they never touch the database or the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from coach.kinds import AUTO, Side
from coach.routine import Program, Routine

FINISHED, STOPPED, STARTED, LOGGED = "finished", "stopped", "started", "logged"


@dataclass(frozen=True)
class Entry:
    routine: str
    side: Side
    started: datetime  # local time
    strokes_done: int
    strokes_planned: int
    status: str  # finished, stopped, started (the process died during it) or logged (tenderness noted later)
    tenderness: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "side", Side(self.side))  # the side's spelling, as the log stores it, is enough

    @property
    def is_session(self) -> bool:
        return self.status != LOGGED

    def covers(self, side: Side) -> bool:
        """Whether the session worked this single side."""
        return side in self.side.sides


@dataclass(frozen=True)
class Standing:
    session: int  # this session's number today, for the side(s) worked
    per_day: int
    day: int  # the day of the program, counted from the routine's first session
    days: int
    until: str

    @property
    def first_today(self) -> bool:
        return self.session == 1

    def text(self) -> str:
        if self.session <= self.per_day:
            now = f"This is session {self.session} of {self.per_day} today"
        else:
            now = f"This is session {self.session} today, more than the {self.per_day} the program asks for"
        if self.day <= self.days:
            return f"{now}, on day {self.day} of {self.days}."
        return f"{now}, on day {self.day}. The {self.days} days are done: carry on only until {self.until}."


def sessions(entries: Iterable[Entry], routine: str, day: date | None = None) -> list[Entry]:
    return [e for e in entries if e.routine == routine and e.is_session and (day is None or e.started.date() == day)]


def count_today(entries: Iterable[Entry], routine: str, day: date, side: Side) -> int:
    return sum(e.covers(side) for e in sessions(entries, routine, day))


def auto_side(entries: Sequence[Entry], routine: str, day: date) -> Side:
    """The side with fewer sessions today (right on a tie)."""
    right, left = (count_today(entries, routine, day, side) for side in Side.BOTH.sides)
    return Side.LEFT if left < right else Side.RIGHT


def first_day(entries: Iterable[Entry], routine: str, today: date) -> date:
    """The program's first day: the day of the routine's first logged session, or today when there is none."""
    return min((e.started.date() for e in sessions(entries, routine)), default=today)


def sides_due(entries: Sequence[Entry], routine: str, today: date) -> tuple[Side, ...]:
    """The single sides whose program still goes on: every side, for now. (Reminders ask this; when a side's
    program can end, as the log tells it, this is where it stops being due.)"""
    return Side.BOTH.sides


def standing(entries: Sequence[Entry], routine: str, program: Program, side: Side, day: date) -> Standing:
    """Where this session stands: its number today (for both sides, the busier side's), and the program's day."""
    done = max(count_today(entries, routine, day, single) for single in Side(side).sides)
    first = first_day(entries, routine, day)
    return Standing(done + 1, program.sessions_per_day, (day - first).days + 1, program.days, program.until)


@dataclass(frozen=True)
class SessionPlan:
    """What the program log decides about a session before it starts."""

    side: Side  # the side to work (--side auto: the one with fewer sessions today)
    standing: str | None = None  # where the user stands, said first; only for a live session that is logged
    short_intro: bool = False  # after the first session of the day the safety lines give way to the reminder


def plan_session(entries: Sequence[Entry], routine: Routine, side: str, today: date, *, announce: bool) -> SessionPlan:
    """Plan a session from the log's entries: `side` is right, left, both or auto. With `announce` (a live session
    that is logged) it says where the user stands; files and scripts do not, so they are the same whenever they
    are made."""
    chosen = auto_side(entries, routine.name, today) if side == AUTO else Side(side)
    if not announce or routine.program is None:
        return SessionPlan(chosen)
    where = standing(entries, routine.name, routine.program, chosen, today)
    return SessionPlan(chosen, where.text(), short_intro=not where.first_today)


def history_text(entries: Sequence[Entry], programs: dict[str, Program | None]) -> str:
    """A table by day for each routine: sessions per side, strokes done, tenderness (the day's mean)."""
    if not entries:
        return "No sessions yet. Each live session is recorded here; 'coach log' records tenderness.\n"
    out: list[str] = []
    for routine in sorted({e.routine for e in entries}):
        mine = [e for e in entries if e.routine == routine]
        program = programs.get(routine)
        heading = routine
        if program is not None:
            heading += f": {program.sessions_per_day} sessions a day for {program.days} days, until {program.until}"
        out += [heading, f"  {'day':>3}  {'date':<10}  {'right':>5}  {'left':>4}  {'strokes':>7}  {'tenderness':>10}"]
        first = min(e.started.date() for e in mine)
        for day in sorted({e.started.date() for e in mine}):
            that_day = [e for e in mine if e.started.date() == day]
            done = [e for e in that_day if e.is_session]
            marks = [e.tenderness for e in that_day if e.tenderness is not None]
            tender = f"{sum(marks) / len(marks):.1f}" if marks else "-"
            right, left = (sum(e.covers(side) for e in done) for side in Side.BOTH.sides)
            strokes = sum(e.strokes_done for e in done)
            number = (day - first).days + 1
            out.append(f"  {number:>3}  {day.isoformat():<10}  {right:>5}  {left:>4}  {strokes:>7}  {tender:>10}")
        out.append("")
    return "\n".join(out)


def daily(entries: Sequence[Entry], routine: str) -> list[tuple[int, int, float | None]]:
    """(day of the program, sessions, mean tenderness or None) for each day with entries, for plotting."""
    mine = [e for e in entries if e.routine == routine]
    if not mine:
        return []
    first = min(e.started.date() for e in mine)
    rows = []
    for day in sorted({e.started.date() for e in mine}):
        that_day = [e for e in mine if e.started.date() == day]
        marks = [e.tenderness for e in that_day if e.tenderness is not None]
        count = sum(e.is_session for e in that_day)
        rows.append(((day - first).days + 1, count, sum(marks) / len(marks) if marks else None))
    return rows
