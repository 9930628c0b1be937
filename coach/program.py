"""The program (pure): where a user stands in a routine's program, which side is due, and the history by day.

The seed prescribes a program, not a single session: a few strokes, several sessions a day, for about two weeks,
until the muscle is no longer tender. These functions read the log's entries and take today's date as a value;
they never touch the database or the clock.

Each side is a program of its own: its sessions today (against the sessions a day), its shape (a side's first
session teaches, whatever the other side did), its tenderness (coach.dose) and its end. `--side auto` works every
side due that is furthest behind today, so when both sides are level one session works both, and following the
day's reminders gives each side its full dose (docs/design/program.md says why).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from coach.dose import ADVICE, Dose, dose
from coach.kinds import AUTO, Shape, Side
from coach.routine import Program, Routine
from coach.script import SIDES_SAID
from coach.template import counted, fill, plural

FINISHED, STOPPED, STARTED, LOGGED, SKIPPED = "finished", "stopped", "started", "logged", "skipped"


BREAK_DAYS = 3  # this many days or more without a session, and a new program starts


@dataclass(frozen=True, kw_only=True)
class Entry:
    routine: str
    side: Side
    started: datetime  # local time
    strokes_done: int
    strokes_planned: int
    status: str  # finished, stopped, started (the process died during it), logged (tenderness noted later) or
    # skipped (a reminder answered with Skip: no session, never counted)
    tenderness: int | None = None
    done_by_side: tuple[int, ...] | None = None  # strokes done on each single side worked; None in older logs
    least: int = 0  # the routine's fewest advised strokes when it was recorded: fewer, and it does not count
    resume_phase: int | None = None  # where a stopped session can be continued: the phase it stopped in
    strokes: tuple[int, ...] = ()  # the strokes done, by index, for continuing it
    key: int = 0  # its row in the log (0: not from a log)
    shape: str = ""  # teach, refresh or quick ("" in older logs)
    reminder: int | None = None  # a skipped reminder's number in the day, from 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "side", Side(self.side))  # the side's spelling, as the log stores it, is enough

    @property
    def is_session(self) -> bool:
        return self.status not in (LOGGED, SKIPPED)

    @property
    def skipped(self) -> bool:
        return self.status == SKIPPED

    def done_on(self, side: Side) -> int:
        """Strokes done on this single side."""
        sides = self.side.sides
        if side not in sides:
            return 0
        if self.done_by_side is not None and len(self.done_by_side) == len(sides):
            return self.done_by_side[sides.index(side)]
        return self.strokes_done // len(sides)  # an older log: the strokes shared out evenly

    def covers(self, side: Side) -> bool:
        """Whether the session counts toward the program on this single side: it worked that side and reached the
        routine's fewest advised strokes there. A session stopped sooner is kept, but does not count."""
        return self.is_session and side in self.side.sides and self.done_on(side) >= self.least

    @property
    def counts(self) -> bool:
        return any(self.covers(side) for side in self.side.sides)


@dataclass(frozen=True, kw_only=True)
class Standing:
    side: Side  # the side worked: right, left or both
    sessions: tuple[int, ...]  # this session's number today on each single side worked (right, then left)
    per_day: int
    day: int  # the day of the program, counted from its first session (a break starts a new program)
    days: int
    until: str
    restarted: bool = False  # a break came before today: a new program starts today, with this session
    done: tuple[Side, ...] = ()  # the sides worked whose program is done (tender at 1 or less three days in a row)
    first: tuple[bool, ...] = ()  # for each single side worked: its first session that counts, ever
    new: bool = False  # the routine's first session that counts, on any side

    @property
    def session(self) -> int:
        """The session's number today: for both sides, the busier side's."""
        return max(self.sessions)

    @property
    def first_today(self) -> bool:
        return self.session == 1

    def _firsts(self) -> tuple[bool, ...]:
        return self.first or (False,) * len(self.sessions)

    def _which(self, n: int, first: bool, short: bool) -> str:
        """One side's session: "session 3 of 6 today" ("Session 3 of 6", short), "the first session", ..."""
        if first:
            which = "the first session"
        elif self.per_day == 1:
            which = "today's session" if n == 1 else "an extra session today"
        elif n <= self.per_day:
            which = f"session {n} of {self.per_day}" + ("" if short else " today")
        else:
            which = f"session {n} today"
        return which[:1].upper() + which[1:] if short else which

    def _where(self, short: bool) -> str:
        """The sessions on the sides worked: "session 3 of 6 today on your right side", "... on each side", ..."""
        (first, *other_first), (n, *others) = self._firsts(), self.sessions
        which = self._which(n, first, short)
        if not others:
            return f"{which} on your {self.side} side"
        if (others[0], other_first[0]) == (n, first):
            return f"{which} on each side"
        second = str(others[0]) if short else f"session {others[0]}"
        joined = ", " if short else ", and "
        return f"{which} on your right side{joined}{'the first' if other_first[0] else second} on your left"

    def text(self, short: bool = False) -> str:
        """The program line, said after the welcome; `short` for a quick session: "Session 3 of 6 on your right
        side, day 4 of 14."."""
        if self.done:
            return self.done_text(short)
        if short:
            return self.short_text()
        if self.new and self.day == 1 and not self.restarted:
            return f"This is your first session: day 1 of {self.days}."
        now = f"This is {self._where(short=False)}"
        if self.day <= self.days:
            text = f"{now}, on day {self.day} of {self.days}."
        else:
            text = f"{now}, on day {self.day}. The {self.days} days are done: carry on only until {self.until}."
        return f"After a break, a new program starts today. {text}" if self.restarted else text

    def done_text(self, short: bool) -> str:
        both = len(self.done) == 2
        if short:
            return f"{'Both sides' if both else f'{self.done[0].capitalize()} side'} done. An extra session."
        which = "Both sides" if both else f"Your {self.done[0]} side"
        verb = "have" if both else "has"
        return (
            f"{which} {verb} been tender at 1 or less for {DONE_DAYS} days in a row, so that program is done. This "
            f"session is an extra one."
        )

    def short_text(self) -> str:
        day = f"day {self.day} of {self.days}" if self.day <= self.days else f"day {self.day}"
        text = f"{self._where(short=True)}, {day}."
        return f"A new program after a break: {text[:1].lower()}{text[1:]}" if self.restarted else text


def sessions(entries: Iterable[Entry], routine: str, day: date | None = None) -> list[Entry]:
    """The sessions of a routine (on a day), each kept, whether or not it counts."""
    return [e for e in entries if e.routine == routine and e.is_session and (day is None or e.started.date() == day)]


def count_today(entries: Iterable[Entry], routine: str, day: date, side: Side) -> int:
    """The sessions that count on this single side on this day."""
    return sum(e.covers(side) for e in sessions(entries, routine, day))


def auto_side(entries: Sequence[Entry], routine: str, day: date) -> Side:
    """The sides whose program goes on (a side that is done is not chosen while the other is not) that have had
    the fewest sessions today: both, when they are level, so that one session a reminder gives each side its full
    dose; else the side behind, which catches up."""
    due = sides_due(entries, routine, day) or Side.BOTH.sides  # both done: an extra session, as if both were due
    return furthest_behind({side: count_today(entries, routine, day, side) for side in due})


def furthest_behind(counts: Mapping[Side, int]) -> Side:
    """Of the sides due, by their sessions today, those with the fewest: both when they are level, else one."""
    behind = [side for side, count in counts.items() if count == min(counts.values())]
    return Side.BOTH if len(behind) == 2 else behind[0]


def program_starts(days: Iterable[date]) -> list[date]:
    """The first day of each program, from the days with sessions that count: a new one starts after a break of
    BREAK_DAYS days or more without one."""
    starts: list[date] = []
    last: date | None = None
    for day in sorted(set(days)):
        if last is None or (day - last).days > BREAK_DAYS:
            starts.append(day)
        last = day
    return starts


def first_day(entries: Iterable[Entry], routine: str, today: date) -> date:
    """The first day of the program going on today: the first day with a session that counts since the last break,
    or today when there is none (no session yet, or a break just ended)."""
    days = [e.started.date() for e in sessions(entries, routine) if e.counts and e.started.date() <= today]
    starts = program_starts([*days, today])
    return starts[-1]


DONE_AT_MOST = 1  # tenderness at or below this ...
DONE_DAYS = 3  # ... on this many days in a row, and a side's program is done
REOPEN_AT_LEAST = 3  # a later tenderness this high opens it again


def side_done(entries: Iterable[Entry], routine: str, side: Side, today: date) -> date | None:
    """The day a side's program ended, as the seed sets it ("until it is no longer tender"): its logged tenderness
    at 0 or 1 on three days in a row (a day's last note counts; a session on both sides notes both). A later
    tenderness of 3 or more opens it again. None while it goes on."""
    notes: dict[date, int] = {}
    for e in sorted(entries, key=lambda e: e.started):
        if e.routine == routine and e.tenderness is not None and side in e.side.sides and e.started.date() <= today:
            notes[e.started.date()] = e.tenderness
    done: date | None = None
    run: list[date] = []
    for day in sorted(notes):
        low = notes[day] <= DONE_AT_MOST
        if done is not None:
            if notes[day] >= REOPEN_AT_LEAST:
                done, run = None, []
            continue
        run = [*run, day] if low and run and (day - run[-1]).days == 1 else [day] if low else []
        if len(run) >= DONE_DAYS:
            done = day
    return done


def sides_due(entries: Sequence[Entry], routine: str, today: date) -> tuple[Side, ...]:
    """The single sides whose program still goes on (reminders ask this; --side auto prefers them)."""
    return tuple(side for side in Side.BOTH.sides if side_done(entries, routine, side, today) is None)


def standing(entries: Sequence[Entry], routine: str, program: Program, side: Side, day: date) -> Standing:
    """Where this session stands: its number today on each side worked, whether it is a side's first, and the
    program's day (after a break, a new program starts today, and says so)."""
    done = tuple(count_today(entries, routine, day, single) for single in Side(side).sides)
    first = first_day(entries, routine, day)
    earlier = any(e.counts and e.started.date() < first for e in sessions(entries, routine))
    restarted = earlier and first == day and not any(e.counts for e in sessions(entries, routine, day))
    finished = tuple(single for single in Side(side).sides if side_done(entries, routine, single, day) is not None)
    ever = [e for e in sessions(entries, routine) if e.started.date() <= day]
    return Standing(
        side=Side(side), sessions=tuple(n + 1 for n in done), per_day=program.sessions_per_day,
        day=(day - first).days + 1, days=program.days, until=program.until, restarted=restarted,
        done=finished if len(finished) == len(Side(side).sides) else (),
        first=tuple(not any(e.covers(single) for e in ever) for single in Side(side).sides),
        new=not any(e.counts for e in ever),
    )  # fmt: skip


@dataclass(frozen=True)
class SessionPlan:
    """What the program log decides about a session before it starts."""

    side: Side  # the side to work (--side auto: every side due that is furthest behind today)
    standing: str | None = None  # where the user stands, said after the welcome; only for a live, logged session
    short_intro: bool = False  # in a quick session the intro's safety lines give way to the program's reminder
    done: tuple[int, ...] | None = None  # strokes done on each side, for the closing, once a live session knows
    shape: Shape = Shape.TEACH
    strokes: int | None = None  # a lighter dose's strokes a side, where tenderness asks for one (and --strokes not)
    advice: tuple[str, ...] = ()  # said after the program line: why the dose is lighter, or that it is back


SHAPES = (Shape.TEACH, Shape.REFRESH, Shape.QUICK)  # the fullest first


def side_shape(entries: Sequence[Entry], routine: str, today: date, side: Side) -> Shape:
    """A single side's shape: teach for its first session that counts (whatever the other side did), refresh for
    its first of a day, quick for every later one that day."""
    counted = [e for e in sessions(entries, routine) if e.covers(side) and e.started.date() <= today]
    if not counted:
        return Shape.TEACH
    return Shape.QUICK if any(e.started.date() == today for e in counted) else Shape.REFRESH


def auto_shape(entries: Sequence[Entry], routine: str, today: date, side: Side) -> Shape:
    """The shape of a session on these sides: the fullest of theirs (a session on both sides with the left side's
    first teaches, for both)."""
    return min((side_shape(entries, routine, today, single) for single in side.sides), key=SHAPES.index)


def plan_session(
    entries: Sequence[Entry],
    routine: Routine,
    side: str,
    today: date,
    *,
    announce: bool,
    shape: str = AUTO,
    strokes: int | None = None,
) -> SessionPlan:
    """Plan a session from the log's entries: `side` is right, left, both or auto; `shape` teach, refresh, quick or
    auto (from the log, for a session that is logged; teach otherwise); `strokes` the user's --strokes, if given.
    With `announce` (a live session that is logged) it says where the user stands, and lightens the dose of a side
    whose tenderness asks for it; files and scripts do neither, so they are the same whenever they are made."""
    chosen = auto_side(entries, routine.name, today) if side == AUTO else Side(side)
    shaped = Shape.TEACH
    if shape != AUTO:
        shaped = Shape(shape)
    elif announce:
        shaped = auto_shape(entries, routine.name, today, chosen)
    quick = shaped is Shape.QUICK
    if not announce or routine.program is None:
        return SessionPlan(chosen, short_intro=quick, shape=shaped)
    where = standing(entries, routine.name, routine.program, chosen, today)
    mine = sessions(entries, routine.name)
    worked = {one: [e.started for e in mine if e.covers(one)] for one in chosen.sides}
    doses = [dose(entries, routine.name, one, today, worked[one]) for one in chosen.sides]
    lighter, advice = dose_words(doses, routine, routine.program, strokes)
    return SessionPlan(chosen, where.text(short=quick), short_intro=quick, shape=shaped, strokes=lighter, advice=advice)


def dose_words(
    doses: Sequence[Dose], routine: Routine, program: Program, asked: int | None
) -> tuple[int | None, tuple[str, ...]]:
    """A lighter session's strokes a side (None: as asked, or the routine's) and what it says: why, the routine's
    words for a lighter pressure, when the full dose returns, and the advice; or that the full dose is back."""
    lighter = [d.lighter for d in doses if d.lighter is not None]
    if not lighter:
        back = [d for d in doses if d.back is not None]
        return None, tuple(
            f"Your {d.side} side's tenderness is back down to {d.back}, so the full dose is back." for d in back
        )
    fewest, default = routine.stroke.recommended[0], routine.stroke.default
    fewer = fewest if asked is None and fewest < default else None
    why = " and ".join(each.reason() for each in lighter)
    how = f": {counted(fewer)} instead of {default}" if fewer is not None else ""
    count = fewer if fewer is not None else asked if asked is not None else default
    words = fill(program.lighter, {"strokes": count, "s": plural(count), "sides": chosen_words(doses)})
    if len(lighter) == 1:
        until = f"The full dose comes back once it is {lighter[0].limit} or less."
    else:
        right, left = (each.limit for each in lighter)
        until = f"The full dose comes back once the right side is at {right} or less, and the left at {left} or less."
    return fewer, (f"{why[:1].upper()}{why[1:]}, so this session is lighter{how}.", words, f"{until} {ADVICE}")


def dose_news(entries: Sequence[Entry], routine: Routine, side: Side, today: date) -> tuple[str, ...]:
    """What the tenderness just noted on these sides means for their next sessions (shown as it is noted): lighter,
    and until when, with the advice; or the full dose back."""
    news = []
    for single in side.sides:
        state = dose(entries, routine.name, single, today)
        if state.lighter is not None:
            fewest = routine.stroke.recommended[0]
            strokes = f" ({counted(fewest)})" if fewest < routine.stroke.default else ""
            news.append(
                f"The next sessions on your {single} side are lighter{strokes} until its tenderness is "
                f"{state.lighter.limit} or less. {ADVICE}"
            )
        elif state.back is not None:
            news.append(f"Your {single} side's tenderness is back down: the full dose again from the next session.")
    return tuple(news)


def chosen_words(doses: Sequence[Dose]) -> str:
    """The {sides} placeholder's value for the sides these doses are of."""
    return SIDES_SAID[Side.BOTH if len(doses) == 2 else doses[0].side]


def day_tenderness(entries: Iterable[Entry], side: Side) -> int | None:
    """A side's tenderness on a day: the day's last note that covers the side (None without one)."""
    ordered = sorted(entries, key=lambda e: e.started)
    notes = [e.tenderness for e in ordered if e.tenderness is not None and side in e.side.sides]
    return notes[-1] if notes else None


def history_text(entries: Sequence[Entry], programs: dict[str, Program | None]) -> str:
    """A table by day for each routine: the sessions that count on each side (against the program's sessions a
    day), every stroke done (sessions stopped early included), each side's tenderness (the day's last note) and
    the reminders skipped (never counted). Days are numbered within their program: after a break a new one starts
    at day 1, with a line that says so. Under the table, a side whose program is done, or whose sessions are
    lighter for its tenderness."""
    if not entries:
        return "No sessions yet. Each live session is recorded here; 'coach log' records tenderness.\n"
    out: list[str] = []
    for routine in sorted({e.routine for e in entries}):
        mine = [e for e in entries if e.routine == routine]
        program = programs.get(routine)
        heading = routine
        if program is not None:
            heading += f": {program.sessions_per_day} sessions a day for {program.days} days, until {program.until}"
        out += [
            heading,
            f"  {'day':>3}  {'date':<10}  {'right':>5}  {'left':>5}  {'strokes':>7}  {'tender right':>12}  {'left':>4}"
            f"  {'skipped':>7}",
        ]
        starts = program_starts(e.started.date() for e in mine if e.is_session and e.counts)
        for day in sorted({e.started.date() for e in mine}):
            if day in starts[1:]:
                out.append("  (a break: a new program starts)")
            first = max((start for start in starts if start <= day), default=day)
            out.append(_history_row(mine, day, (day - first).days + 1, program))
        out += _history_notes(mine, routine)
        out.append("")
    return "\n".join(out)


def _history_row(mine: Sequence[Entry], day: date, number: int, program: Program | None) -> str:
    that_day = [e for e in mine if e.started.date() == day]
    done = [e for e in that_day if e.is_session]
    sessions = []
    for side in Side.BOTH.sides:
        count = str(sum(e.covers(side) for e in done))
        sessions.append(count if program is None else f"{count}/{program.sessions_per_day}")
    tender = [day_tenderness(that_day, side) for side in Side.BOTH.sides]
    right, left = ("-" if value is None else str(value) for value in tender)
    strokes = sum(e.strokes_done for e in done)
    skipped = str(sum(e.skipped for e in that_day) or "-")
    return (
        f"  {number:>3}  {day.isoformat():<10}  {sessions[0]:>5}  {sessions[1]:>5}  {strokes:>7}  {right:>12}  "
        f"{left:>4}  {skipped:>7}"
    )


def _history_notes(mine: Sequence[Entry], routine: str) -> list[str]:
    """A line for each side whose program is done, or whose next sessions are lighter, as of the last day."""
    last = max(e.started.date() for e in mine)
    out = []
    for side in Side.BOTH.sides:
        ended = side_done(mine, routine, side, last)
        if ended is not None:
            out.append(
                f"  The {side} side's program is done: tender at 1 or less on {DONE_DAYS} days in a row, to "
                f"{ended.isoformat()}."
            )
            continue
        lighter = dose(mine, routine, side, last).lighter
        if lighter is not None:
            out.append(
                f"  The {side} side's sessions are lighter: {lighter.reason(named=False)}; the full dose returns once "
                f"it is {lighter.limit} or less."
            )
    return out


@dataclass(frozen=True)
class Day:
    """A day of a routine's log, for the plot: its number from the first day, and each side's sessions that count
    and tenderness (None without a note)."""

    number: int
    sessions: tuple[int, int]  # right, left
    tenderness: tuple[int | None, int | None]


def daily(entries: Sequence[Entry], routine: str) -> list[Day]:
    """Each day with entries, numbered from the routine's first day (the whole log, across programs)."""
    mine = [e for e in entries if e.routine == routine]
    if not mine:
        return []
    first = min(e.started.date() for e in mine)
    rows = []
    for day in sorted({e.started.date() for e in mine}):
        that_day = [e for e in mine if e.started.date() == day]
        right, left = (sum(e.covers(side) for e in that_day) for side in Side.BOTH.sides)
        tender = (day_tenderness(that_day, Side.RIGHT), day_tenderness(that_day, Side.LEFT))
        rows.append(Day((day - first).days + 1, (right, left), tender))
    return rows
