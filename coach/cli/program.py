"""coach log and coach history: the program across days."""

from __future__ import annotations

from pathlib import Path

import click

from coach.cli.options import choice
from coach.cli.shared import current_deps, routine_sources, source_named
from coach.errors import CoachError
from coach.kinds import Side
from coach.quoting import shown


@click.command("log")
@click.argument("routine_name", metavar="ROUTINE")
@click.option("--side", type=choice(Side), required=True, help="The side it was.")
@click.option("--tenderness", type=click.IntRange(0, 10), required=True, help="0 (none) to 10 (the most).")
def log(routine_name: str, side: str, tenderness: int) -> None:
    """Record how tender the spot is, later than the session.

    It goes on today's latest session of that routine and side that has none yet, or stands on its own. A note 3
    or more above the day before's, or at 7, makes that side's next sessions lighter: it says so, and until when.

    \b
    Example:
      coach log psoas --side right --tenderness 4
    """
    from coach.programlog import ProgramLog

    deps = current_deps()
    routine = source_named(routine_name, deps).load()
    with ProgramLog(deps.dirs.log) as program_log:
        program_log.check_writable()
        on_session = program_log.note_tenderness(routine.name, Side(side), tenderness, deps.clock.now())
        entries = program_log.entries()
    where = "today's last session" if on_session else "today, on its own"
    click.echo(f"Recorded tenderness {tenderness} for {routine.name}, {Side(side).words} ({where}).")
    from coach.program import dose_news

    for line in dose_news(entries, routine, Side(side), deps.clock.now().date()):
        click.echo(line)


@click.command("history")
@click.argument("routine_name", metavar="[ROUTINE]", required=False)
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), help="Also draw it to FILE.png.")
def history(routine_name: str | None, plot: Path | None) -> None:
    """Show the program day by day: sessions on each side, strokes, and tenderness.

    For a therapist, the same on paper: coach report -o report.pdf. The log's rows for a spreadsheet or another
    program: coach report --csv (or --json).

    \b
    Examples:
      coach history
      coach history psoas --plot psoas.png
      coach report psoas --csv -o psoas.csv
    """
    from coach.program import history_text
    from coach.programlog import ProgramLog

    deps = current_deps()
    with ProgramLog(deps.dirs.log) as program_log:
        entries = program_log.entries()
        if program_log.warning:
            click.echo(program_log.warning, err=True)
    if routine_name is not None:
        routine_name = source_named(routine_name, deps).name
        entries = [e for e in entries if e.routine == routine_name]
    programs = {}
    for name, source in routine_sources(deps).items():
        try:
            programs[name] = source.load().program
        except CoachError:
            programs[name] = None
    if plot is not None:  # drawn first: if it cannot be, nothing is printed
        from coach.output.files import check_place
        from coach.output.plot import plot_history

        if plot.suffix.lower() != ".png":
            raise CoachError(f"Cannot draw {shown(plot.name)}: the file name must end in .png.")
        check_place(plot)
        plot_history(entries, plot, programs)
    click.echo(history_text(entries, programs), nl=False)
    if plot is not None:
        click.echo(f"Drew {shown(plot)}.", err=True)
