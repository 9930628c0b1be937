"""Reminders through the day (pure): when the program's sessions fall, what each reminder says, and which of today's
are already done.

The seed's program is several short sessions a day for about two weeks. A plan spreads the day's sessions evenly
over a window of the day (08:00 to 21:00 unless asked otherwise), for the program's days from its first day. It
takes the log's entries, today's date and the sides still due as values; the calendar file, the desktop's timer and
its notification are made from it at the edges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from coach.errors import CoachError
from coach.kinds import AUTO, Side
from coach.program import Entry, count_today, first_day, furthest_behind
from coach.routine import Program, Routine

EARLIEST = time(8, 0)
LATEST = time(21, 0)


@dataclass(frozen=True)
class Window:
    """When reminders come: `per_day` of them (None: as many as the program's sessions a day), spread evenly from
    `start` to `end`, both included."""

    start: time = EARLIEST
    end: time = LATEST
    per_day: int | None = None


def minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def spread(start: time, end: time, count: int) -> tuple[time, ...]:
    """`count` times from `start` to `end`, both included, evenly spaced and rounded to the minute (half a minute
    up); one time is `start`. The window must hold `count` different minutes."""
    first, span = minutes(start), minutes(end) - minutes(start)
    if count == 1:
        return (time(start.hour, start.minute),)
    if count < 1 or span < count - 1:
        raise ValueError(f"{count} times do not fit between {start} and {end}")
    steps = (first + (2 * i * span + count - 1) // (2 * (count - 1)) for i in range(count))
    return tuple(time(*divmod(step, 60)) for step in steps)


@dataclass(frozen=True)
class Reminder:
    number: int  # the session of the day it calls for, from 1
    at: time  # local wall time
    summary: str  # "Psoas release, session 3 of 6 on each side"
    run: str  # the command to run: "coach psoas --side auto"
    done: bool = False  # today's session of this number is done on every side still due
    skipped: bool = False  # answered with Skip today (the listing says so while it is not done)

    @property
    def title(self) -> str:
        """What a phone's calendar shows: "Psoas release, session 3 of 6: coach psoas --side auto, or the MP3"."""
        return f"{self.summary}: {self.run}, or the MP3"


@dataclass(frozen=True)
class ReminderPlan:
    routine: str  # the routine's name
    title: str  # the routine's title
    program: Program
    window: Window
    first: date  # the program's first day (day 1): its first logged session's, or today
    today: date
    due: tuple[Side, ...]  # the single sides whose program goes on
    reminders: tuple[Reminder, ...]  # every time of the day, each marked done or not for today

    @property
    def per_day(self) -> int:
        return len(self.reminders)

    @property
    def day(self) -> int:
        """Today's day of the program, from 1."""
        return (self.today - self.first).days + 1

    @property
    def last(self) -> date:
        return self.first + timedelta(days=self.program.days - 1)

    @property
    def over(self) -> bool:
        """Whether the program's days are all past (it goes on until its stop rule is met, a day at a time)."""
        return self.today > self.last

    @property
    def span(self) -> tuple[date, int]:
        """The days a calendar covers, as (first day, number of days): the program's days; once they are past, as
        many again from today, since the program goes on until its stop rule is met."""
        return (self.today, self.program.days) if self.over else (self.first, self.program.days)

    def text(self) -> str:
        """The plan as `coach remind ROUTINE` prints it."""
        times = f"{self.reminders[0].at:%H:%M}"
        if self.per_day > 1:
            times += f" to {self.reminders[-1].at:%H:%M}"
        lines = [f"{self.title}: {self.per_day} reminder{'s' * (self.per_day > 1)} a day, {times}."]
        days = f"The program: {self.program.days} days, {self.first} to {self.last}"
        if self.over:
            lines.append(f"{days}, all past; it goes on until {self.program.until}.")
            lines.append(f"A calendar file covers {self.program.days} more days from today.")
        else:
            lines.append(f"{days}; today is day {self.day}.")
        if not self.due:
            lines.append("Every side's program is done: no reminder is shown.")
        for reminder in self.reminders:
            mark = "  (done today)" if reminder.done and self.due else "  (skipped today)" if reminder.skipped else ""
            lines.append(f"  {reminder.at:%H:%M}  {reminder.title}{mark}")
        return "\n".join(lines) + "\n"


def on_sides(sides: Sequence[Side]) -> str:
    """ " on each side", " on the left side", as a session's number says where it counts ("" for none)."""
    if not sides:
        return ""
    return " on each side" if len(sides) == 2 else f" on the {sides[0]} side"


def run_side(due: Sequence[Side]) -> str:
    """The --side a reminder's command takes: auto while both sides are due, else the one side left."""
    return str(due[0] if len(due) == 1 else AUTO)


def run_command(command_name: str, due: Sequence[Side]) -> str:
    """The command a reminder names: "coach psoas --side auto"."""
    return f"coach {command_name} --side {run_side(due)}"


def plan_reminders(
    routine: Routine,
    command_name: str,
    entries: Sequence[Entry],
    today: date,
    window: Window,
    due: Sequence[Side],
) -> ReminderPlan:
    """The reminders of a routine's program, from the log's entries and today's date. `command_name` is how the
    reminder names the routine (`psoas`, or a file's path); `due` the single sides whose program goes on
    (program.sides_due): reminder N calls for session N on each of them (`--side auto` works both while they are
    level), is done once every side due has had N sessions today, and with no side due every reminder is done; it
    is skipped when a Skip of it is in the log today."""
    program = routine.program
    if program is None:
        raise CoachError(
            f"{routine.name} has no program (sessions a day, days) to remind you of; add a [program] table to its "
            f"file, as the built-in routines have."
        )
    per_day = window.per_day or program.sessions_per_day
    run = run_command(command_name, due)
    done_today = min((count_today(entries, routine.name, today, side) for side in due), default=per_day)
    skipped = {e.reminder for e in entries if e.routine == routine.name and e.skipped and e.started.date() == today}
    sides = on_sides(due)
    reminders = tuple(
        Reminder(
            n, at, f"{routine.title}, session {n} of {per_day}{sides}", run, done=n <= done_today, skipped=n in skipped
        )
        for n, at in enumerate(spread(window.start, window.end, per_day), 1)
    )
    first = first_day(entries, routine.name, today)
    return ReminderPlan(routine.name, routine.title, program, window, first, today, tuple(due), reminders)


def reminder_at(plan: ReminderPlan, now: time) -> Reminder:
    """The reminder a timer firing at `now` stands for: the last one at or before it (the first, before them all)."""
    past = [r for r in plan.reminders if minutes(r.at) <= minutes(now)]
    return past[-1] if past else plan.reminders[0]


def next_session(plan: ReminderPlan, entries: Sequence[Entry]) -> tuple[Side, int]:
    """The session a reminder calls for now: the sides `--side auto` works (every side due that is furthest behind
    today) and its number today on them. It is the reminder's number when the day has gone to plan, and lower
    when a session was missed or skipped: the notification says the session the user will hear announced."""
    counts = {side: count_today(entries, plan.routine, plan.today, side) for side in plan.due or Side.BOTH.sides}
    side = furthest_behind(counts)
    return side, counts[side.sides[0]] + 1


def notification(plan: ReminderPlan, entries: Sequence[Entry], reminder: Reminder) -> tuple[str, str]:
    """A desktop notification's summary and body: the session to run (its number today, on the sides it works),
    and where the user stands (the program's day and today's sessions on each side due)."""
    side, number = next_session(plan, entries)
    summary = f"{plan.title}, session {number} of {plan.per_day}{on_sides(side.sides)}"
    counts = {s: count_today(entries, plan.routine, plan.today, s) for s in plan.due}
    day = f"Day {plan.day} of {plan.program.days}"
    if plan.over:
        day = f"Day {plan.day}: the {plan.program.days} days are done, carry on only until {plan.program.until}"
    today = ", ".join(f"{s} {counts[s]}" for s in plan.due)
    which = "both sides" if side is Side.BOTH else f"the {side.words}, to catch up"
    run = f"{reminder.run} ({which})" if len(plan.due) > 1 else reminder.run
    body = f"{run}, or the MP3. {day}; sessions today: {today}."
    return summary, body
