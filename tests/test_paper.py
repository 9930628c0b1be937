"""The program on paper: coach handout (a routine for the fridge) and coach report (the log for a therapist), through
the real PDF library, read back with poppler, an independent PDF reader (pdftotext, pdfinfo, pdffonts, pdfimages,
pdftoppm); and the log's data as CSV and JSON, parsed back with Python's csv and json. Hostile input: an empty log,
a period with nothing in it, a read-only folder, a full disk, a locked log, a FIFO at the target, Ctrl-C, a missing
library: one sentence each, nothing half-written."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest
from conftest import FakeClock, deps, run_cli
from PIL import Image
from test_hostile_writes import odd, refused, unharmed
from test_program import hold

from coach.catalog import builtin_sources
from coach.cli.deps import Clock
from coach.handout import Sheet, Step, handout
from coach.kinds import Shape, Side
from coach.logdata import COLUMNS, csv_text, json_text, log_rows
from coach.output.handout_pdf import GAP, PICTURE, Box, write_handout
from coach.output.pdf import MARGIN
from coach.papersize import Paper, locale_paper
from coach.picture.drawing import View
from coach.picture.pictures import routine_pictures
from coach.program import Entry
from coach.programlog import ProgramLog
from coach.progress import Summary, progress
from coach.routine import parse_routine

FRIDGE = """
title = "Fridge"
description = "A routine for the paper tests."

[program]
sessions_per_day = 3
days = 4
until = "it is fine"
reminder = "Skip it if anything is new, {sides}."

[strokes]
default = 6
range = [6, 9]
tempo = "medium"
bpm = { slow = 30, medium = 60, fast = 90 }
count = "Stroke {n}."
three_more = "Three to go, {n}."
last = "Last, {n}."
count_in = 1

[[strokes.steps]]
name = "press"
beats = 1
cue = "Press in, on your {side}."
short = "Press."

[[strokes.steps]]
name = "slide"
beats = 2
cue = "Slide toward your {other}."
short = "Slide."

[[phases]]
title = "Start"
intro = true
lines = [
    { text = "Welcome, {sides}.", shapes = ["teach"] },
    { text = "Not in pregnancy.", safety = "contraindications" },
]

[[phases]]
title = "Place, {side}"
each_side = true
shapes = ["teach", "refresh"]
lines = [
    { text = "Knees to your {other}.", shapes = ["teach"] },
    { text = "Knees over.", shapes = ["refresh"] },
    "Fingers beside the navel.",
]

[[phases]]
title = "Work, {side}"
each_side = true
strokes = true
lines = [
    { text = "Quick pulse rule.", safety = "pulse", shapes = ["quick"] },
    { text = "Sink in slowly.", shapes = ["teach", "refresh"] },
    { text = "A pulse: move outward.", safety = "pulse", shapes = ["teach", "refresh"] },
    { text = "Stop at sharp pain.", safety = "stop", shapes = ["teach"] },
]

[switch]
title = "Switch"
lines = ["Now your {side}."]

[summary]
one_side = "Did {strokes} on your {side}."
both_sides = "Did {strokes} a side."

[[phases]]
title = "End"
lines = [{ text = "See a doctor if it stays.", safety = "persists" }, "Done."]
"""

BERLIN = "Europe/Berlin"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """The fridge routine in the config dir (a handout needs no speech)."""
    folder = tmp_path / "config" / "routines"
    folder.mkdir(parents=True)
    (folder / "fridge.toml").write_text(FRIDGE)
    return tmp_path


def clock(wall: datetime = datetime(2026, 12, 9, 9, 30)) -> Clock:
    fake = FakeClock(wall)
    return Clock(now=fake.now, monotonic=fake.monotonic, sleep=fake.sleep, zone=lambda: BERLIN)


def run(*args: str, paper: Paper = Paper.A4, when: datetime = datetime(2026, 12, 9, 9, 30)):  # type: ignore[no-untyped-def]
    return run_cli(*args, deps=deps(clock=clock(when), paper=paper))


def poppler(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def lines(path: Path, page: int | None = None) -> list[str]:
    """The PDF's text as pdftotext lays it out, each line's spaces squeezed, empty lines left out."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    text = poppler("pdftotext", "-layout", *pages, str(path), "-")
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def info(path: Path) -> dict[str, str]:
    """pdfinfo's fields, dates as ISO 8601 with their offset."""
    said = poppler("pdfinfo", "-isodates", str(path)).splitlines()
    return {key: value.strip() for key, _, value in (line.partition(":") for line in said)}


def fonts(path: Path) -> list[tuple[str, str, str, str, str]]:
    """Each font: its name (without its subset tag), its type and encoding, and whether it is embedded, a subset and
    mapped to Unicode (so its text can be selected and copied)."""
    found = []
    for row in poppler("pdffonts", str(path)).splitlines()[2:]:
        name, *kind, emb, sub, uni, _obj, _gen = row.split()
        found.append((name.split("+", 1)[-1], " ".join(kind), emb, sub, uni))
    return found


def page_image(path: Path, page: int, dpi: int) -> np.ndarray:
    """A page rendered by pdftoppm, as an RGB array."""
    data = subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(path)],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.int16)


# -- the paper size ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "paper"),
    [
        ({}, Paper.A4),
        ({"LANG": "en_US.UTF-8"}, Paper.LETTER),
        ({"LANG": "en_GB.UTF-8"}, Paper.A4),
        ({"LANG": "fr_CA.UTF-8"}, Paper.LETTER),
        ({"LANG": "es_MX@euro"}, Paper.LETTER),
        ({"LANG": "de_DE.UTF-8"}, Paper.A4),
        ({"LANG": "C.UTF-8"}, Paper.A4),
        ({"LANG": "POSIX"}, Paper.A4),
        ({"LANG": "en_US.UTF-8", "LC_PAPER": "de_DE.UTF-8"}, Paper.A4),  # LC_PAPER before LANG
        ({"LANG": "de_DE.UTF-8", "LC_PAPER": "en_PH.UTF-8"}, Paper.LETTER),
        ({"LC_PAPER": "de_DE.UTF-8", "LC_ALL": "en_CA.UTF-8"}, Paper.LETTER),  # LC_ALL before everything
        ({"LC_ALL": "", "LC_PAPER": "en_US"}, Paper.LETTER),  # an empty variable is not set
    ],
)
def test_the_locale_chooses_the_paper(environ, paper):
    assert locale_paper(environ) is paper


# -- the handout's content (pure) ----------------------------------------------------------------------------------


def test_a_handout_is_made_of_the_routines_own_lines_steps_and_program():
    routine = parse_routine(FRIDGE, "fridge.toml", "fridge")
    right = handout(routine, Side.RIGHT, "fridge", date(2026, 12, 7))
    assert right.title == "Fridge, right side"
    assert right.steps == (
        Step("Place, right", "Knees to your left. Fingers beside the navel."),  # the teach lines only
        Step(
            "Work, right",
            "Sink in slowly.",
            "Each stroke (6 strokes a side, 6 to 9 advised):",
            ("Press in, on your right.", "Slide toward your left."),
        ),
    )  # fmt: skip
    assert right.safety == (  # every safety line of the teaching session, in full; not the quick one
        "Not in pregnancy.",
        "A pulse: move outward.",
        "Stop at sharp pain.",
        "See a doctor if it stays.",
        "Before each session: Skip it if anything is new, right side.",
    )
    assert right.sheet == Sheet(
        (Side.RIGHT,), 3,
        ((1, date(2026, 12, 7)), (2, date(2026, 12, 8)), (3, date(2026, 12, 9)), (4, date(2026, 12, 10))),
        (
            "The program: 3 sessions a day for 4 days, until it is fine.",
            "Tick a box for each session. Tenderness: how tender the spot was, 0 (not at all) to 10, after the day's "
            "last session. A side is done once it is at 1 or less on 3 days in a row.",
        ),
    )  # fmt: skip
    assert right.play == (
        (
            "Each session",
            "coach fridge --side right (the first session teaches everything, the first of each later day repeats the "
            "safety words, and the others that day are quick)",
        ),
        ("On a phone", "fridge-right.mp3 for the day's first session, fridge-right-quick.mp3 for the others (files of "
         "coach export)"),
    )  # fmt: skip
    both = handout(routine, Side.BOTH, "./fridge.toml")
    assert both.steps[-1] == Step(
        "Switch", "Now your left. Then steps 1 to 2 again on your left side, with right and left the other way round."
    )
    assert both.sheet is not None and both.sheet.sides == (Side.RIGHT, Side.LEFT)
    assert both.sheet.days[0] == (1, None)  # no start given: the dates are left to write in
    assert both.play[0][1].startswith("coach ./fridge.toml --side both (")
    assert both.play[1][1].startswith("fridge-both.mp3 for the day's first session, fridge-both-quick.mp3 for")


@pytest.mark.parametrize("source", builtin_sources(), ids=lambda source: source.name)
def test_every_shipped_routines_handout_has_each_safety_line_of_its_teaching_session(source):
    """Derived from the routine's data: whatever its lines become, each one tagged safety in the teaching session is
    on the handout in full, and each step's full words are under the strokes."""
    routine = source.load()
    for side in Side:
        made = handout(routine, side, source.name)
        first = side.sides[0]
        said = {"side": first, "other": first.other}
        for phase in (*routine.phases, routine.switch):
            for line in phase.lines:
                text = line.text
                if line.safety and Shape.TEACH in line.shapes and "{" not in text:
                    assert text in made.safety, (side, text)
                if line.safety and Shape.TEACH not in line.shapes and "{" not in text:
                    assert text not in made.safety, (side, text)
            if phase.strokes:
                cues = [
                    step.cue.replace("{side}", said["side"]).replace("{other}", said["other"]) for step in phase.steps
                ]
                assert any(list(step.stroke) == cues for step in made.steps), (side, cues)
        sided = [p for p in routine.phases if p.each_side and (p.strokes or Shape.TEACH in p.shapes)]
        assert len(made.steps) == len(sided) + (side is Side.BOTH)


# -- the handout on paper --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", builtin_sources(), ids=lambda source: source.name)
def test_every_shipped_routines_handout_is_two_pages_at_most(tmp_path, source):
    """For each side and both: its own words make the length, and none passes two pages. On Letter, the shorter
    page by 18 mm (A4 is narrower by 6 mm only: every one of these on A4 measured two pages too, 7 December 2026)."""
    routine = source.load()
    pictures = routine_pictures(source, routine)
    for side in Side:
        target = tmp_path / f"{side}.pdf"
        pngs = [pictures(single, View.STROKE).png() for single in side.sides]
        laid = write_handout(handout(routine, side, source.name, date(2026, 12, 7)), pngs, Paper.LETTER, target)
        assert int(info(target)["Pages"]) == laid.pages <= 2, side


def test_the_handout_reads_back_line_for_line(home):
    target = home / "fridge.pdf"
    result = run("handout", "fridge", "--side", "right", "-o", str(target), "--from", "2026-12-07")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "", f"Wrote {target}: Fridge, right side, 1 page of A4.\n"
    )  # fmt: skip
    assert lines(target) == [
        "Fridge, right side",
        "A routine for the paper tests.",
        "1. Place, right",
        "Knees to your left. Fingers beside the navel.",
        "2. Work, right",
        "Sink in slowly.",
        "Each stroke (6 strokes a side, 6 to 9 advised):",
        "• Press in, on your right.",
        "• Slide toward your left.",
        "Safety",
        "• Not in pregnancy.",
        "• A pulse: move outward.",
        "• Stop at sharp pain.",
        "• See a doctor if it stays.",
        "• Before each session: Skip it if anything is new, right side.",
        "Tick sheet",
        "The program: 3 sessions a day for 4 days, until it is fine.",
        "Tick a box for each session. Tenderness: how tender the spot was, 0 (not at all) to 10, after the day's",
        "last session. A side is done once it is at 1 or less on 3 days in a row.",
        "Right side: sessions Tender",
        "Day Date",
        "1 2 3 0-10",
        "1 Mon 2026-12-07",
        "2 Tue 2026-12-08",
        "3 Wed 2026-12-09",
        "4 Thu 2026-12-10",
        "To play each session",
        "Each session: coach fridge --side right (the first session teaches everything, the first of each later",
        "day repeats the safety words, and the others that day are quick)",
        "On a phone: fridge-right.mp3 for the day's first session, fridge-right-quick.mp3 for the others (files",
        "of coach export)",
        "Fridge, right side: handout · page 1 of 1",
    ]
    meta = info(target)
    assert (meta["Pages"], meta["Page size"], meta["Title"], meta["Creator"]) == (
        "1", "595.28 x 841.89 pts (A4)", "Fridge, right side", "coach 0.1.0"
    )  # fmt: skip
    assert meta["CreationDate"] == "2000-01-01T00:00:00Z"  # fixed: the same handout, the same bytes
    assert fonts(target) == [
        ("DejaVuSansBook", "CID TrueType Identity-H", "yes", "yes", "yes"),
        ("DejaVuSansBold", "CID TrueType Identity-H", "yes", "yes", "yes"),
    ]


def test_both_sides_on_letter_from_the_locale_and_the_same_bytes_whenever_made(home):
    target = home / "both.pdf"
    result = run("handout", "fridge", "--side", "both", "-o", str(target), paper=Paper.LETTER)
    assert result.stderr == f"Wrote {target}: Fridge, both sides, 2 pages of Letter.\n"
    assert (info(target)["Pages"], info(target)["Page size"]) == ("2", "612 x 792 pts (letter)")
    first, second = lines(target, 1), lines(target, 2)
    assert first[first.index("3. Switch") + 1] == (
        "Now your left. Then steps 1 to 2 again on your left side, with right and left the other way round."
    )
    assert second[:7] == [
        "Tick sheet",
        "The program: 3 sessions a day for 4 days, until it is fine.",
        "Tick a box for each session. Tenderness: how tender the spot was, 0 (not at all) to 10, after the day's",
        "last session. A side is done once it is at 1 or less on 3 days in a row.",
        "Right side: sessions Tender Left side: sessions Tender",
        "Day Date",
        "1 2 3 0-10 1 2 3 0-10",
    ]
    assert second[7:11] == ["1", "2", "3", "4"]  # no start date: each day's date is left to write in
    again = home / "again.pdf"
    later = run("handout", "fridge", "--side", "both", "-o", str(again), "--paper", "letter",
                when=datetime(2027, 3, 1, 18, 0))  # fmt: skip
    assert later.exit_code == 0
    assert again.read_bytes() == target.read_bytes()


def test_the_locale_sets_the_paper_and_paper_overrides_it(home, monkeypatch):
    target = home / "fridge.pdf"
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_PAPER", raising=False)
    assert run_cli("handout", "fridge", "--side", "left", "-o", str(target)).exit_code == 0  # deps from the environment
    assert info(target)["Page size"] == "612 x 792 pts (letter)"
    assert run_cli("handout", "fridge", "--side", "left", "-o", str(target), "--paper", "a4").exit_code == 0
    assert info(target)["Page size"] == "595.28 x 841.89 pts (A4)"


def picture_at(page: np.ndarray, box: Box, dpi: int) -> np.ndarray:
    x, y, size = (round(mm / 25.4 * dpi) for mm in (box.x, box.y, box.size))
    return page[y : y + size, x : x + size]


def drawn(png: bytes, pixels: int) -> np.ndarray:
    image = Image.open(io.BytesIO(png)).convert("RGB").resize((pixels, pixels), Image.Resampling.BOX)
    return np.asarray(image, dtype=np.int16)


def blocks(image: np.ndarray, n: int = 10) -> np.ndarray:
    """The image's grey levels averaged over squares of n pixels (2.5 mm at 100 dpi): a comparison that a shift of
    a pixel, as where a rendering puts a picture's edge, does not upset."""
    h = image.shape[0] // n * n
    grey = image[:h, :h].mean(axis=2)
    return grey.reshape(h // n, n, h // n, n).mean(axis=(1, 3))


def psoas_pictures():  # type: ignore[no-untyped-def]
    source = next(s for s in builtin_sources() if s.name == "psoas")
    routine = source.load()
    return routine, routine_pictures(source, routine)


@pytest.mark.parametrize("side", [Side.RIGHT, Side.BOTH])
def test_each_picture_is_where_the_layout_puts_it(tmp_path, side):
    """The layout says where each picture goes (one side: the top right corner; both: side by side under the
    title); the command's file is the same, byte for byte. Rendered by poppler at 100 dpi, each place holds its
    side's own picture, pixel for pixel within rendering's blur, not blank and not the other side's mirror image."""
    target = tmp_path / "psoas.pdf"
    assert run("handout", "psoas", "--side", str(side), "-o", str(target)).exit_code == 0
    routine, pictures = psoas_pictures()
    pngs = [pictures(single, View.STROKE).png() for single in side.sides]
    laid = write_handout(handout(routine, side, "psoas"), pngs, Paper.A4, tmp_path / "direct.pdf")
    assert (tmp_path / "direct.pdf").read_bytes() == target.read_bytes()
    if side is Side.RIGHT:
        assert laid.pictures == (Box(1, 210 - MARGIN - PICTURE, MARGIN, PICTURE),)
    else:
        left = (210 - 2 * PICTURE - GAP) / 2  # centred, each as large as one side's
        places = [(b.page, b.x, b.size) for b in laid.pictures]
        assert places == [(1, left, PICTURE), (1, left + PICTURE + GAP, PICTURE)]
        assert laid.pictures[0].y == laid.pictures[1].y > 30
    dpi = 100
    page = page_image(target, 1, dpi)
    assert page.shape == (1170, 827, 3)  # A4 at 100 dpi: 8.27 x 11.69 inches, rounded up
    others = {Side.RIGHT: Side.LEFT, Side.LEFT: Side.RIGHT}
    for box, single in zip(laid.pictures, side.sides, strict=True):
        seen = picture_at(page, box, dpi)
        ours = drawn(pictures(single, View.STROKE).png(), seen.shape[0])
        mirror = drawn(pictures(others[single], View.STROKE).png(), seen.shape[0])
        same, mirrored = np.abs(blocks(seen) - blocks(ours)).mean(), np.abs(blocks(seen) - blocks(mirror)).mean()
        assert same < 5, single  # the drawing itself (measured: 2.7)
        assert mirrored > same + 6, single  # not the other side's (measured: 13)
        assert np.abs(255 - blocks(seen)).mean() > 20, single  # and not blank paper (measured: 25)
    assert page[: round(MARGIN / 25.4 * dpi) - 5].min() == 255  # above the pictures, the top margin is white paper


# -- the report and the data -------------------------------------------------------------------------------------


def write_log(home: Path) -> None:
    """Two days of the fridge routine on both sides: finished sessions on each side and on both, one stopped early
    (2 of 6 strokes: it does not count), tenderness on sessions and one noted on its own on a day without a session
    on that side."""
    with ProgramLog(home / "data" / "log.sqlite3") as log:
        for side, hour, done, shape, finished, tender in (
            (Side.RIGHT, 8, (6,), "teach", True, None),
            (Side.LEFT, 10, (2,), "teach", False, None),
            (Side.BOTH, 12, (6, 6), "quick", True, 5),
        ):
            row = log.begin("fridge", side, 6 * len(side.sides), datetime(2026, 12, 7, hour), least=6, shape=shape)
            log.progress(row, done, side, tuple(range(sum(done))))
            log.end(row, finished, sum(done), datetime(2026, 12, 7, hour, 3), resume_phase=None if finished else 2)
            if tender is not None:
                log.set_tenderness(row, tender)
        row = log.begin("fridge", Side.RIGHT, 6, datetime(2026, 12, 8, 9), least=6, shape="refresh")
        log.progress(row, (6,), Side.RIGHT, tuple(range(6)))
        log.end(row, True, 6, datetime(2026, 12, 8, 9, 3))
        log.set_tenderness(row, 3)
        assert not log.note_tenderness("fridge", Side.LEFT, 2, datetime(2026, 12, 8, 20))  # on its own


CSV_ROWS = [
    ["time", "date", "routine", "side", "shape", "status", "strokes_done", "strokes_planned", "strokes_right",
     "strokes_left", "tenderness"],
    ["2026-12-07T08:00:00+01:00", "2026-12-07", "fridge", "right", "teach", "finished", "6", "6", "6", "", ""],
    ["2026-12-07T10:00:00+01:00", "2026-12-07", "fridge", "left", "teach", "stopped", "2", "6", "", "2", ""],
    ["2026-12-07T12:00:00+01:00", "2026-12-07", "fridge", "both", "quick", "finished", "12", "12", "6", "6", "5"],
    ["2026-12-08T09:00:00+01:00", "2026-12-08", "fridge", "right", "refresh", "finished", "6", "6", "6", "", "3"],
    ["2026-12-08T20:00:00+01:00", "2026-12-08", "fridge", "left", "", "logged", "", "", "", "", "2"],
]  # fmt: skip


def test_the_log_as_csv_opens_as_its_rows(home):
    write_log(home)
    result = run("report", "--csv")
    assert (result.exit_code, result.stderr) == (0, "")
    text = result.stdout_bytes.decode("utf-8")  # as written (click's stdout turns CRLF into LF)
    assert text.count("\r\n") == len(CSV_ROWS) and text.endswith("\r\n")  # RFC 4180's line ends
    assert list(csv.reader(io.StringIO(text, newline=""))) == CSV_ROWS
    target = home / "log.csv"
    written = run("report", "fridge", "-o", str(target), "--from", "2026-12-08")
    assert (written.exit_code, written.stdout, written.stderr) == (0, "", f"Wrote {target}: 2 rows.\n")
    with target.open(newline="") as file:
        assert list(csv.reader(file)) == [CSV_ROWS[0], *CSV_ROWS[4:]]


def test_the_log_as_json_holds_numbers_and_nulls(home):
    write_log(home)
    result = run("report", "--json", "--to", "2026-12-07")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["format"], data["columns"]) == (1, list(COLUMNS))
    assert data["entries"] == [
        {"time": "2026-12-07T08:00:00+01:00", "date": "2026-12-07", "routine": "fridge", "side": "right",
         "shape": "teach", "status": "finished", "strokes_done": 6, "strokes_planned": 6, "strokes_right": 6,
         "strokes_left": None, "tenderness": None},
        {"time": "2026-12-07T10:00:00+01:00", "date": "2026-12-07", "routine": "fridge", "side": "left",
         "shape": "teach", "status": "stopped", "strokes_done": 2, "strokes_planned": 6, "strokes_right": None,
         "strokes_left": 2, "tenderness": None},
        {"time": "2026-12-07T12:00:00+01:00", "date": "2026-12-07", "routine": "fridge", "side": "both",
         "shape": "quick", "status": "finished", "strokes_done": 12, "strokes_planned": 12, "strokes_right": 6,
         "strokes_left": 6, "tenderness": 5},
    ]  # fmt: skip
    target = home / "log.json"
    assert run("report", "-o", str(target)).stderr == f"Wrote {target}: 5 rows.\n"  # by the file's name
    assert [list(entry.values()) for entry in json.loads(target.read_text())["entries"]] == [
        [int(v) if v.isdigit() else v or None for v in row] for row in CSV_ROWS[1:]
    ]


def test_times_carry_the_offset_of_their_own_date_across_a_clock_change():
    from zoneinfo import ZoneInfo

    entries = [
        Entry(routine="psoas", side=Side.RIGHT, started=datetime(2026, 3, 28, 21, 0), strokes_done=8,
              strokes_planned=8, status="finished", shape="quick"),
        Entry(routine="psoas", side=Side.RIGHT, started=datetime(2026, 3, 29, 8, 0), strokes_done=8,
              strokes_planned=8, status="skipped"),
    ]  # fmt: skip
    rows = log_rows(entries, ZoneInfo(BERLIN))
    assert [row["time"] for row in rows] == ["2026-03-28T21:00:00+01:00", "2026-03-29T08:00:00+02:00"]
    assert rows[1]["status"] == "skipped"  # a status the log may record later passes through as it is
    assert csv_text([]) == ",".join(COLUMNS) + "\r\n"
    assert json.loads(json_text([])) == {"format": 1, "columns": list(COLUMNS), "entries": []}


REPORT_LINES = [
    "Progress report",
    "From the coach program log, made on 2026-12-09 at 09:30.",
    "Fridge (fridge)",
    "From 2026-12-07 to 2026-12-09 (3 days). The program: 3 sessions a day for 4 days, until it is fine.",
    "2 of 3 days, 3 of 9 sessions on the right side; tenderness 5 to 3",
    "1 of 3 days, 1 of 9 sessions on the left side; tenderness 5 to 2",
    "Strokes done: 18 on the right side, 8 on the left side.",
]
TABLE_LINES = [
    "Right side Left side",
    "Date Day Stopped Notes",
    "sessions strokes tender sessions strokes tender",
    "2026-12-07 1 2/3 12 5 1/3 8 5 1",
    "2026-12-08 2 1/3 6 3 0/3 0 2",
    "2026-12-09: nothing logged (1 day)",
    "Total 3/9 18 1/9 8 1",
    "Sessions stopped early (1):",
    "2026-12-07 10:00, left side: 2 of 6 strokes.",
    "A session counts on a side once it reached the routine's fewest advised strokes there; sessions on",
    "both sides count on each. Tenderness is the day's last note for the side, 0 (none) to 10.",
    "coach progress report · page 1 of 1",
]


def test_the_report_reads_back_figure_for_figure(home):
    """Today is 2026-12-09, day 3 of the 4-day program: the period runs to today, whose sessions are still missing."""
    write_log(home)
    target = home / "report.pdf"
    result = run("report", "-o", str(target))
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "",
        f"Wrote {target}: 1 page of A4.\n"
        "fridge, 2026-12-07 to 2026-12-09: 2 of 3 days, 3 of 9 sessions on the right side; tenderness 5 to 3\n"
        "fridge, 2026-12-07 to 2026-12-09: 1 of 3 days, 1 of 9 sessions on the left side; tenderness 5 to 2\n",
    )
    text = lines(target)
    assert text[: len(REPORT_LINES)] == REPORT_LINES
    plot = text[len(REPORT_LINES) : -len(TABLE_LINES)]
    assert plot == []  # the plot's words are drawn as outlines: every figure it shows is in the table, as text
    assert text[-len(TABLE_LINES) :] == TABLE_LINES
    assert info(target)["Pages"] == "1"
    assert info(target)["CreationDate"] == "2026-12-09T09:30:00+01"  # when it was made, by the clock
    assert fonts(target) == [  # the plot's words are outlines, not text in a font of matplotlib's
        ("DejaVuSansBook", "CID TrueType Identity-H", "yes", "yes", "yes"),
        ("DejaVuSansBold", "CID TrueType Identity-H", "yes", "yes", "yes"),
    ]
    assert poppler("pdfimages", "-list", str(target)).splitlines()[2:] == []  # the plot is vector drawing
    page = page_image(target, 1, 100)
    top = round((MARGIN + 62) / 25.4 * 100)  # below the summary lines: the plot's 64 mm
    drawing = page[top : top + round(60 / 25.4 * 100), 100:700]
    assert (drawing.min(axis=2) < 128).mean() > 0.01  # its axes, bars and lines
    red = (drawing[..., 0] > 150) & (drawing[..., 1] < 110) & (drawing[..., 2] < 110)
    blue = (drawing[..., 2] > 150) & (drawing[..., 0] < 120)
    assert red.sum() > 200 and blue.sum() > 200  # each side's tenderness line, in its colour


def test_a_period_of_its_own_and_the_same_bytes_for_the_same_clock(home):
    write_log(home)
    target, again = home / "one.pdf", home / "two.pdf"
    assert run("report", "fridge", "--from", "2026-12-08", "--to", "2026-12-08", "-o", str(target)).exit_code == 0
    assert lines(target)[3:6] == [
        "From 2026-12-08 to 2026-12-08 (1 day). The program: 3 sessions a day for 4 days, until it is fine.",
        "1 of 1 day, 1 of 3 sessions on the right side; tenderness 3 (one note)",
        "0 of 1 day, 0 of 3 sessions on the left side; tenderness 2 (one note)",
    ]
    assert run("report", "fridge", "--from", "2026-12-08", "--to", "2026-12-08", "-o", str(again)).exit_code == 0
    assert again.read_bytes() == target.read_bytes()


def test_progress_days_and_summaries_from_entries():
    """The pure core: a routine with no program counts sessions without a target; the day a side is called done
    is marked; a reminder skipped is counted, never taken for a session."""

    def entry(day: int, side: Side, tender: int | None, status: str = "finished") -> Entry:
        done = 8 if status == "finished" else 0
        return Entry(routine="psoas", side=side, started=datetime(2026, 12, day, 9), strokes_done=done,
                     strokes_planned=8, status=status, tenderness=tender, least=6)  # fmt: skip

    entries = [entry(d, Side.RIGHT, t) for d, t in ((1, 2), (2, 1), (3, 1), (4, 0))]
    entries.append(entry(4, Side.RIGHT, None, "skipped"))
    report = progress(entries, {"psoas": None}, date(2026, 12, 4), datetime(2026, 12, 4, 20))
    (psoas,) = report.routines
    assert (psoas.title, psoas.program, psoas.first, psoas.last, psoas.sides) == (
        "psoas", None, date(2026, 12, 1), date(2026, 12, 4), (Side.RIGHT,)
    )  # fmt: skip
    assert [(row.day.day, row.number, row.sides[0].sessions, row.sides[0].done, row.skipped) for row in psoas.rows] == [
        (1, 1, 1, False, 0), (2, 2, 1, False, 0), (3, 3, 1, False, 0), (4, 4, 1, True, 1),
    ]  # fmt: skip
    assert psoas.done == ((Side.RIGHT, date(2026, 12, 4)),)
    assert psoas.summaries[0].text() == "4 of 4 days, 4 sessions on the right side; tenderness 2 to 0"
    assert psoas.skipped == 1
    assert (
        Summary(Side.LEFT, 3, 0, 0, 6, ()).text()
        == "0 of 3 days, 0 of 18 sessions on the left side; no tenderness noted"
    )
    assert (
        Summary(Side.LEFT, 1, 1, 1, None, (3,)).text()
        == "1 of 1 day, 1 session on the left side; tenderness 3 (one note)"
    )


# -- hostile input -------------------------------------------------------------------------------------------------


def test_an_empty_log_is_a_report_that_says_so(home):
    target = home / "report.pdf"
    result = run("report", "-o", str(target))
    assert (result.exit_code, result.stderr) == (0, f"Wrote {target}: 1 page of A4.\nNo sessions are logged yet.\n")
    assert lines(target) == [
        "Progress report",
        "From the coach program log, made on 2026-12-09 at 09:30.",
        "No sessions are logged yet.",
        "coach progress report · page 1 of 1",
    ]
    assert run("report", "--csv").stdout_bytes == (",".join(COLUMNS) + "\r\n").encode()
    named = run("report", "fridge", "-o", str(target))
    assert named.stderr == f"Wrote {target}: 1 page of A4.\nNo sessions of fridge are logged yet.\n"


def test_a_period_with_nothing_in_it_is_a_report_that_says_so(home):
    write_log(home)
    target = home / "report.pdf"
    result = run("report", "--from", "2027-01-01", "--to", "2027-01-31", "-o", str(target))
    said = "Nothing is logged from 2027-01-01 to 2027-01-31."
    assert (result.exit_code, result.stderr) == (0, f"Wrote {target}: 1 page of A4.\n{said}\n")
    assert lines(target)[2] == said
    assert json.loads(run("report", "--json", "--from", "2027-01-01").stdout)["entries"] == []
    assert lines(target)[2] == said
    late = run("report", "fridge", "--from", "2026-12-10", "-o", str(target))
    assert late.stderr.splitlines()[1] == "Nothing is logged from 2026-12-10 on."


NOT_A_DAY = "is not a day written as YYYY-MM-DD, such as 2026-12-07."


def usage(command: str, problem: str) -> str:
    arguments = "[ROUTINE]" if command == "report" else "ROUTINE"
    return f"Usage: coach {command} [OPTIONS] {arguments}\nTry 'coach {command} --help' for help.\n\nError: {problem}\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["handout", "fridge", "--side", "right", "-o", "fridge.png"],
         "Error: Cannot write fridge.png: a handout's file name ends in .pdf.\n"),
        (["report", "-o", "report.txt"],
         "Error: Cannot write report.txt: the file name must end in .pdf, .csv or .json.\n"),
        (["report", "--csv", "-o", "log.json"], "Error: Cannot write log.json as CSV: name it .csv.\n"),
        (["report"], usage("report", "Give -o FILE.pdf for the report, or --csv or --json for the log's data.")),
        (["report", "--csv", "--json"], usage("report", "Choose one of --csv and --json.")),
        (["report", "--csv", "--paper", "a4"], usage("report", "--paper is for a PDF report.")),
        (["report", "--csv", "--from", "2026-12-08", "--to", "2026-12-07"],
         usage("report", "--from 2026-12-08 comes after --to 2026-12-07.")),
        (["report", "--csv", "--from", "2026-13-01"],
         usage("report", f"Invalid value for '--from': '2026-13-01' {NOT_A_DAY}")),
        (["handout", "fridge", "--side", "right", "-o", "f.pdf", "--from", "7.12.2026"],
         usage("handout", f"Invalid value for '--from': '7.12.2026' {NOT_A_DAY}")),
        (["handout", "fridge", "--side", "auto", "-o", "f.pdf"],
         usage("handout", "Invalid value for '--side': 'auto' is not one of 'right', 'left', 'both'.")),
    ],
)  # fmt: skip
def test_a_wrong_name_or_option_is_one_sentence_and_writes_nothing(home, monkeypatch, args, message):
    monkeypatch.chdir(home)
    before = sorted(os.listdir(home))
    result = run(*args)
    assert (result.exit_code != 0, result.stdout, result.stderr) == (True, "", message)
    assert sorted(os.listdir(home)) == before


@pytest.mark.parametrize("kind", ["fifo", "device", "link"])
@pytest.mark.parametrize("command", ["handout", "report", "csv"])
def test_a_target_that_is_not_a_file_is_refused_and_left_alone(home, kind, command):
    write_log(home)
    target, called = odd(home / f"out.{'csv' if command == 'csv' else 'pdf'}", kind)
    args = {"handout": ["handout", "fridge", "--side", "right"], "report": ["report"], "csv": ["report", "--csv"]}
    refused(run(*args[command], "-o", str(target)), target, called)
    unharmed(target, kind)


def test_a_read_only_folder_and_a_full_disk_are_one_sentence_and_leave_nothing(home, tmpfs):
    write_log(home)
    small = tmpfs("small", "64k")
    target = small / "psoas.pdf"
    full = run("handout", "psoas", "--side", "right", "-o", str(target))  # about 100 KB: it does not fit
    assert (full.exit_code, full.stderr) == (
        1, f"Error: Could not write {target}: the disk is full (0 KB free in {small}).\n"
    )  # fmt: skip
    assert os.listdir(small) == []
    subprocess.run(["mount", "-o", "remount,ro", str(small)], check=True)
    for args in (["handout", "fridge", "--side", "left"], ["report"]):
        result = run(*args, "-o", str(target))
        assert (result.exit_code, result.stderr) == (
            1, f"Error: Cannot write {target}: the folder {small} is not writable (or is read-only).\n"
        ), args  # fmt: skip
    assert os.listdir(small) == []


def test_a_locked_log_is_one_sentence_and_writes_nothing(home, tmp_path):
    """Another program made the log and holds it with an exclusive lock (as tests/test_program.py's holder does)."""
    path = home / "data" / "log.sqlite3"
    path.parent.mkdir(parents=True)
    script = tmp_path / "holder.py"
    holder = hold(script, path)
    try:
        who = f"another program (pid {holder.pid}: {sys.executable} {script} {path})"
        for args in (["report", "-o", str(home / "report.pdf")], ["report", "--csv", "-o", str(home / "log.csv")]):
            result = run(*args)
            assert (result.exit_code, result.stdout, result.stderr) == (
                1, "", f"Error: The program log {path} is held locked by {who}: close it, then run this again.\n"
            ), args  # fmt: skip
    finally:
        holder.communicate("", timeout=30)
    assert sorted(p.name for p in home.iterdir()) == ["config", "data", "holder.py"]  # no report, no CSV


def test_ctrl_c_while_writing_leaves_the_earlier_file_as_it_was(home, monkeypatch):
    """Ctrl-C as the PDF is being put together (simulated where fpdf2 writes its bytes): the earlier handout at the
    target stays whole, and no temp file is left beside it."""
    from fpdf import FPDF

    target = home / "fridge.pdf"
    assert run("handout", "fridge", "--side", "right", "-o", str(target)).exit_code == 0
    before = target.read_bytes()

    def interrupted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(FPDF, "output", interrupted)
    result = run("handout", "fridge", "--side", "left", "-o", str(target))
    assert (result.exit_code, result.stderr) == (130, "Stopped.\n")
    assert target.read_bytes() == before
    assert sorted(p.name for p in home.iterdir()) == ["config", "fridge.pdf"]


def test_without_the_paper_extra_each_says_how_to_install_it(home, monkeypatch):
    write_log(home)
    monkeypatch.setitem(sys.modules, "fpdf", None)  # what an install without the paper extra gives: ImportError
    for args in (["handout", "fridge", "--side", "right", "-o", "h.pdf"], ["report", "-o", "r.pdf"]):
        result = run(*args)
        assert (result.exit_code, result.stderr) == (
            1, "Error: Printing needs fpdf2, which is not installed: pip install 'coach[paper]' adds it.\n"
        ), args  # fmt: skip
    monkeypatch.delitem(sys.modules, "fpdf")
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = run("report", "-o", str(home / "r.pdf"))
    assert (result.exit_code, result.stderr) == (
        1, "Error: The report's plot needs matplotlib, which is not installed: pip install 'coach[paper]' adds it.\n"
    )  # fmt: skip
    assert run("report", "--csv").exit_code == 0  # the data needs neither
    assert sorted(p.name for p in home.iterdir()) == ["config", "data"]


def test_a_routine_since_removed_is_reported_by_the_name_the_log_holds(home):
    """Its program is not known any more: its sessions are counted without a target."""
    with ProgramLog(home / "data" / "log.sqlite3") as log:
        row = log.begin("gone", Side.RIGHT, 8, datetime(2026, 12, 8, 9), least=6, shape="teach")
        log.progress(row, (8,), Side.RIGHT, tuple(range(8)))
        log.end(row, True, 8, datetime(2026, 12, 8, 9, 4))
        log.set_tenderness(row, 4)
    target = home / "gone.pdf"
    result = run("report", "gone", "-o", str(target))
    assert result.stderr.splitlines()[1] == (
        "gone, 2026-12-08 to 2026-12-08: 1 of 1 day, 1 session on the right side; tenderness 4 (one note)"
    )
    assert lines(target)[2:4] == ["gone (gone)", "From 2026-12-08 to 2026-12-08 (1 day)."]
    unknown = run("report", "nothing", "--csv")
    assert (unknown.exit_code, unknown.stderr.splitlines()[-1]) == (
        2, "Error: No routine named 'nothing'. Routines: fridge, iliacus, psoas, psoas-gentle, psoas-partner."
    )  # fmt: skip
