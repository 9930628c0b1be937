"""coach remind: the program's sessions through the day, as a plan, a calendar file, or desktop reminders (a systemd
user timer whose job shows a notification)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path
from typing import Any

import click

from coach.catalog import RoutineSource
from coach.cli.deps import Deps
from coach.cli.options import stack
from coach.cli.shared import current_deps, source_named
from coach.errors import CoachError
from coach.kinds import Side
from coach.program import Entry
from coach.quoting import quoted, shown
from coach.reminders import EARLIEST, LATEST, ReminderPlan, Window, minutes


def clock_time(ctx: click.Context, param: click.Parameter, value: str) -> time:
    """A time of day, H:MM or HH:MM on a 24-hour clock."""
    match = re.fullmatch(r"(\d{1,2}):(\d\d)", value.strip())
    if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
        return time(int(match.group(1)), int(match.group(2)))
    raise click.BadParameter(f"{quoted(value)} is not a time of day: write it as HH:MM, such as 07:30 or 21:00.")


def window_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--from, --to and --per-day, handed to the command as one value, `window`."""

    @functools.wraps(command)
    def with_window(*args: object, start: time, end: time, per_day: int | None, **kwargs: object) -> object:
        return command(*args, window=Window(start=start, end=end, per_day=per_day), **kwargs)

    return _window_option_stack(with_window)


_window_option_stack = stack(
    click.option("--from", "start", metavar="HH:MM", callback=clock_time, default=f"{EARLIEST:%H:%M}",
                 show_default=True, help="The day's first reminder."),
    click.option("--to", "end", metavar="HH:MM", callback=clock_time, default=f"{LATEST:%H:%M}",
                 show_default=True, help="The day's last reminder."),
    click.option("--per-day", type=click.IntRange(1, 12), metavar="N",
                 help="Reminders a day: the program's sessions a day unless given."),
)  # fmt: skip


@click.command("remind")
@click.argument("routine_name", metavar="[ROUTINE]", required=False)
@window_options
@click.option("--ics", type=click.Path(dir_okay=False, path_type=Path),
              help="Write them to FILE.ics, for a phone or any calendar app.")  # fmt: skip
@click.option("--install", is_flag=True, help="Show them on this desktop (a systemd user timer).")
@click.option("--uninstall", is_flag=True, help="Remove this routine's desktop reminders.")
@click.option("--list", "list_installed", is_flag=True, help="List the desktop reminders installed.")
@click.option(
    "--notify",
    is_flag=True,
    help="Show the reminder due now as a desktop notification, with Start, Snooze and Skip where the desktop shows "
    "them (what the timer runs).",
)
def remind(
    routine_name: str | None,
    window: Window,
    ics: Path | None,
    install: bool,
    uninstall: bool,
    list_installed: bool,
    notify: bool,
) -> None:
    """Reminders of a routine's program: its sessions spread over the day, for the program's days.

    With no other option it prints the plan: when each reminder comes and what it says. Each reminder is a session
    on each side still due (--side auto works both in one sitting). The program starts with its first logged
    session, or today. Times are local; a change of clock (summer time) moves none of them.

    \b
    Examples:
      coach remind psoas                                 the plan: 6 a day, 08:00 to 21:00
      coach remind psoas --from 7:30 --to 20:00 --per-day 5
      coach remind psoas --ics psoas.ics                 a calendar file for a phone
      coach remind psoas --install                       notifications on this desktop
      coach remind --list                                what is installed
      coach remind psoas --uninstall                     remove them
    """
    modes = [name for name, on in (("--ics", ics), ("--install", install), ("--uninstall", uninstall),
                                   ("--list", list_installed), ("--notify", notify)) if on]  # fmt: skip
    if len(modes) > 1:
        raise click.UsageError(f"{' and '.join(modes)} do not go together: choose one.")
    deps = current_deps()
    if list_installed:
        if routine_name is not None:
            raise click.UsageError("--list lists every routine's reminders: leave out the routine.")
        return list_reminders(deps)
    if routine_name is None:
        raise click.UsageError("Missing the routine: coach remind ROUTINE (see 'coach list'), or coach remind --list.")
    source = source_named(routine_name, deps)
    if uninstall:
        return uninstall_reminders(deps, source.name)
    name = _command_name(routine_name, source)
    if install and name != source.name:
        raise click.UsageError(
            f"Desktop reminders are for a routine by name: put {Path(routine_name).name} in "
            f"{deps.dirs.config / 'routines'} and run coach remind {source.name} --install."
        )
    if notify:
        status = notify_now(deps, source, name, window)
        if status:  # a session started from the reminder that did not end well: its status
            click.get_current_context().exit(status)
        return None
    plan, _ = make_plan(deps, source, name, window)
    if ics is not None:
        write_ics(deps, plan, ics)
    elif install:
        install_reminders(deps, plan, name)
    else:
        print_plan(deps, plan, name, source.name, window)


def print_plan(deps: Deps, plan: ReminderPlan, name: str, file_name: str, window: Window) -> None:
    """The plan as text, then where it can go: this desktop, or a phone's calendar."""
    zone = deps.clock.zone()
    click.echo(plan.text(), nl=False)
    where = f"local ({zone})" if zone else "local"
    again = f"coach remind {name}{_window_options(window)}"
    click.echo(f"Times are {where}. On this desktop: {again} --install")
    click.echo(f"For a phone's calendar: {again} --ics {file_name}.ics")


def _command_name(routine_name: str, source: RoutineSource) -> str:
    """How a reminder names the routine: its name, or for a file given by path, that path made absolute."""
    if routine_name.endswith(".toml") and source.path is not None:
        return shown(source.path.absolute())  # quoted for a shell; printable whatever the path holds
    return source.name


def _window_options(window: Window) -> str:
    """The options that set this window, as the user would type them (none for the defaults)."""
    text = ""
    if window.start != EARLIEST:
        text += f" --from {window.start:%H:%M}"
    if window.end != LATEST:
        text += f" --to {window.end:%H:%M}"
    if window.per_day is not None:
        text += f" --per-day {window.per_day}"
    return text


def _entries(deps: Deps) -> list[Entry]:
    """The program log's entries; none before the log exists (reading a plan does not create it)."""
    if not deps.dirs.log.exists():
        return []
    from coach.programlog import ProgramLog

    with ProgramLog(deps.dirs.log) as log:
        entries = log.entries()
        if log.warning:
            click.echo(log.warning, err=True)
        return entries


def make_plan(deps: Deps, source: RoutineSource, name: str, window: Window) -> tuple[ReminderPlan, list[Entry]]:
    """The plan, and the log's entries it was made from."""
    from coach.program import sides_due
    from coach.reminders import plan_reminders

    routine = source.load()
    per_day = window.per_day or (routine.program.sessions_per_day if routine.program else 1)
    if per_day > 1 and minutes(window.end) - minutes(window.start) < per_day - 1:
        if window.end <= window.start:
            raise click.UsageError(f"--to {window.end:%H:%M} must be later than --from {window.start:%H:%M}.")
        raise click.UsageError(
            f"{per_day} reminders do not fit between {window.start:%H:%M} and {window.end:%H:%M}: "
            f"they need a minute each at least."
        )
    entries = _entries(deps)
    today = deps.clock.now().date()
    due = sides_due(entries, routine.name, today)
    return plan_reminders(routine, name, entries, today, window, due), entries


def write_ics(deps: Deps, plan: ReminderPlan, path: Path) -> None:
    from coach.output.calendar import write_calendar

    if not path.parent.is_dir():
        raise CoachError(f"Cannot write {shown(path)}: the folder {shown(path.parent)} does not exist.")
    zone = deps.clock.zone()
    write_calendar(path, plan, zone, deps.clock.now())
    first, days = plan.span
    where = f"local times in {zone}" if zone else "floating times (each calendar shows them in its own time zone)"
    click.echo(
        f"Wrote {shown(path)}: {plan.per_day} daily events, each with an alarm, for {days} days from {first}, "
        f"at {where}."
    )


def _shown(path: Path) -> str:
    """A path as a user reads it: under the home folder, from ~."""
    try:
        return f"~/{path.relative_to(Path.home())}"
    except ValueError:
        return str(path)


def _times(plan: ReminderPlan) -> str:
    times = [f"{r.at:%H:%M}" for r in plan.reminders]
    return times[0] if len(times) == 1 else f"{', '.join(times[:-1])} and {times[-1]}"


def install_reminders(deps: Deps, plan: ReminderPlan, name: str) -> None:
    from coach.desktop import systemd

    window = plan.window
    command = [*deps.coach, "remind", "--notify", name, "--from", f"{window.start:%H:%M}", "--to",
               f"{window.end:%H:%M}", "--per-day", str(plan.per_day)]  # fmt: skip
    environment = {
        "COACH_CONFIG_DIR": str(deps.dirs.config.absolute()),
        "COACH_DATA_DIR": str(deps.dirs.data.absolute()),
    }
    try:
        timer = systemd.timer_text(
            name, f"coach: {plan.title} reminders, {_times(plan)}", [r.at for r in plan.reminders]
        )
        service = systemd.service_text(name, f"coach: {plan.title} reminder", command, environment)
        replaced = systemd.install(deps.dirs.units, name, timer, service, deps.run)
    except (systemd.Unreachable, systemd.NotInUnit) as exc:
        raise CoachError(
            f"Desktop reminders cannot be installed here: {exc}. For a calendar instead: coach remind {name}"
            f"{_window_options(window)} --ics {name}.ics"
        ) from None
    verb = "Replaced" if replaced else "Installed"
    click.echo(f"{verb} the {name} reminders on this desktop: daily at {_times(plan)}.")
    click.echo(f"Their units: {_shown(deps.dirs.units / systemd.timer_name(name))} and .service")
    click.echo(f"Remove them with: coach remind {name} --uninstall")


def uninstall_reminders(deps: Deps, name: str) -> None:
    from coach.desktop import systemd

    removed = systemd.remove(deps.dirs.units, name, deps.run)
    if not removed:
        click.echo(f"No {name} reminders are installed.")
        return
    click.echo(f"Removed the {name} reminders: {' and '.join(path.name for path in removed)}.")


def list_reminders(deps: Deps) -> None:
    from coach.desktop.systemd import installed

    found = installed(deps.dirs.units)
    if not found:
        click.echo("No reminders are installed on this desktop. Install some with: coach remind ROUTINE --install")
        return
    for each in found:
        if each.problem:
            click.echo(f"{each.routine:<16}its timer cannot be read: {each.problem}  ({_shown(each.timer)})")
            continue
        times = " ".join(f"{at:%H:%M}" for at in each.times)
        state = "enabled" if each.enabled else "not enabled"
        click.echo(f"{each.routine:<16}{times}  {state}  ({_shown(each.timer)})")


def notify_now(deps: Deps, source: RoutineSource, name: str, window: Window) -> int:
    """What the timer runs: the reminder due now as a notification (unless its session is done today), with Start,
    Snooze and Skip where the desktop shows them, and its answer acted on (coach.desktop.reminder). A missed
    reminder is not an error: with no bus to show it on, one sentence, and exit status 0."""
    from coach.desktop.notify import ask
    from coach.desktop.reminder import Desk, remind
    from coach.reminders import run_side

    def plan() -> tuple[ReminderPlan, list[Entry]]:
        return make_plan(deps, source, name, window)

    def skip(side: Side, number: int, when: datetime) -> None:
        from coach.programlog import ProgramLog

        with ProgramLog(deps.dirs.log) as log:
            log.skip(source.name, side, number, when)

    def start() -> int:
        current, _ = plan()
        return deps.play([*deps.coach, name, "--side", run_side(current.due)], session_environment(deps))

    desk = Desk(
        plan=plan, ask=lambda summary, body, actions, wait: ask(deps.bus, summary, body, actions, wait), skip=skip,
        start=start, now=deps.clock.now, sleep=deps.clock.sleep, say=click.echo,
        warn=lambda text: click.echo(text, err=True),
    )  # fmt: skip
    return remind(desk)


def session_environment(deps: Deps) -> dict[str, str]:
    """The environment a session started from a reminder runs in: the reminder's (under systemd, the user's
    session: its sound server, its display), on the bus the reminder was answered on (so its media keys are that
    desktop's), with the reminder's folders (so it is logged where the reminder looked)."""
    environment = {
        **deps.environ,
        "COACH_CONFIG_DIR": str(deps.dirs.config.absolute()),
        "COACH_DATA_DIR": str(deps.dirs.data.absolute()),
        "COACH_CACHE_DIR": str(deps.dirs.cache.absolute()),
    }
    if deps.bus is not None:
        environment["DBUS_SESSION_BUS_ADDRESS"] = deps.bus
    return environment
