"""Each side a program of its own, across simulated days from the log (pure, exact): following the day's reminders
with --side auto gives each side its full dose, with the spoken program line, the reminder's notification, the
plan's listing and the history agreeing on every session's number; a side's first session teaches, whatever the
other side did; a side that is done leaves the other to go on alone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from coach.kinds import Shape, Side
from coach.program import Entry, history_text, plan_session, sides_due
from coach.reminders import Window, notification, plan_reminders, reminder_at

DAY = date(2026, 11, 21)
TIMES = (time(8, 0), time(10, 36), time(13, 12), time(15, 48), time(18, 24), time(21, 0))


def session(side: Side, when: datetime, shape: Shape, tender: int | None = None) -> Entry:
    """A finished session of psoas with its 8 strokes on each side worked."""
    sides = len(side.sides)
    return Entry(
        routine="psoas", side=side, started=when, strokes_done=8 * sides, strokes_planned=8 * sides,
        status="finished", done_by_side=(8,) * sides, least=6, shape=shape, tenderness=tender,
    )  # fmt: skip


def follow(psoas, log: list[Entry], day: date) -> list[tuple[str, str, str, str | None]]:
    """Each of the day's reminders answered with `coach psoas --side auto`, as the log stands: what the
    notification says, what the plan lists, the session's shape and side, and its program line. The log grows."""
    heard = []
    for at in TIMES:
        now = datetime.combine(day, at)
        plan = plan_reminders(psoas, "psoas", log, day, Window(), sides_due(log, "psoas", day))
        summary, _ = notification(plan, log, reminder_at(plan, at))
        planned = plan_session(log, psoas, "auto", day, announce=True)
        heard.append((summary, reminder_at(plan, at).summary, f"{planned.shape} {planned.side}", planned.standing))
        log.append(session(planned.side, now, planned.shape))
    return heard


def test_following_the_reminders_gives_each_side_its_full_dose_and_every_word_agrees(psoas):
    log: list[Entry] = []
    first = follow(psoas, log, DAY)
    assert first == [
        ("Psoas release, session 1 of 6 on each side", "Psoas release, session 1 of 6 on each side", "teach both",
         "This is your first session: day 1 of 14."),
        *[(f"Psoas release, session {n} of 6 on each side", f"Psoas release, session {n} of 6 on each side",
           "quick both", f"Session {n} of 6 on each side, day 1 of 14.") for n in range(2, 7)],
    ]  # fmt: skip
    second = follow(psoas, log, DAY + timedelta(days=1))
    assert [(shape, line) for _, _, shape, line in second] == [
        ("refresh both", "This is session 1 of 6 today on each side, on day 2 of 14."),
        *[("quick both", f"Session {n} of 6 on each side, day 2 of 14.") for n in range(2, 7)],
    ]
    assert history_text(log, {"psoas": psoas.program}).splitlines()[1:] == [
        "  day  date        right   left  strokes  tender right  left  skipped",
        "    1  2026-11-21    6/6    6/6       96             -     -        -",
        "    2  2026-11-22    6/6    6/6       96             -     -        -",
    ]  # six sessions a day on each side, as the seed asks: twelve sides' worth in six sittings


def test_a_sides_first_session_teaches_whatever_the_other_side_did(psoas):
    """A first day on the right side only; the next day's first reminder works both sides, and teaches, for the
    left side's first session; the right side, a session ahead by then, waits at the next one while the left
    catches up."""
    log = [session(Side.RIGHT, datetime.combine(DAY, at), Shape.QUICK) for at in TIMES]
    log[0] = session(Side.RIGHT, datetime.combine(DAY, TIMES[0]), Shape.TEACH)
    assert plan_session(log, psoas, "left", DAY, announce=True).shape == Shape.TEACH  # even the same day
    heard = follow(psoas, log, DAY + timedelta(days=1))
    assert heard[:2] == [
        ("Psoas release, session 1 of 6 on each side", "Psoas release, session 1 of 6 on each side", "teach both",
         "This is session 1 of 6 today on your right side, and the first on your left, on day 2 of 14."),
        ("Psoas release, session 2 of 6 on each side", "Psoas release, session 2 of 6 on each side", "quick both",
         "Session 2 of 6 on each side, day 2 of 14."),
    ]  # fmt: skip


def test_a_side_behind_catches_up_and_the_notification_says_its_number(psoas):
    """Two sessions on the right alone by 13:12: the reminder calls for the left side's second, by name, and the
    session says the same; at 15:48 both sides are level again."""
    log = [session(Side.BOTH, datetime.combine(DAY, TIMES[0]), Shape.TEACH),
           session(Side.RIGHT, datetime.combine(DAY, TIMES[1]), Shape.QUICK)]  # fmt: skip
    plan = plan_reminders(psoas, "psoas", log, DAY, Window(), sides_due(log, "psoas", DAY))
    assert notification(plan, log, plan.reminders[2])[0] == "Psoas release, session 2 of 6 on the left side"
    planned = plan_session(log, psoas, "auto", DAY, announce=True)
    assert (planned.side, planned.standing) == (Side.LEFT, "Session 2 of 6 on your left side, day 1 of 14.")
    log.append(session(Side.LEFT, datetime.combine(DAY, TIMES[2]), Shape.QUICK))
    assert plan_session(log, psoas, "auto", DAY, announce=True).standing == "Session 3 of 6 on each side, day 1 of 14."


def test_a_side_that_is_done_leaves_the_other_to_go_on_alone(psoas):
    log = [session(Side.BOTH, datetime(2026, 11, day, 9), Shape.QUICK, tender=1) for day in (18, 19, 20)]
    log += [session(Side.LEFT, datetime(2026, 11, 20, 12), Shape.QUICK, tender=4)]  # the left is tender still
    heard = follow(psoas, log, DAY)
    assert heard[0] == (
        "Psoas release, session 1 of 6 on the left side", "Psoas release, session 1 of 6 on the left side",
        "refresh left", "This is session 1 of 6 today on your left side, on day 4 of 14.",
    )  # fmt: skip
    assert [side for _, _, side, _ in heard] == ["refresh left"] + ["quick left"] * 5
