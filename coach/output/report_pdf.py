"""The progress report on paper, for a therapist (coach.progress says what; this lays it out): for each routine,
its period and program, a summary line for each side, a plot of each side's tenderness with the sessions done a
day, a table by day, and the days a side was called done, the sessions stopped early and the reminders skipped.

The plot is drawn by matplotlib as SVG and placed in the PDF as vector drawing (fpdf2 reads SVG), so it prints
sharp at any size; its words are drawn as outlines, and every figure in it is also in the table, as text.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.errors import CoachError
from coach.output.pdf import BODY, FAMILY, GREY, INK, RULE, document, heading, paragraph, room, save, width
from coach.papersize import Paper
from coach.program import DONE_AT_MOST, DONE_DAYS
from coach.progress import DayRow, Progress, RoutineProgress
from coach.template import counted

if TYPE_CHECKING:
    from fpdf import FPDF
    from fpdf.table import Row

MISSING_PLOT = "The report's plot needs matplotlib, which is not installed: pip install 'coach[paper]' adds it."
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
COLOURS = {"right": "#c0504d", "left": "#4f81bd"}
BARS = {"right": "#e6b9b8", "left": "#b9cde5"}
PLOT_MM = (182.0, 64.0)


def write_report(report: Progress, paper: Paper, path: Path) -> int:
    """Lay the report out on `paper` and write it to `path`; gives its number of pages."""
    with document(paper, "Progress report", report.made, "coach progress report") as pdf:
        pdf.add_page()
        pdf.set_font(FAMILY, "B", 19)
        pdf.cell(0, 9, "Progress report", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*GREY)
        paragraph(pdf, f"From the coach program log, made on {report.made:%Y-%m-%d at %H:%M}.")
        pdf.set_text_color(*INK)
        pdf.ln(3)
        if report.nothing:
            paragraph(pdf, report.nothing, bold=True)
        for index, routine in enumerate(report.routines):
            if index:
                pdf.add_page()
            section(pdf, routine)
        save(pdf, path)
        return int(pdf.page_no())


def section(pdf: FPDF, routine: RoutineProgress) -> None:
    days = (routine.last - routine.first).days + 1
    heading(pdf, f"{routine.title} ({routine.routine})")
    period = f"From {routine.first.isoformat()} to {routine.last.isoformat()} ({counted(days, 'day')})."
    if routine.program is not None:
        program = routine.program
        per_day = counted(program.sessions_per_day, "session")
        period += f" The program: {per_day} a day for {program.days} days, until {program.until}."
    paragraph(pdf, period)
    pdf.ln(2)
    for summary in routine.summaries:
        paragraph(pdf, summary.text(), bold=True)
    strokes = ", ".join(f"{n} on the {side} side" for side, n in zip(routine.sides, routine.strokes, strict=True))
    paragraph(pdf, f"Strokes done: {strokes}.")
    pdf.ln(3)
    svg = plot_svg(routine)
    if room(pdf) < PLOT_MM[1]:
        pdf.add_page()
    pdf.image(io.BytesIO(svg), x=pdf.l_margin, y=pdf.get_y(), w=min(PLOT_MM[0], width(pdf)), h=PLOT_MM[1])
    pdf.set_y(pdf.get_y() + PLOT_MM[1] + 4)
    table(pdf, routine)
    notes(pdf, routine)


def plot_svg(routine: RoutineProgress) -> bytes:
    """Each side's tenderness by day (0 to 10, the line), over the sessions that count each day (the bars, against
    the program's sessions a day, dashed), as SVG."""
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError:
        raise CoachError(MISSING_PLOT) from None
    figure = Figure(figsize=(PLOT_MM[0] / 25.4, PLOT_MM[1] / 25.4))
    sessions = figure.subplots()
    tender = sessions.twinx()
    logged = [row for row in routine.rows if row.sides]
    x = [(row.day - routine.first).days for row in logged]
    share = 0.8 / len(routine.sides)
    for i, side in enumerate(routine.sides):
        offset = (i - (len(routine.sides) - 1) / 2) * share
        counts = [row.sides[i].sessions for row in logged]
        sessions.bar([d + offset for d in x], counts, width=share, color=BARS[side], label=f"{side}: sessions")
        marks = [(d, t) for d, row in zip(x, logged, strict=True) if (t := row.sides[i].tenderness) is not None]
        tender.plot([d for d, _ in marks], [t for _, t in marks], color=COLOURS[side], marker="o", markersize=3.5,
                    linewidth=1.6, label=f"{side}: tenderness")  # fmt: skip
    axes(routine, sessions, tender, max((side.sessions for row in logged for side in row.sides), default=0))
    handles, labels = sessions.get_legend_handles_labels()
    more, named = tender.get_legend_handles_labels()
    figure.legend(handles + more, labels + named, fontsize=7, loc="upper center", ncols=4, frameon=False)
    figure.tight_layout(pad=0.3, rect=(0, 0, 1, 0.9))
    out = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "coach", "svg.fonttype": "path"}):  # the same bytes every time
        figure.savefig(out, format="svg", metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    return out.getvalue()


def axes(routine: RoutineProgress, sessions: Any, tender: Any, most: int) -> None:
    """The plot's scales: sessions a day (to the program's, dashed, or the most done), tenderness 0 to 10, and
    the period's days, labelled by date."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    top = max(most, 1)
    if routine.program is not None:
        top = max(top, routine.program.sessions_per_day)
        sessions.axhline(routine.program.sessions_per_day, color="#808080", linestyle="--", linewidth=0.8)
    sessions.set_ylim(0, top * 1.15)
    sessions.set_ylabel("sessions a day", fontsize=8)
    tender.set_ylim(0, 10.5)
    tender.set_ylabel("tenderness (0-10)", fontsize=8)
    sessions.set_xlim(-0.7, (routine.last - routine.first).days + 0.7)
    sessions.xaxis.set_major_locator(MaxNLocator(nbins=12, integer=True))
    sessions.xaxis.set_major_formatter(FuncFormatter(lambda value, _: short_date(routine.first, value)))
    sessions.yaxis.set_major_locator(MaxNLocator(integer=True))
    for axis in (sessions, tender):
        axis.tick_params(labelsize=7.5)


def short_date(first: date, value: float) -> str:
    day = first + timedelta(days=round(value))
    return f"{day.day} {MONTHS[day.month - 1]}"


def table(pdf: FPDF, routine: RoutineProgress) -> None:
    """A row for each day with entries (each run of days with none, as one row), and the totals."""
    sides = len(routine.sides)
    columns = (21.0, 10.0, *(17.0, 15.0, 14.0) * sides, 17.0)
    columns = (*columns, width(pdf) - sum(columns))
    per_day = routine.program.sessions_per_day if routine.program is not None else None
    pdf.set_draw_color(*RULE)
    pdf.set_font(FAMILY, size=8.5)
    with pdf.table(
        col_widths=columns, width=sum(columns), text_align="CENTER", line_height=4.2, num_heading_rows=2,
        first_row_as_headings=True,
    ) as grid:  # fmt: skip
        top = grid.row()
        top.cell("Date", rowspan=2)
        top.cell("Day", rowspan=2)
        for side in routine.sides:
            top.cell(f"{side.capitalize()} side", colspan=3)
        top.cell("Stopped", rowspan=2)
        top.cell("Notes", rowspan=2)
        below = grid.row()
        for _ in routine.sides:
            for name in ("sessions", "strokes", "tender"):
                below.cell(name)
        for row in routine.rows:
            cells = day_cells(row, routine, per_day)
            line = grid.row()
            if row.until is not None:
                line.cell(cells[0], colspan=len(columns), align="LEFT")
                continue
            for text in cells[:-1]:
                line.cell(text)
            line.cell(cells[-1], align="LEFT")
        totals(grid.row(), routine, per_day)
    pdf.set_draw_color(*INK)
    pdf.set_font(FAMILY, size=BODY)
    pdf.ln(4)


def day_cells(row: DayRow, routine: RoutineProgress, per_day: int | None) -> list[str]:
    if row.until is not None:
        days = (row.until - row.day).days + 1
        span = row.day.isoformat() if days == 1 else f"{row.day.isoformat()} to {row.until.isoformat()}"
        return [f"{span}: nothing logged ({counted(days, 'day')})"]
    cells = [row.day.isoformat(), "" if row.number is None else str(row.number)]
    for side in row.sides:
        sessions = str(side.sessions) if per_day is None else f"{side.sessions}/{per_day}"
        cells += [sessions, str(side.strokes), "-" if side.tenderness is None else str(side.tenderness)]
    notes = ["a new program starts"] if row.restart else []
    notes += [f"{name} side done" for name, side in zip(routine.sides, row.sides, strict=True) if side.done]
    if row.skipped:
        notes.append(f"{counted(row.skipped, 'reminder')} skipped")
    return [*cells, str(row.stopped) if row.stopped else "", "; ".join(notes)]


def totals(line: Row, routine: RoutineProgress, per_day: int | None) -> None:
    """The last row: each side's sessions against the period's target, its strokes, and the sessions stopped."""
    from fpdf.fonts import FontFace

    bold = FontFace(emphasis="BOLD")
    line.cell("Total", style=bold, colspan=2)
    for summary, strokes in zip(routine.summaries, routine.strokes, strict=True):
        target = "" if per_day is None else f"/{summary.days * per_day}"
        for text in (f"{summary.sessions}{target}", str(strokes), ""):
            line.cell(text, style=bold)
    stopped = sum(row.stopped for row in routine.rows)
    line.cell(str(stopped) if stopped else "", style=bold)
    line.cell("")


def notes(pdf: FPDF, routine: RoutineProgress) -> None:
    """The days a side was called done, the sessions stopped early, the reminders skipped, and what counts."""
    for side, day in routine.done:
        paragraph(
            pdf,
            f"The {side} side was called done on {day.isoformat()}: tender at {DONE_AT_MOST} or less on {DONE_DAYS} "
            "days in a row.",
        )
    if routine.cut_short:
        pdf.ln(1)
        paragraph(pdf, f"Sessions stopped early ({len(routine.cut_short)}):", bold=True)
        for cut in routine.cut_short:
            paragraph(pdf, f"{stamp(cut.started)}, {cut.side.words}: {cut.done} of {cut.planned} strokes.", indent=4)
    if routine.skipped:
        paragraph(pdf, f"Reminders skipped from the desktop notification: {routine.skipped}.")
    pdf.ln(2)
    pdf.set_text_color(*GREY)
    paragraph(
        pdf,
        "A session counts on a side once it reached the routine's fewest advised strokes there; sessions on both "
        "sides count on each. Tenderness is the day's last note for the side, 0 (none) to 10.",
    )
    pdf.set_text_color(*INK)


def stamp(when: datetime) -> str:
    return f"{when:%Y-%m-%d %H:%M}"
