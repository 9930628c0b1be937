"""The handout on paper: the title, the picture of each side worked, the numbered steps beside and below it, the
safety words, the tick sheet and how to play each session (coach.handout says what; this lays it out).

One side: the picture at the top right, the title and the steps to its left, then across the page. Both sides:
the title across the page, the right side's picture and the left's side by side below it, then the steps. The
tick sheet starts a page of its own where it would not fit whole below the rest.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from coach.handout import Handout, Sheet, Step
from coach.kinds import Side
from coach.output.pdf import (
    BODY,
    BULLET,
    FAMILY,
    GREY,
    HAIRLINE,
    INK,
    RULE,
    WARN,
    bullet,
    document,
    heading,
    height,
    labelled,
    paragraph,
    room,
    save,
    width,
)
from coach.papersize import Paper

if TYPE_CHECKING:
    from fpdf import FPDF

# A handout says nothing of when it was made, so the same routine and options give the same file byte for byte:
# its creation date is fixed (as reportlab's "invariant" mode fixes it).
FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)
PICTURE = 72.0  # mm, one side's picture
GAP = 6.0  # mm between the picture and the text beside it
ROW = 8.0  # mm, a row of the tick sheet
ROW_LEAST = 6.0  # ... where a lower one keeps the sheet on the page
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Box:
    """Where a picture went: its page (from 1) and its place in mm from the page's top left corner."""

    page: int
    x: float
    y: float
    size: float


@dataclass(frozen=True)
class Laid:
    pages: int
    pictures: tuple[Box, ...]


def write_handout(handout: Handout, pictures: Sequence[bytes], paper: Paper, path: Path) -> Laid:
    """Lay the handout out on `paper` with `pictures` (a PNG for each side worked, right first) and write it to
    `path`; gives its pages and where the pictures went."""
    with document(paper, handout.title, FIXED_DATE, f"{handout.title}: handout") as pdf:
        pdf.add_page()
        boxes, text_width = top(pdf, handout, pictures)
        beside = boxes[0].y + boxes[0].size + 3 if len(boxes) == 1 else 0.0
        steps(pdf, handout.steps, text_width, beside)
        pdf.set_y(max(pdf.get_y(), beside) + 3)
        safety(pdf, handout.safety)
        if handout.sheet is not None:
            sheet(pdf, handout.sheet, play_height(pdf, handout.play))
        play(pdf, handout.play)
        save(pdf, path)
        return Laid(pdf.page_no(), tuple(boxes))


def top(pdf: FPDF, handout: Handout, pictures: Sequence[bytes]) -> tuple[list[Box], float]:
    """The title and the pictures: one side's in the top right corner, the title beside it; both sides', side by
    side and centred under the title. Gives where they went, and how wide the text beside them may be."""
    if len(pictures) == 1:
        boxes = [Box(1, pdf.w - pdf.r_margin - PICTURE, pdf.t_margin, PICTURE)]
        text_width = width(pdf) - PICTURE - GAP
        title(pdf, handout, text_width)
    else:
        title(pdf, handout, width(pdf))
        size = min(PICTURE, (width(pdf) - GAP) / 2)
        left, y = pdf.l_margin + (width(pdf) - 2 * size - GAP) / 2, pdf.get_y() + 2
        boxes = [Box(1, left + i * (size + GAP), y, size) for i in range(len(pictures))]
        pdf.set_y(y + size + 4)
        text_width = width(pdf)
    for box, png in zip(boxes, pictures, strict=True):
        pdf.image(io.BytesIO(png), x=box.x, y=box.y, w=box.size, h=box.size)
    return boxes, text_width


def title(pdf: FPDF, handout: Handout, wide: float) -> None:
    pdf.set_font(FAMILY, "B", 19)
    pdf.multi_cell(wide, 8.5, handout.title, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)
    pdf.set_text_color(*GREY)
    paragraph(pdf, handout.description, wide=wide)
    pdf.set_text_color(*INK)
    pdf.ln(3)


def steps(pdf: FPDF, numbered: Sequence[Step], narrow: float, beside: float) -> None:
    """The numbered steps, `narrow` mm wide while they are beside the picture (above `beside`), then across."""

    def wide() -> float:
        return narrow if pdf.page_no() == 1 and pdf.get_y() < beside else width(pdf)

    for number, step in enumerate(numbered, start=1):
        paragraph(pdf, f"{number}. {step.heading}", wide=wide(), bold=True)
        if step.text:
            paragraph(pdf, step.text, indent=5, wide=wide())
        if step.stroke:
            pdf.ln(1)
            paragraph(pdf, step.stroke_heading, indent=5, wide=wide())
            for words in step.stroke:
                bullet(pdf, words, indent=8, wide=wide())
        pdf.ln(2.5)


def safety(pdf: FPDF, lines: Sequence[str]) -> None:
    """The safety words in full, under a heading, with a bar beside them."""
    needed = 10 + sum(height(pdf, line, indent=4 + BULLET) + 0.8 for line in lines)
    if room(pdf) < needed:
        pdf.add_page()
    top, page = pdf.get_y(), pdf.page_no()
    heading(pdf, "Safety", colour=WARN)
    for line in lines:
        bullet(pdf, line, indent=4)
        pdf.ln(0.8)
    if pdf.page_no() == page:
        pdf.set_draw_color(*WARN)
        pdf.set_line_width(0.8)
        pdf.line(pdf.l_margin - 3, top, pdf.l_margin - 3, pdf.get_y())
        pdf.set_draw_color(*INK)
        pdf.set_line_width(HAIRLINE)
    pdf.ln(4)


def sheet(pdf: FPDF, tick: Sheet, after: float) -> None:
    """The tick sheet: a row a day, a box a session and a tenderness column for each side. Its rows are ROW high,
    or as low as ROW_LEAST where that keeps it and the `after` mm that follow it on the page; else it starts a page
    of its own (and runs on over more, a long program's)."""
    fixed = 16 + sum(height(pdf, line) for line in tick.how) + after
    rows = len(tick.days) + 2  # and the two heading rows
    if room(pdf) - fixed < rows * ROW_LEAST:
        pdf.add_page()
    row_height = max(ROW_LEAST, min(ROW, (room(pdf) - fixed) / rows))
    heading(pdf, "Tick sheet")
    for line in tick.how:
        paragraph(pdf, line)
    pdf.ln(2)
    day_w, date_w, tender_w = 10.0, 30.0, 16.0
    box_w = min(16.0, (width(pdf) - day_w - date_w - tender_w * len(tick.sides)) / (tick.per_day * len(tick.sides)))
    columns = (day_w, date_w, *((box_w,) * tick.per_day + (tender_w,)) * len(tick.sides))
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(HAIRLINE)
    pdf.set_font(FAMILY, size=8.5)
    with pdf.table(
        col_widths=columns, width=sum(columns), align="LEFT", text_align="CENTER", line_height=4,
        num_heading_rows=2, first_row_as_headings=True,
    ) as table:  # fmt: skip
        top = table.row()
        top.cell("Day", rowspan=2)
        top.cell("Date", rowspan=2)
        for side in tick.sides:
            top.cell(side_heading(pdf, side, tick.per_day * box_w), colspan=tick.per_day)
            top.cell("Tender")
        below = table.row()
        for _ in tick.sides:
            for session in range(1, tick.per_day + 1):
                below.cell(str(session))
            below.cell("0-10")
        for number, day in tick.days:
            row = table.row(min_height=row_height)
            row.cell(str(number))
            row.cell(dated(day))
            for _ in range(len(columns) - 2):
                row.cell("")
    pdf.set_draw_color(*INK)
    pdf.set_font(FAMILY, size=BODY)
    pdf.ln(4)


def side_heading(pdf: FPDF, side: Side, wide: float) -> str:
    """A side's heading over its boxes, as long as fits their width: "Right side: sessions", or "Right"."""
    pdf.set_font(FAMILY, "B", 8.5)
    fitting = [
        text
        for text in (f"{side.capitalize()} side: sessions", f"{side.capitalize()} side", side.capitalize())
        if pdf.get_string_width(text) + 2 <= wide
    ]
    pdf.set_font(FAMILY, size=8.5)
    return fitting[0] if fitting else side.capitalize()[0]


def dated(day: date | None) -> str:
    """A day of the tick sheet: "Mon 2026-12-07" (in English whatever the locale), or blank to write in."""
    return "" if day is None else f"{WEEKDAYS[day.weekday()]} {day.isoformat()}"


def play_height(pdf: FPDF, ways: Sequence[tuple[str, str]]) -> float:
    return 8 + sum(height(pdf, f"{label}: {text}") + 1 for label, text in ways)


def play(pdf: FPDF, ways: Sequence[tuple[str, str]]) -> None:
    if room(pdf) < play_height(pdf, ways):
        pdf.add_page()
    heading(pdf, "To play each session", size=11)
    for label, text in ways:
        labelled(pdf, label, text)
