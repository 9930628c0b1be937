"""Compare PDF libraries on a page like coach's handout: speed, size, same bytes, fonts embedded, text selectable, a
matplotlib plot as vector, and what each adds to an install.

Run with any Python that has the libraries to compare (fpdf2, reportlab, matplotlib: each is tried, and skipped when
missing); it needs poppler's pdffonts, pdftotext and pdfimages:

    python scripts/compare_pdf_libraries.py

Figures for docs/design/paper.md. Each library sets the same page: a title, nine paragraphs in DejaVu Sans, the
psoas picture (a PNG), a 14-row table, and a plot of tenderness by day; "s" is the seconds to import the library
and make the page (the plot included) in a fresh process; "same bytes" makes the page again a second later and
compares. "Install" is the size of the library's own files and those of the packages it
brings that coach does not otherwise install (numpy aside, which coach has); "own" the library's alone.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
TEXT = [
    "Let both knees fall to your left: that moves your belly aside.",
    "Put the fingertips of both hands side by side, just to the right of your navel.",
    "Lift your head a little, and find the outer edge of the firm six-pack muscle. Rest your head, and move two "
    "finger-widths outward: your starting spot.",
] * 3
DAYS = list(range(1, 15))
TENDER = [6, 6, 5, 5, 4, 4, 4, 3, 3, 2, 2, 2, 1, 1]
FIXED = datetime(2000, 1, 1, tzinfo=UTC)
DEPENDS = {  # what each brings beyond coach's own dependencies (numpy is coach's)
    "fpdf2": ["fpdf2", "fonttools", "pillow"],
    "reportlab": ["reportlab", "pillow", "charset-normalizer"],
    "matplotlib": ["matplotlib", "fonttools", "pillow", "contourpy", "cycler", "kiwisolver", "packaging",
                   "pyparsing", "python-dateutil"],
}  # fmt: skip


def picture() -> bytes:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from coach.kinds import Side
    from coach.picture.drawing import View, draw
    from coach.picture.figures import FIGURES
    from coach.picture.render import render_png

    return render_png(draw(FIGURES["psoas"], Side.RIGHT, View.STROKE))


def plot_svg() -> bytes:
    import matplotlib
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 2.5))
    axes = figure.subplots()
    axes.plot(DAYS, TENDER, marker="o")
    axes.set_ylim(0, 10)
    out = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "coach"}):
        figure.savefig(out, format="svg", metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    return out.getvalue()


def with_fpdf2(path: Path, png: bytes) -> str:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED)
    pdf.add_font("DejaVu", "", FONT)
    pdf.add_font("DejaVu", "B", BOLD)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 18)
    pdf.cell(0, 10, "Psoas release, right side", new_x="LMARGIN", new_y="NEXT")
    pdf.image(io.BytesIO(png), x=130, y=20, w=65)
    pdf.set_font("DejaVu", "", 10)
    for i, text in enumerate(TEXT, 1):
        pdf.multi_cell(110, 5, f"{i}. {text}", new_x="LMARGIN", new_y="NEXT")
    with pdf.table(col_widths=(10, 25, *(8,) * 6, 20)) as table:
        table.row(["day", "date", *map(str, range(1, 7)), "tender"])
        for day in DAYS:
            table.row([str(day), f"2026-12-{6 + day:02d}", *[""] * 7])
    pdf.add_page()
    pdf.image(io.BytesIO(plot_svg()), x=10, y=20, w=180)  # matplotlib's SVG, as vector drawing
    pdf.output(str(path))
    return "yes (SVG)"


def with_reportlab(path: Path, png: bytes) -> str:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Table

    pdfmetrics.registerFont(TTFont("DejaVu", FONT))
    pdfmetrics.registerFont(TTFont("DejaVu-Bold", BOLD))
    doc = SimpleDocTemplate(str(path), pagesize=A4, invariant=1, initialFontName="DejaVu")
    title = ParagraphStyle("title", fontName="DejaVu-Bold", fontSize=18, leading=22)
    body = ParagraphStyle("body", fontName="DejaVu", fontSize=10, leading=12)
    story = [Paragraph("Psoas release, right side", title), Image(io.BytesIO(png), 65 * mm, 65 * mm)]
    story += [Paragraph(f"{i}. {text}", body) for i, text in enumerate(TEXT, 1)]
    rows = [["day", "date", *map(str, range(1, 7)), "tender"], *([str(d), "", *[""] * 7] for d in DAYS)]
    story.append(Table(rows, style=[("FONT", (0, 0), (-1, -1), "DejaVu", 9)]))
    try:  # reportlab draws SVG only through svglib (and lxml, cssselect2, tinycss2, rlPyCairo and pycairo)
        from svglib.svglib import svg2rlg

        story.append(svg2rlg(io.BytesIO(plot_svg())))
        vector = "with svglib"
    except ImportError:
        import matplotlib
        from matplotlib.figure import Figure

        matplotlib.use("Agg")
        figure = Figure(figsize=(7, 2.5))
        figure.subplots().plot(DAYS, TENDER, marker="o")
        raster = io.BytesIO()
        figure.savefig(raster, format="png", dpi=200)
        raster.seek(0)
        story.append(Image(raster, 170 * mm, 61 * mm))
        vector = "no (a PNG; SVG needs svglib)"
    doc.build(story)
    return vector


def with_matplotlib(path: Path, png: bytes) -> str:
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    matplotlib.rcParams["pdf.fonttype"] = 42  # TrueType, not Type 3, so text can be selected
    figure = Figure(figsize=(8.27, 11.69))
    figure.text(0.06, 0.95, "Psoas release, right side", fontsize=18, weight="bold")
    image = figure.add_axes((0.6, 0.7, 0.33, 0.23))
    image.imshow(matplotlib.image.imread(io.BytesIO(png)))
    image.axis("off")
    for i, text in enumerate(TEXT, 1):  # no wrapping, no flowing: each line placed by hand
        figure.text(0.06, 0.9 - 0.03 * i, f"{i}. {text[:60]}", fontsize=10)
    table = figure.add_axes((0.06, 0.1, 0.88, 0.3))
    table.axis("off")
    table.table(cellText=[[str(d), "", *[""] * 7] for d in DAYS], loc="center")
    figure.add_axes((0.1, 0.45, 0.8, 0.15)).plot(DAYS, TENDER, marker="o")
    with PdfPages(path, metadata={"CreationDate": None}) as pages:
        pages.savefig(figure)
    return "yes (its own)"


LIBRARIES = {"fpdf2": ("fpdf", with_fpdf2), "reportlab": ("reportlab", with_reportlab),
             "matplotlib": ("matplotlib", with_matplotlib)}  # fmt: skip


def installed_mb(names: list[str]) -> float:
    total = 0
    for name in names:
        try:
            files = importlib.metadata.distribution(name).files or []
        except importlib.metadata.PackageNotFoundError:
            continue
        paths = [Path(file.locate()) for file in files]
        total += sum(path.stat().st_size for path in paths if path.exists())
    return total / 1e6


def one(name: str, path: Path) -> None:
    """In a fresh process: import, make the page, print the seconds."""
    png = picture()
    start = time.perf_counter()
    _, make = LIBRARIES[name]
    vector = make(path, png)  # its imports included
    print(f"{time.perf_counter() - start:.2f} {vector}")


def poppler(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        one(sys.argv[2], Path(sys.argv[3]))
        return
    print(f"{'library':<11} {'version':<8} {'s':>5} {'size KB':>8} {'same':>5} "
          f"{'fonts embedded':<16} {'text':<5} {'own MB':>6} {'install MB':>10}  plot as vector")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        for name, (module, _) in LIBRARIES.items():
            try:
                __import__(module)
            except ImportError:
                print(f"{name:<11} not installed")
                continue
            runs = []
            for n in range(2):
                path = Path(folder) / f"{name}-{n}.pdf"
                said = poppler(sys.executable, __file__, "--one", name, str(path)).split(maxsplit=1)
                runs.append((path, said))
                time.sleep(1.1)
            (first, (seconds, vector)), (second, _) = runs
            digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (first, second)}
            fonts = poppler("pdffonts", str(first)).splitlines()[2:]
            embedded = sum(row.split()[-5] == "yes" for row in fonts)
            text = "yes" if "Psoas release, right side" in poppler("pdftotext", str(first), "-") else "no"
            version = importlib.metadata.version(name)
            print(f"{name:<11} {version:<8} {seconds:>5} {first.stat().st_size // 1024:>8} "
                  f"{'yes' if len(digests) == 1 else 'no':>5} {f'{embedded} of {len(fonts)}':<16} {text:<5} "
                  f"{installed_mb([name]):>6.1f} {installed_mb(DEPENDS[name]):>10.1f}  {vector.strip()}")  # fmt: skip


if __name__ == "__main__":
    main()
