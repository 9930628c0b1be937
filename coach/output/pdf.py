"""Printed pages, at the edge: a document on A4 or Letter through fpdf2, set in DejaVu Sans (the fonts the pictures
are drawn with), embedded as subsets so the text is selectable and prints the same anywhere, and written
atomically (coach.atomic): nothing half-written on a failure or Ctrl-C, and a FIFO or a device at the target is
refused.

fpdf2 is the `paper` extra (docs/design/paper.md says why it, and not reportlab or matplotlib's own PDF backend).
Given the same content and the same creation date, it writes the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from coach import __version__
from coach.atomic import write_bytes
from coach.errors import CoachError
from coach.papersize import Paper
from coach.picture.render import PictureError, font_files

if TYPE_CHECKING:
    from fpdf import FPDF

MISSING = "Printing needs fpdf2, which is not installed: pip install 'coach[paper]' adds it."
NO_FONT = "Printing needs the DejaVu Sans font, which is not installed: install fonts-dejavu-core (Debian, Ubuntu)."
FAMILY = "DejaVu"
MARGIN = 14.0  # mm on every side
BODY = 10.0  # points
LINE = 4.6  # mm a line of body text takes
BULLET = 4.0  # mm from a bullet to its text
HAIRLINE = 0.25  # mm, a table's rules
INK = (0, 0, 0)
GREY = (95, 95, 95)
RULE = (150, 150, 150)
WARN = (160, 20, 20)  # the safety words' heading and bar


@contextmanager
def document(paper: Paper, title: str, made: datetime, footer: str) -> Iterator[FPDF]:
    """An empty document on `paper`, with its fonts, its title and creation date in its properties, and each page's
    footer: `footer` and the page's number. Its font files are closed however the block ends (fpdf2 closes them
    once it has written the document; a document never written would leave them open)."""
    pdf = _document(paper, title, made, footer)
    try:
        yield pdf
    finally:
        for font in pdf.fonts.values():
            close = getattr(font, "close", None)
            if close is not None:
                close()


def _document(paper: Paper, title: str, made: datetime, footer: str) -> FPDF:
    try:
        from fpdf import FPDF
    except ImportError:
        raise CoachError(MISSING) from None

    class Pages(FPDF):
        def footer(self) -> None:
            self.set_y(-MARGIN + 4)
            self.set_font(FAMILY, size=7.5)
            self.set_text_color(*GREY)
            self.cell(0, 4, f"{footer} · page {self.page_no()} of {{nb}}", align="C")
            self.set_text_color(*INK)

    try:
        regular, bold = font_files()
    except PictureError:
        raise CoachError(NO_FONT) from None
    pdf = Pages(unit="mm", format=paper.millimetres)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, MARGIN)
    pdf.add_font(FAMILY, "", regular)
    pdf.add_font(FAMILY, "B", bold)
    pdf.set_title(title)
    pdf.set_creator(f"coach {__version__}")
    pdf.set_lang("en")
    pdf.set_creation_date(made)
    pdf.set_font(FAMILY, size=BODY)
    pdf.set_line_width(HAIRLINE)
    return pdf


def width(pdf: FPDF) -> float:
    """The width between the margins."""
    return float(pdf.w - pdf.l_margin - pdf.r_margin)


def room(pdf: FPDF) -> float:
    """The height left on the page, above the bottom margin."""
    return float(pdf.page_break_trigger - pdf.get_y())


def heading(pdf: FPDF, text: str, size: float = 13.0, colour: tuple[int, int, int] = INK) -> None:
    pdf.set_font(FAMILY, "B", size)
    pdf.set_text_color(*colour)
    pdf.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font(FAMILY, size=BODY)
    pdf.ln(1.5)


def paragraph(pdf: FPDF, text: str, *, indent: float = 0.0, wide: float = 0.0, bold: bool = False) -> None:
    """Text wrapped to `wide` mm (the width between the margins when 0), `indent` mm from the left margin."""
    pdf.set_font(FAMILY, "B" if bold else "", BODY)
    pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell((wide or width(pdf)) - indent, LINE, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=BODY)


def bullet(pdf: FPDF, text: str, *, indent: float = 0.0, wide: float = 0.0) -> None:
    """A bulleted paragraph: the bullet `indent` mm in, the text after it, its later lines under its first."""
    pdf.set_font(FAMILY, size=BODY)
    pdf.set_x(pdf.l_margin + indent)
    pdf.cell(BULLET, LINE, "•")
    paragraph(pdf, text, indent=indent + BULLET, wide=wide)


def height(pdf: FPDF, text: str, *, indent: float = 0.0, wide: float = 0.0) -> float:
    """The height `paragraph` would take for the text, in mm."""
    pdf.set_font(FAMILY, size=BODY)
    lines = pdf.multi_cell((wide or width(pdf)) - indent, LINE, text, align="L", dry_run=True, output="LINES")
    assert isinstance(lines, list)
    return float(len(lines) * LINE)


def labelled(pdf: FPDF, label: str, text: str) -> None:
    """A line that starts with a label in bold: "Each session: coach psoas --side right ..."."""
    pdf.set_font(FAMILY, "B", BODY)
    pdf.write(LINE, f"{label}: ")
    pdf.set_font(FAMILY, size=BODY)
    pdf.write(LINE, text)
    pdf.ln(LINE + 1)


def save(pdf: FPDF, path: Path) -> None:
    """The document, written to `path` at once and whole (the command's result)."""
    write_bytes(path, bytes(pdf.output()), final=True)
