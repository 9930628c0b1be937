"""A desktop reminder as one service: what the systemd timer's job runs (`coach remind --notify ROUTINE`).

It shows the reminder due now, unless its session is done today, with three buttons where the notification server
shows actions: Start plays the session (the reminder's own command, with no terminal: headphone buttons and media
keys control it through its MPRIS player), Snooze shows it again SNOOZE later, Skip records it in the program log
as skipped (never counted). The answer is waited for, but not for ever: up to LONGEST from the first showing, and
never past a minute before the next reminder (whose timer would find this job still running, and do nothing). A
snooze is offered only while it fits in that time. While snoozed nothing is connected to the bus: the reminder is
shown again on a connection of its own, so a session bus that went away and came back meanwhile does no harm. A
server without actions gets the plain notification, and nothing is waited for.

Everything it works with is handed in (`Desk`): the plan as the log stands, the notification, the log's Skip, the
session's command, the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from coach.desktop.notify import CLOSED, NotShown, Shown
from coach.kinds import Side
from coach.program import Entry
from coach.reminders import Reminder, ReminderPlan, next_session, notification, reminder_at

START, SNOOZE_ACTION, SKIP = "start", "snooze", "skip"
SNOOZE = timedelta(minutes=20)
LONGEST = timedelta(hours=1)  # the longest a reminder waits for its answer, snoozes included
BEFORE_NEXT = timedelta(minutes=1)  # and it is over this long before the next reminder is due
LEAST = timedelta(minutes=1)  # with less time than this to answer, it is shown without buttons


@dataclass(frozen=True, kw_only=True)
class Desk:
    """What a desktop reminder works with, built once at the command line's edge."""

    plan: Callable[[], tuple[ReminderPlan, list[Entry]]]  # the plan, and the log's entries, as they stand now
    ask: Callable[[str, str, Sequence[tuple[str, str]], float], Shown]  # shows it; waits up to N s for an answer
    skip: Callable[[Side, int, datetime], None]  # records the reminder (its number today) as skipped, on the sides
    start: Callable[[], int]  # plays the session the reminder calls for; its exit status
    now: Callable[[], datetime]
    sleep: Callable[[float], None]
    say: Callable[[str], None]  # what it did, for the journal
    warn: Callable[[str], None]


def next_due(plan: ReminderPlan, reminder: Reminder) -> datetime:
    """When the reminder after this one is due: later today, or tomorrow's first."""
    later = [r for r in plan.reminders if r.number > reminder.number]
    if later:
        return datetime.combine(plan.today, later[0].at)
    return datetime.combine(plan.today + timedelta(days=1), plan.reminders[0].at)


def actions(now: datetime, until: datetime) -> tuple[tuple[str, str], ...]:
    """The buttons offered with `until` the end of the wait: Start and Skip, and Snooze where its showing again
    comes before the end; none with less than LEAST to answer."""
    if until - now < LEAST:
        return ()
    snooze = ((SNOOZE_ACTION, f"Snooze {SNOOZE.seconds // 60} min"),) if now + SNOOZE < until else ()
    return ((START, "Start"), *snooze, (SKIP, "Skip"))


def remind(desk: Desk) -> int:
    """Show the reminder due now and act on its answer; the exit status (the session's, after Start)."""
    first = desk.now()
    while True:
        plan, entries = desk.plan()
        now = desk.now()
        reminder = reminder_at(plan, now.time())
        if not plan.due:
            desk.say(f"Every side's {plan.routine} program is done: no reminder.")
            return 0
        if reminder.done:
            desk.say(f"{reminder.summary} is done today: no reminder.")
            return 0
        summary, body = notification(plan, entries, reminder)
        until = min(next_due(plan, reminder) - BEFORE_NEXT, first + LONGEST)
        offered = actions(now, until)
        try:
            shown = desk.ask(summary, body, offered, max(0.0, (until - now).total_seconds()))
        except NotShown as exc:
            desk.warn(f"No desktop notification could be shown ({exc}): {summary}.")
            return 0
        desk.say(f"Reminded: {summary}. {body}")
        if not shown.offered:
            return 0
        if shown.answer == SNOOZE_ACTION and any(key == SNOOZE_ACTION for key, _ in offered):
            desk.say(f"Snoozed: shown again at {now + SNOOZE:%H:%M}.")
            desk.sleep(SNOOZE.total_seconds())
            continue
        return _answered(desk, plan, entries, reminder, shown)


def _answered(desk: Desk, plan: ReminderPlan, entries: list[Entry], reminder: Reminder, shown: Shown) -> int:
    if shown.answer == START:
        desk.say(f"Started: {reminder.run}.")
        return desk.start()
    if shown.answer == SKIP:
        side, number = next_session(plan, entries)
        desk.skip(side, reminder.number, desk.now())
        desk.say(f"Skipped: session {number} on {'each side' if side is Side.BOTH else f'the {side.words}'}, "
                 "recorded as skipped; it does not count toward today.")  # fmt: skip
        return 0
    why = shown.why if shown.answer is None else f"an action coach did not offer ({shown.answer})"
    desk.say(f"No answer: {why}." if why != CLOSED else "Closed without an answer.")
    return 0
