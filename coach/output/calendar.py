"""The reminders as an iCalendar file (RFC 5545) for a phone or any calendar app, written with icalendar: one daily
recurring event for each time of day, over the program's days, each with an alarm at its start.

Times are the user's local wall times in the named time zone (TZID), with a VTIMEZONE covering just the program's
days: icalendar writes a zone over its default span (1970-2038) as long RDATE lists, which dateutil-based readers
such as vobject ignore, reading summer time as winter time. Without a zone name the times are floating: each
calendar shows them in its own zone.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

from coach.atomic import write_bytes
from coach.errors import CoachError
from coach.quoting import shown
from coach.reminders import ReminderPlan


class CalendarError(CoachError):
    """A value the calendar cannot hold."""


LENGTH = timedelta(minutes=10)  # an event's length in the calendar: about one session, one side
PRODID = "-//coach//reminders//EN"


def calendar_bytes(plan: ReminderPlan, zone: str | None, made: datetime) -> bytes:
    """The calendar of a plan. `zone` is the local time zone's IANA name (None: floating times); `made` the local
    time it is made, stamped on each event in UTC."""
    check_text(plan.title, "the routine's title")
    check_text(plan.routine, "the routine's name")
    for reminder in plan.reminders:
        check_text(reminder.title, "a reminder's title")
    tz = ZoneInfo(zone) if zone else None
    first, days = plan.span
    stamp = (made.replace(tzinfo=tz) if tz else made.astimezone()).astimezone(UTC)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"coach: {plan.title}")
    program = plan.program
    about = f"{plan.title}: {program.sessions_per_day} sessions a day for {program.days} days, until {program.until}."
    for reminder in plan.reminders:
        event = icalendar.Event()
        event.add("uid", f"{plan.routine}-{first:%Y%m%d}-{reminder.number}@coach")
        event.add("dtstamp", stamp)
        event.add("dtstart", datetime.combine(first, reminder.at, tz))
        event.add("duration", LENGTH)
        event.add("summary", reminder.title)
        event.add("description", f"Run {reminder.run}, or play the MP3 of the session. {about}")
        event.add("rrule", {"freq": "daily", "count": days})
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", reminder.title)
        alarm.add("trigger", timedelta(0))
        event.add_component(alarm)
        cal.add_component(event)
    if tz is not None:
        cal.add_missing_timezones(first_date=first, last_date=first + timedelta(days=days + 1))
    return bytes(cal.to_ical())


def check_text(text: str, what: str) -> None:
    """CalendarError for what the calendar cannot hold: a control character (RFC 5545's TEXT has an escape for a
    newline, but icalendar writes X-WR-CALNAME raw) or what is not Unicode text. icalendar escapes the rest:
    backslashes, commas and semicolons."""
    if any(unicodedata.category(c) == "Cc" or 0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise CalendarError(f"Cannot write the calendar: {what} {shown(text)} holds a character iCalendar cannot hold.")


def write_calendar(path: Path, plan: ReminderPlan, zone: str | None, made: datetime) -> None:
    """Write the calendar atomically: after a failure nothing is left at `path` (an earlier file stays as it was).
    It is the command's result: once it is in place, a stopping signal is too late to undo it."""
    write_bytes(path, calendar_bytes(plan, zone, made), final=True)
