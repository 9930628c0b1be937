"""The progress report, as values (pure): what the program log says about a period, routine by routine, for a
therapist. It reads the log's entries and takes the period and today's date as values.

For each routine: the period (asked for, or from its first logged day to its last, or on to today while its
program's days run); each day with entries (the days between with nothing logged, as one row), its day of the
program, the sessions that count on each side against the program's sessions a day, the strokes done on each side,
each side's tenderness (the day's last note), the sessions stopped early and the reminders skipped; the days a
side's program was called done; and a summary line for each side, such as "12 of 14 days, 61 of 84 sessions on the
right side; tenderness 6 to 2".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from coach.kinds import Side
from coach.program import SKIPPED, STARTED, STOPPED, Entry, day_tenderness, program_starts, side_done
from coach.routine import Program, Routine
from coach.template import counted

CUT_SHORT = (STOPPED, STARTED)  # a session stopped early, or whose process ended before it said how it ended


@dataclass(frozen=True)
class SideDay:
    sessions: int  # the sessions that count on the side (they reached the routine's fewest advised strokes)
    strokes: int  # every stroke done on the side, in sessions stopped early too
    tenderness: int | None  # the day's last note for the side
    done: bool = False  # the side's program was called done this day


@dataclass(frozen=True)
class DayRow:
    """A day with entries; or, with `until`, the days from `day` to `until` with nothing logged."""

    day: date
    number: int | None = None  # its day of the program (None before the first one)
    sides: tuple[SideDay, ...] = ()  # one for each side of the report
    stopped: int = 0
    skipped: int = 0
    restart: bool = False  # a new program starts this day, after a break
    until: date | None = None


@dataclass(frozen=True)
class CutShort:
    """A session stopped early."""

    started: datetime
    side: Side
    done: int
    planned: int


@dataclass(frozen=True)
class Summary:
    side: Side
    days: int  # the days of the period
    days_worked: int  # the days with a session that counts on the side
    sessions: int  # the sessions that count on the side
    per_day: int | None  # the program's sessions a day (None: a routine with no program)
    tenderness: tuple[int, ...]  # each day's note for the side, in order

    def text(self) -> str:
        """ "12 of 14 days, 61 of 84 sessions on the right side; tenderness 6 to 2"."""
        sessions = counted(self.sessions, "session")
        if self.per_day is not None:
            sessions = f"{self.sessions} of {self.days * self.per_day} sessions"
        notes = self.tenderness
        tender = "no tenderness noted"
        if len(notes) == 1:
            tender = f"tenderness {notes[0]} (one note)"
        elif notes:
            tender = f"tenderness {notes[0]} to {notes[-1]}"
        return f"{self.days_worked} of {counted(self.days, 'day')}, {sessions} on the {self.side} side; {tender}"


@dataclass(frozen=True, kw_only=True)
class RoutineProgress:
    routine: str
    title: str
    program: Program | None
    first: date
    last: date
    sides: tuple[Side, ...]
    rows: tuple[DayRow, ...]
    summaries: tuple[Summary, ...]
    done: tuple[tuple[Side, date], ...]  # the days a side's program was called done
    cut_short: tuple[CutShort, ...]
    skipped: int

    @property
    def strokes(self) -> tuple[int, ...]:
        """Every stroke done in the period, on each side."""
        return tuple(sum(row.sides[i].strokes for row in self.rows if row.sides) for i in range(len(self.sides)))


@dataclass(frozen=True, kw_only=True)
class Progress:
    made: datetime
    first: date | None  # the period asked for (None: each routine's own)
    last: date | None
    routines: tuple[RoutineProgress, ...]
    nothing: str = ""  # why there is nothing to report ("" when there is)


def progress(
    entries: Sequence[Entry],
    routines: Mapping[str, Routine | None],
    today: date,
    made: datetime,
    period: tuple[date | None, date | None] = (None, None),
    named: str | None = None,
) -> Progress:
    """The report on `entries` (of the routines to report on: of the one `named`, when one is), for the period
    asked, `today` being today."""
    first, last = period
    if not entries:
        of = "" if named is None else f" of {named}"
        return Progress(made=made, first=first, last=last, routines=(), nothing=f"No sessions{of} are logged yet.")
    reports = []
    for name in sorted({e.routine for e in entries}):
        mine = [e for e in entries if e.routine == name]
        report = routine_progress(mine, name, routines.get(name), today, period)
        if report is not None:
            reports.append(report)
    nothing = "" if reports else f"Nothing is logged {_between(first, last)}."
    return Progress(made=made, first=first, last=last, routines=tuple(reports), nothing=nothing)


def _between(first: date | None, last: date | None) -> str:
    """The period asked for, in words (some part of it is given: without one, every entry is in it)."""
    if first is not None and last is not None:
        return f"from {first.isoformat()} to {last.isoformat()}"
    if first is not None:
        return f"from {first.isoformat()} on"
    return f"up to {last.isoformat()}" if last is not None else "at all"


def period_of(mine: Sequence[Entry], program: Program | None, today: date) -> tuple[date, date]:
    """A routine's own period: from its first logged day to its last, or on to today while its program's days
    from the first logged day run (so the days missed so far count)."""
    days = sorted(e.started.date() for e in mine)
    first, last = days[0], days[-1]
    if program is not None:
        last = max(last, min(today, first + timedelta(days=program.days - 1)))
    return first, last


def routine_progress(
    mine: Sequence[Entry],
    name: str,
    routine: Routine | None,
    today: date,
    period: tuple[date | None, date | None],
) -> RoutineProgress | None:
    """One routine's report over the period (None when it has no entry there)."""
    program = routine.program if routine is not None else None
    own_first, own_last = period_of(mine, program, today)
    first, last = period[0] or own_first, period[1] or own_last
    inside = [e for e in mine if first <= e.started.date() <= last]
    if not inside or first > last:
        return None
    sides = tuple(side for side in Side.BOTH.sides if any(side in e.side.sides for e in inside))
    rows = day_rows(mine, name, sides, first, last)
    days = (last - first).days + 1
    summaries = tuple(summary(rows, index, side, program, days) for index, side in enumerate(sides))
    done = tuple((side, row.day) for row in rows for side, day in zip(sides, row.sides or (), strict=False) if day.done)
    cut = tuple(CutShort(e.started, e.side, e.strokes_done, e.strokes_planned) for e in inside if e.status in CUT_SHORT)
    return RoutineProgress(
        routine=name, title=routine.title if routine is not None else name, program=program, first=first, last=last,
        sides=sides, rows=rows, summaries=summaries, done=done, cut_short=cut,
        skipped=sum(e.status == SKIPPED for e in inside),
    )  # fmt: skip


def day_rows(mine: Sequence[Entry], name: str, sides: tuple[Side, ...], first: date, last: date) -> tuple[DayRow, ...]:
    """A row for each day of the period with entries, and one for each run of days between with none."""
    by_day: dict[date, list[Entry]] = {}
    for e in mine:
        by_day.setdefault(e.started.date(), []).append(e)
    starts = program_starts(e.started.date() for e in mine if counting(e))
    rows: list[DayRow] = []
    gap: date | None = None
    day = first
    while day <= last:
        if day not in by_day:
            gap = gap or day
        else:
            if gap is not None:
                rows.append(DayRow(gap, until=day - timedelta(days=1)))
                gap = None
            rows.append(day_row(mine, by_day[day], name, sides, day, starts))
        day += timedelta(days=1)
    if gap is not None:
        rows.append(DayRow(gap, until=last))
    return tuple(rows)


def counting(e: Entry) -> bool:
    """Whether a session counts toward the program (a reminder skipped is no session)."""
    return not e.skipped and e.counts


def day_row(
    mine: Sequence[Entry], that_day: Sequence[Entry], name: str, sides: tuple[Side, ...], day: date, starts: list[date]
) -> DayRow:
    began = max((start for start in starts if start <= day), default=None)
    worked = [e for e in that_day if e.is_session]
    per_side = []
    for side in sides:
        done = side_done(mine, name, side, day)
        per_side.append(
            SideDay(
                sessions=sum(e.covers(side) for e in worked),
                strokes=sum(e.done_on(side) for e in worked),
                tenderness=day_tenderness(that_day, side),
                done=done == day,
            )
        )
    return DayRow(
        day, number=None if began is None else (day - began).days + 1, sides=tuple(per_side),
        stopped=sum(e.status in CUT_SHORT for e in worked), skipped=sum(e.status == SKIPPED for e in that_day),
        restart=day in starts[1:],
    )  # fmt: skip


def summary(rows: Sequence[DayRow], index: int, side: Side, program: Program | None, days: int) -> Summary:
    """A side's summary over the period's rows (`index`: the side's place in each row)."""
    logged = [row.sides[index] for row in rows if row.sides]
    return Summary(
        side=side, days=days, days_worked=sum(day.sessions > 0 for day in logged),
        sessions=sum(day.sessions for day in logged), per_day=None if program is None else program.sessions_per_day,
        tenderness=tuple(day.tenderness for day in logged if day.tenderness is not None),
    )  # fmt: skip
