"""coach handout and coach report: the program on paper, and the log's data in open formats."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from coach.cli.options import Members
from coach.cli.shared import current_deps, find_source, routine_sources, source_named
from coach.errors import CoachError
from coach.kinds import Side
from coach.papersize import Paper
from coach.quoting import quoted, shown

if TYPE_CHECKING:
    from coach.cli.deps import Deps
    from coach.program import Entry
    from coach.routine import Routine


if TYPE_CHECKING:
    DayType = click.ParamType[date, Any]
else:
    DayType = click.ParamType  # generic only in click's newer releases


class Day(DayType):
    """A calendar day, written as YYYY-MM-DD, given to the command as a date."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            self.fail(f"{quoted(value)} is not a day written as YYYY-MM-DD, such as 2026-12-07.", param, ctx)


DAY = Day()


def pdf_target(target: Path, what: str) -> None:
    """Refuse, before any work, a file that is not a .pdf or could not be written."""
    from coach.output.files import check_place

    if target.suffix.lower() != ".pdf" or target.name.lower() == ".pdf":
        raise CoachError(f"Cannot write {shown(target.name)}: {what}'s file name ends in .pdf.")
    check_place(target)


@click.command("handout")
@click.argument("routine_name", metavar="ROUTINE")
@click.option("--side", type=Members(Side), required=True, help="The side to work: right, left or both.")
@click.option(
    "-o", "--output", "target", type=click.Path(dir_okay=False, path_type=Path), required=True,
    help="The PDF file to write.",
)  # fmt: skip
@click.option(
    "--paper", type=Members(Paper),
    help="a4 or letter (default: the locale's, by LC_PAPER: Letter in the US, Canada and a few more, else A4).",
)  # fmt: skip
@click.option(
    "--from", "start", type=DAY, metavar="DATE", help="The program's first day (YYYY-MM-DD): the tick sheet is dated."
)
def handout(routine_name: str, side: Side, target: Path, paper: Paper | None, start: date | None) -> None:
    """Print a routine on a page for the fridge: its picture, the position and the stroke in numbered steps, the
    safety words in full, the program's tick sheet, and how to play each session.

    \b
    Examples:
      coach handout psoas --side right -o psoas.pdf
      coach handout psoas --side both -o psoas.pdf --paper letter --from 2026-12-07
    """
    from coach.handout import handout as handout_of
    from coach.output.handout_pdf import write_handout
    from coach.picture.drawing import View
    from coach.picture.pictures import checked_png, routine_pictures

    deps = current_deps()
    source = source_named(routine_name, deps)
    routine = source.load()
    pdf_target(target, "a handout")
    content = handout_of(routine, side, source.command, start)
    pictures = routine_pictures(source, routine)
    drawn = [checked_png(source, pictures(single, View.STROKE)) for single in side.sides]
    chosen = paper or deps.paper
    laid = write_handout(content, drawn, chosen, target)
    pages = f"{laid.pages} page{'s' if laid.pages > 1 else ''}"
    click.echo(f"Wrote {shown(target)}: {content.title}, {pages} of {chosen.name_shown}.", err=True)


PDF, CSV, JSON = ".pdf", ".csv", ".json"


def report_format(target: Path | None, as_csv: bool, as_json: bool, paper: Paper | None) -> str:
    """What the report is written as: a PDF, or the log's data as CSV or JSON (by the flag, else by -o's name)."""
    if as_csv and as_json:
        raise click.UsageError("Choose one of --csv and --json.")
    asked = CSV if as_csv else JSON if as_json else None
    if target is None:
        if asked is None:
            raise click.UsageError("Give -o FILE.pdf for the report, or --csv or --json for the log's data.")
        named = asked
    else:
        named = target.suffix.lower()
        if named not in (PDF, CSV, JSON) or target.name.lower() == named:
            raise CoachError(f"Cannot write {shown(target.name)}: the file name must end in .pdf, .csv or .json.")
        if asked is not None and named != asked:
            raise CoachError(f"Cannot write {shown(target.name)} as {asked[1:].upper()}: name it {asked}.")
    if paper is not None and named != PDF:
        raise click.UsageError("--paper is for a PDF report.")
    return named


@click.command("report")
@click.argument("routine_name", metavar="[ROUTINE]", required=False)
@click.option(
    "--from",
    "first",
    type=DAY,
    metavar="DATE",
    help="The first day (YYYY-MM-DD); default: the routine's first logged day.",
)
@click.option(
    "--to", "last", type=DAY, metavar="DATE", help="The last day (YYYY-MM-DD); default: the last logged day, or today."
)
@click.option(
    "-o", "--output", "target", type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write: FILE.pdf (the report), FILE.csv or FILE.json (the log's data).",
)  # fmt: skip
@click.option("--csv", "as_csv", is_flag=True, help="The log's data as CSV: one row per session and tenderness note.")
@click.option("--json", "as_json", is_flag=True, help="The log's data as JSON, with the same columns as the CSV.")
@click.option("--paper", type=Members(Paper), help="a4 or letter (default: the locale's, by LC_PAPER).")
def report(
    routine_name: str | None, first: date | None, last: date | None, target: Path | None, as_csv: bool,
    as_json: bool, paper: Paper | None,
) -> None:  # fmt: skip
    """Report on the program for a therapist: sessions done against the target on each side and day, strokes,
    tenderness and its course, sessions stopped early, the days a side was called done. Or the log's data itself,
    as CSV or JSON (to standard output, or -o FILE.csv / FILE.json); README.md lists the columns.

    \b
    Examples:
      coach report -o report.pdf
      coach report psoas --from 2026-12-07 --to 2026-12-20 -o psoas-report.pdf
      coach report --csv -o log.csv
      coach report psoas --json
    """
    from coach.output.files import check_place

    kind = report_format(target, as_csv, as_json, paper)
    period = (first, last)
    if period[0] is not None and period[1] is not None and period[0] > period[1]:
        raise click.UsageError(f"--from {period[0].isoformat()} comes after --to {period[1].isoformat()}.")
    deps = current_deps()
    if target is not None:
        check_place(target)
    entries = logged(deps)
    name = None if routine_name is None else logged_name(routine_name, deps, entries)
    entries = [e for e in entries if name is None or e.routine == name]
    if kind == PDF:
        assert target is not None
        write_pdf_report(deps, entries, target, paper or deps.paper, period, name)
    else:
        write_data(deps, entries, target, kind, period)


def logged(deps: Deps) -> list[Entry]:
    """The log's entries; a warning on the rows it cannot read."""
    from coach.programlog import ProgramLog

    with ProgramLog(deps.dirs.log) as program_log:
        entries = program_log.entries()
        if program_log.warning:
            click.echo(program_log.warning, err=True)
    return entries


def logged_name(given: str, deps: Deps, entries: list[Entry]) -> str:
    """The routine a report is asked for: by its command name or file, or a name the log holds (a routine since
    removed)."""
    if find_source(given, deps) is None and any(e.routine == given for e in entries):
        return given
    return source_named(given, deps).name


def zone_of(deps: Deps) -> tzinfo | None:
    """The local time zone, for the times' offsets (None: the system's rules, as the C library has them)."""
    from zoneinfo import ZoneInfo

    name = deps.clock.zone()
    return None if name is None else ZoneInfo(name)


def write_data(
    deps: Deps, entries: list[Entry], target: Path | None, kind: str, period: tuple[date | None, date | None]
) -> None:
    """The log's rows in the period as CSV or JSON, to `target` or standard output."""
    from coach.atomic import write_bytes
    from coach.logdata import csv_text, json_text, log_rows, within

    rows = log_rows(within(entries, *period), zone_of(deps))
    text = csv_text(rows) if kind == CSV else json_text(rows)
    if target is None:
        click.echo(text, nl=False)
        return
    write_bytes(target, text.encode("utf-8"), final=True)
    click.echo(f"Wrote {shown(target)}: {len(rows)} row{'' if len(rows) == 1 else 's'}.", err=True)


def write_pdf_report(
    deps: Deps, entries: list[Entry], target: Path, paper: Paper, period: tuple[date | None, date | None],
    named: str | None,
) -> None:  # fmt: skip
    from coach.logdata import local
    from coach.output.report_pdf import write_report
    from coach.progress import progress

    now = deps.clock.now()
    made = local(now.replace(microsecond=0), zone_of(deps))
    content = progress(entries, routines(deps, {e.routine for e in entries}), now.date(), made, period, named)
    pages = write_report(content, paper, target)
    click.echo(f"Wrote {shown(target)}: {pages} page{'s' if pages > 1 else ''} of {paper.name_shown}.", err=True)
    if content.nothing:
        click.echo(content.nothing, err=True)
    for one in content.routines:
        for summary in one.summaries:
            click.echo(f"{one.routine}, {one.first} to {one.last}: {summary.text()}", err=True)


def routines(deps: Deps, names: set[str]) -> dict[str, Routine | None]:
    """The routines named in the log, each loaded where it can be (None: gone, or a file that no longer loads)."""
    found: dict[str, Routine | None] = {}
    sources = routine_sources(deps)
    for name in names:
        try:
            found[name] = sources[name].load() if name in sources else None
        except CoachError:
            found[name] = None
    return found
