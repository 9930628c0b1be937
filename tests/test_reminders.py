"""Reminders: the plan (exact times and titles, what is done today, the program's days, the sides due), the
notification's words, `coach remind`'s output and errors, and the calendar file read back by two independent
parsers across the change to summer time."""

from __future__ import annotations

import os
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject
from conftest import FakeClock, deps, run_cli

from coach.errors import CoachError
from coach.kinds import Side
from coach.output.calendar import calendar_bytes
from coach.program import Entry
from coach.programlog import ProgramLog
from coach.reminders import Reminder, Window, notification, plan_reminders, reminder_at, spread

TODAY = date(2026, 11, 21)
TIMES = (time(8, 0), time(10, 36), time(13, 12), time(15, 48), time(18, 24), time(21, 0))
BOTH = (Side.RIGHT, Side.LEFT)


def entry(side, day=TODAY, hour=9, routine="psoas", status="finished"):
    return Entry(
        routine=routine,
        side=side,
        started=datetime(day.year, day.month, day.day, hour),
        strokes_done=8,
        strokes_planned=8,
        status=status,
    )


DEFAULT = Window()


def plan(psoas, entries=(), today=TODAY, window=DEFAULT, due=BOTH):
    return plan_reminders(psoas, "psoas", list(entries), today, window, due)


def test_times_are_spread_evenly_over_the_window_to_the_minute():
    assert spread(time(8), time(21), 6) == TIMES  # 2 h 36 min apart
    assert spread(time(7, 30), time(20), 5) == (time(7, 30), time(10, 38), time(13, 45), time(16, 53), time(20))
    assert spread(time(9), time(21), 2) == (time(9), time(21))
    assert spread(time(9, 15), time(21), 1) == (time(9, 15),)
    assert spread(time(8), time(8, 2), 3) == (time(8), time(8, 1), time(8, 2))
    with pytest.raises(ValueError):
        spread(time(8), time(8, 1), 3)


def test_the_plan_for_an_empty_log_starts_today_with_the_programs_sessions(psoas):
    p = plan(psoas)
    assert [(r.number, r.at, r.title, r.done) for r in p.reminders] == [
        (n, at, f"Psoas release, session {n} of 6 on each side: coach psoas --side auto, or the MP3", False)
        for n, at in enumerate(TIMES, 1)
    ]
    assert (p.first, p.day, p.last, p.over, p.span) == (TODAY, 1, date(2026, 12, 4), False, (TODAY, 14))
    assert p.reminders[2] == Reminder(
        3, time(13, 12), "Psoas release, session 3 of 6 on each side", "coach psoas --side auto"
    )


def test_a_reminder_is_done_once_every_side_due_has_had_its_session_today(psoas):
    def done(*entries):
        return [r.number for r in plan(psoas, entries).reminders if r.done]

    assert done(entry("right"), entry("right"), entry("left")) == [1]  # the left has had one session
    assert done(entry("both"), entry("both"), entry("right")) == [1, 2]
    assert done(entry("right"), entry("right")) == []
    yesterday = TODAY - timedelta(days=1)
    assert done(entry("both", day=yesterday), entry("both", routine="iliacus"), entry("both", status="logged")) == []
    assert done(*[entry("both")] * 7) == [1, 2, 3, 4, 5, 6]


def test_the_program_starts_on_its_first_logged_day(psoas):
    p = plan(psoas, [entry("right", day=date(2026, 11, 18)), entry("left")])
    assert (p.first, p.day, p.last, p.span) == (date(2026, 11, 18), 4, date(2026, 12, 1), (date(2026, 11, 18), 14))
    assert p.text() == (
        "Psoas release: 6 reminders a day, 08:00 to 21:00.\n"
        "The program: 14 days, 2026-11-18 to 2026-12-01; today is day 4.\n"
        "  08:00  Psoas release, session 1 of 6 on each side: coach psoas --side auto, or the MP3\n"
        "  10:36  Psoas release, session 2 of 6 on each side: coach psoas --side auto, or the MP3\n"
        "  13:12  Psoas release, session 3 of 6 on each side: coach psoas --side auto, or the MP3\n"
        "  15:48  Psoas release, session 4 of 6 on each side: coach psoas --side auto, or the MP3\n"
        "  18:24  Psoas release, session 5 of 6 on each side: coach psoas --side auto, or the MP3\n"
        "  21:00  Psoas release, session 6 of 6 on each side: coach psoas --side auto, or the MP3\n"
    )


def test_once_the_programs_days_are_past_a_calendar_covers_as_many_again_from_today(psoas):
    sessions = [entry("both", day=date(2026, 11, day)) for day in range(6, 21, 2)]  # every other day: no break
    p = plan(psoas, sessions, window=Window(time(9), time(17), 2))
    assert (p.day, p.over, p.span) == (16, True, (TODAY, 14))
    assert p.text() == (
        "Psoas release: 2 reminders a day, 09:00 to 17:00.\n"
        "The program: 14 days, 2026-11-06 to 2026-11-19, all past; it goes on until the spot is no longer tender "
        "when you press it.\n"
        "A calendar file covers 14 more days from today.\n"
        "  09:00  Psoas release, session 1 of 2 on each side: coach psoas --side auto, or the MP3\n"
        "  17:00  Psoas release, session 2 of 2 on each side: coach psoas --side auto, or the MP3\n"
    )


def test_the_sides_still_due_decide_the_command_and_what_is_done(psoas):
    log = [entry("right"), entry("right"), entry("right")]
    right_only = plan(psoas, log, due=(Side.RIGHT,))
    assert right_only.reminders[0].title == (
        "Psoas release, session 1 of 6 on the right side: coach psoas --side right, or the MP3"
    )
    assert [r.done for r in right_only.reminders] == [True, True, True, False, False, False]
    finished = plan(psoas, log, due=())
    assert all(r.done for r in finished.reminders)
    assert finished.text().splitlines()[2:4] == [
        "Every side's program is done: no reminder is shown.",
        "  08:00  Psoas release, session 1 of 6: coach psoas --side auto, or the MP3",
    ]


def test_the_reminder_a_timer_stands_for_is_the_last_one_at_or_before_its_time(psoas):
    p = plan(psoas)
    assert [reminder_at(p, at).number for at in (time(6), time(8), time(10, 35), time(10, 36), time(23, 59))] == [
        1,
        1,
        1,
        2,
        6,
    ]


def test_the_notification_names_the_session_the_side_next_and_where_the_user_stands(psoas):
    log = [entry("right", day=date(2026, 11, 18)), entry("both"), entry("both")]
    p = plan(psoas, log)
    assert notification(p, log, p.reminders[2]) == (
        "Psoas release, session 3 of 6 on each side",
        "coach psoas --side auto (both sides), or the MP3. Day 4 of 14; sessions today: right 2, left 2.",
    )  # the day as planned: the reminder's own number, as the session will say it
    behind = [*log, entry("right")]
    assert notification(p, behind, p.reminders[3]) == (
        "Psoas release, session 3 of 6 on the left side",
        "coach psoas --side auto (the left side, to catch up), or the MP3. Day 4 of 14; sessions today: right 3, "
        "left 2.",
    )  # the left side is behind: --side auto works it alone, and its session is its third
    missed = plan(psoas, log[:2])
    assert notification(missed, log[:2], missed.reminders[3])[0] == "Psoas release, session 2 of 6 on each side"
    late = plan(psoas, [entry("left", day=date(2026, 11, day)) for day in range(6, 21, 2)], due=(Side.LEFT,))
    assert notification(late, [], late.reminders[0]) == (
        "Psoas release, session 1 of 6 on the left side",
        "coach psoas --side left, or the MP3. Day 16: the 14 days are done, carry on only "
        "until the spot is no longer tender when you press it; sessions today: left 0.",
    )


def test_a_routine_without_a_program_has_nothing_to_remind_of(mini):
    with pytest.raises(CoachError, match=r"^mini has no program \(sessions a day, days\) to remind you of; add a "):
        plan(mini)


# --- the command line ---------------------------------------------------------------------------------------------


def record(data: Path, *entries: Entry) -> None:
    with ProgramLog(data / "log.sqlite3") as log:
        for e in entries:
            session = log.begin(e.routine, e.side, 8, e.started)
            log.end(session, True, 8, e.started + timedelta(minutes=5))


def test_remind_prints_the_plan_with_todays_done_sessions(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    record(tmp_path / "data", entry("both", day=date(2026, 11, 20)), entry("both", hour=8), entry("both", hour=9))
    result = run_cli("remind", "psoas", "--from", "7:30", deps=deps(clock=FakeClock().clock()))
    assert (result.exit_code, result.output) == (
        0,
        "Psoas release: 6 reminders a day, 07:30 to 21:00.\n"
        "The program: 14 days, 2026-11-20 to 2026-12-03; today is day 2.\n"
        "  07:30  Psoas release, session 1 of 6 on each side: coach psoas --side auto, or the MP3  (done today)\n"
        "  10:12  Psoas release, session 2 of 6 on each side: coach psoas --side auto, or the MP3  (done today)\n"
        "  12:54  Psoas release, session 3 of 6 on each side: coach psoas --side auto, or the MP3\n"
        "  15:36  Psoas release, session 4 of 6 on each side: coach psoas --side auto, or the MP3\n"
        "  18:18  Psoas release, session 5 of 6 on each side: coach psoas --side auto, or the MP3\n"
        "  21:00  Psoas release, session 6 of 6 on each side: coach psoas --side auto, or the MP3\n"
        "Times are local (Europe/Berlin). On this desktop: coach remind psoas --from 07:30 --install\n"
        "For a phone's calendar: coach remind psoas --from 07:30 --ics psoas.ics\n",
    )
    assert not (tmp_path / "xdg-config").exists()  # printing a plan installs nothing


def test_remind_reads_no_log_into_being(tmp_path):
    result = run_cli("remind", "iliacus", "--per-day", "3", "--from", "9:00", "--to", "19:00")
    assert result.exit_code == 0 and result.output.splitlines()[2:5] == [
        "  09:00  Iliacus release, session 1 of 3 on each side: coach iliacus --side auto, or the MP3",
        "  14:00  Iliacus release, session 2 of 3 on each side: coach iliacus --side auto, or the MP3",
        "  19:00  Iliacus release, session 3 of 3 on each side: coach iliacus --side auto, or the MP3",
    ]
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["psoas", "--to", "7:00"], "--to 07:00 must be later than --from 08:00."),
        (
            ["psoas", "--from", "8:00", "--to", "8:03"],
            "6 reminders do not fit between 08:00 and 08:03: they need a minute each at least.",
        ),
        (
            ["psoas", "--from", "24:00"],
            "Invalid value for '--from': '24:00' is not a time of day: write it as HH:MM, such as 07:30 or 21:00.",
        ),
        (
            ["psoas", "--to", "9pm"],
            "Invalid value for '--to': '9pm' is not a time of day: write it as HH:MM, such as 07:30 or 21:00.",
        ),
        (["psoas", "--per-day", "13"], "Invalid value for '--per-day': 13 is not in the range 1<=x<=12."),
        (["psoas", "--ics", "p.ics", "--install"], "--ics and --install do not go together: choose one."),
        (["psoas", "--list"], "--list lists every routine's reminders: leave out the routine."),
        ([], "Missing the routine: coach remind ROUTINE (see 'coach list'), or coach remind --list."),
        (["nope"], "No routine named 'nope'. Routines: iliacus, psoas, psoas-gentle, psoas-partner."),
    ],
)
def test_remind_usage_errors_are_one_sentence(args, message):
    result = run_cli("remind", *args)
    assert (result.exit_code, result.output.splitlines()[-1]) == (2, f"Error: {message}")


def test_a_routine_without_a_program_is_one_sentence(tmp_path):
    from conftest import install_routine

    install_routine(tmp_path)
    result = run_cli("remind", "mini")
    assert (result.exit_code, result.output) == (
        1,
        "Error: mini has no program (sessions a day, days) to remind you of; add a [program] table to its file, as "
        "the built-in routines have.\n",
    )


# --- the calendar file --------------------------------------------------------------------------------------------

SPRING = date(2026, 3, 20)  # the program crosses the change to summer time in Berlin, on 29 March at 02:00
BERLIN = ZoneInfo("Europe/Berlin")


def berlin_calendar(psoas, first=SPRING) -> bytes:
    return calendar_bytes(plan(psoas, today=first), "Europe/Berlin", datetime(2026, 3, 20, 9, 30))


def test_the_calendar_read_back_by_vobject_across_the_change_of_clock(psoas):
    cal = vobject.readOne(berlin_calendar(psoas).decode("utf-8"))
    assert (cal.x_wr_calname.value, cal.vtimezone.tzid.value) == ("coach: Psoas release", "Europe/Berlin")
    events = sorted(cal.vevent_list, key=lambda ev: ev.dtstart.value)
    assert [ev.summary.value for ev in events] == [
        f"Psoas release, session {n} of 6 on each side: coach psoas --side auto, or the MP3" for n in range(1, 7)
    ]
    for at, ev in zip(TIMES, events, strict=True):
        # the zone is the file's own VTIMEZONE, as vobject reads it (not the system's zone data)
        assert repr(ev.dtstart.value.tzinfo) == "<tzicalvtz 'Europe/Berlin'>"
        assert ev.rrule.value == "FREQ=DAILY;COUNT=14"
        starts = list(ev.getrruleset(addRDate=True))
        assert [s.date() for s in starts] == [SPRING + timedelta(days=n) for n in range(14)]
        assert {s.time() for s in starts} == {at}  # the same wall time every day: nothing moves by an hour
        offsets = [s.utcoffset() for s in starts]  # winter time until 28 March, summer time from 29 March
        assert offsets == [timedelta(hours=1)] * 9 + [timedelta(hours=2)] * 5
        assert [s.astimezone(BERLIN) for s in starts] == [datetime.combine(s.date(), at, BERLIN) for s in starts]
        assert ev.duration.value == timedelta(minutes=10)
        assert ev.dtstamp.value == datetime(2026, 3, 20, 8, 30, tzinfo=ZoneInfo("UTC"))
        (alarm,) = ev.valarm_list
        assert (alarm.action.value, alarm.trigger.value, alarm.description.value) == (
            "DISPLAY",
            timedelta(0),
            ev.summary.value,
        )


def test_the_calendar_read_back_by_recurring_ical_events(psoas):
    cal = icalendar.Calendar.from_ical(berlin_calendar(psoas))
    assert [tz.tz_name for tz in cal.timezones] == ["Europe/Berlin"]
    occurrences = recurring_ical_events.of(cal).between(date(2026, 3, 1), date(2026, 5, 1))
    assert len(occurrences) == 6 * 14
    starts = sorted(o["DTSTART"].dt for o in occurrences)
    assert starts[0] == datetime(2026, 3, 20, 8, 0, tzinfo=BERLIN)
    assert starts[-1] == datetime(2026, 4, 2, 21, 0, tzinfo=BERLIN)
    assert {(s.time(), s.tzname()) for s in starts} == {(at, tz) for at in TIMES for tz in ("CET", "CEST")}
    assert {s.date() for s in starts if s.tzname() == "CEST"} == {date(2026, 3, 29) + timedelta(n) for n in range(5)}
    assert all(len(o.walk("VALARM")) == 1 and o.walk("VALARM")[0]["TRIGGER"].dt == timedelta(0) for o in occurrences)
    assert {o["UID"] for o in occurrences} == {f"psoas-20260320-{n}@coach" for n in range(1, 7)}


def test_the_calendars_time_zone_covers_only_the_programs_days(psoas):
    """icalendar's default span writes the zone as long RDATE lists, which vobject reads as winter time all year."""
    text = berlin_calendar(psoas).decode("utf-8")
    zone = text[text.index("BEGIN:VTIMEZONE") : text.index("END:VTIMEZONE")]
    assert "RDATE" not in zone
    assert "COMMENT:This timezone only works from 2026-03-20 to 2026-04-04." in zone


def test_without_a_zone_name_the_times_float(psoas):
    cal = vobject.readOne(calendar_bytes(plan(psoas), None, datetime(2026, 11, 21, 9, 30)).decode("utf-8"))
    assert not hasattr(cal, "vtimezone")
    starts = sorted(ev.dtstart.value for ev in cal.vevent_list)
    assert starts == [datetime.combine(TODAY, at) for at in TIMES]  # no zone: each calendar shows its own time
    assert all(s.tzinfo is None for s in starts)


def test_remind_ics_writes_the_calendar_in_the_local_zone(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", ":Europe/Berlin")
    clock = FakeClock(datetime(2026, 3, 20, 9, 30)).clock()
    target = tmp_path / "psoas.ics"
    result = run_cli("remind", "psoas", "--ics", str(target), deps=deps(clock=clock))
    assert (result.exit_code, result.output) == (
        0,
        f"Wrote {target}: 6 daily events, each with an alarm, for 14 days from 2026-03-20, at local times in "
        f"Europe/Berlin.\n",
    )
    assert b"\r\nDTSTART;TZID=Europe/Berlin:20260320T080000\r\n" in target.read_bytes()
    assert os.listdir(tmp_path) == ["psoas.ics"]  # and no temp file beside it


def test_a_calendar_that_cannot_be_written_leaves_the_earlier_file_as_it_was(tmp_path, monkeypatch):
    target = tmp_path / "psoas.ics"
    target.write_text("the earlier calendar")

    def full(self, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    result = run_cli("remind", "psoas", "--ics", str(target))
    assert result.exit_code == 1  # in the words every full disk gets (coach.atomic.reason); the free space is real
    assert re.fullmatch(
        rf"Error: Could not write {target}: the disk is full \(\d+ KB free in {tmp_path}\)\.\n", result.output
    )
    assert target.read_text() == "the earlier calendar" and os.listdir(tmp_path) == ["psoas.ics"]
    result = run_cli("remind", "psoas", "--ics", str(tmp_path / "no" / "p.ics"))
    assert (result.exit_code, result.output) == (
        1,
        f"Error: Cannot write {tmp_path}/no/p.ics: the folder {tmp_path}/no does not exist.\n",
    )
    result = run_cli("remind", "psoas", "--ics", str(tmp_path))
    assert (result.exit_code, result.output.splitlines()[-1]) == (
        2,
        f"Error: Invalid value for '--ics': File '{tmp_path}' is a directory.",
    )


@pytest.mark.parametrize(
    ("tz", "name"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        (":America/New_York", "America/New_York"),
        ("/usr/share/zoneinfo/Asia/Tokyo", "Asia/Tokyo"),
        ("CET-1CEST,M3.5.0,M10.5.0/3", None),  # a POSIX rule names no zone: the calendar's times float
        ("Not/AZone", None),
    ],
)
def test_the_local_zone_is_named_by_tz(monkeypatch, tz, name):
    from coach.cli.deps import local_zone

    monkeypatch.setenv("TZ", tz)
    assert local_zone() == name


def test_without_tz_the_local_zone_is_the_systems(monkeypatch):
    from coach.cli.deps import local_zone

    monkeypatch.delenv("TZ", raising=False)
    link = Path("/etc/localtime")
    if not link.is_symlink():
        pytest.skip("/etc/localtime is not a link to a zone here")
    assert local_zone() == os.path.realpath(link).split("/zoneinfo/", 1)[1]
