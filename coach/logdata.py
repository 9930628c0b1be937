"""The program log as data (pure): one row per logged session and per tenderness noted on its own, with a stable
set of columns, as CSV (for a spreadsheet) or JSON (for another program).

The columns, in order (README.md and docs/design/paper.md describe them; a new column only ever goes at the end,
and FORMAT goes up if one ever changes its meaning):

  time             when it started: local date and time with its UTC offset, ISO 8601 (2026-12-07T08:00:00+01:00)
  date             the local date (2026-12-07)
  routine          the routine's name (psoas)
  side             right, left or both
  shape            teach, refresh or quick; empty for a tenderness noted on its own, or in a log from before shapes
  status           finished; stopped (ended early); started (its process ended before it could say how it ended:
                   read as stopped); logged (a tenderness noted on its own, with coach log); and any other status
                   the log records, such as a reminder skipped
  strokes_done     the strokes done, on every side worked; empty for a tenderness noted on its own
  strokes_planned  the strokes planned, on every side worked; empty for a tenderness noted on its own
  strokes_right    the strokes done on the right side; empty where it was not worked
  strokes_left     the strokes done on the left side; empty where it was not worked
  tenderness       0 to 10; empty where none was noted
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime, tzinfo

from coach.kinds import Side
from coach.program import Entry

COLUMNS = (
    "time", "date", "routine", "side", "shape", "status", "strokes_done", "strokes_planned", "strokes_right",
    "strokes_left", "tenderness",
)  # fmt: skip
FORMAT = 1  # the JSON's "format": the columns above, with these meanings

Value = str | int | None
Row = dict[str, Value]


def within(entries: Iterable[Entry], first: date | None, last: date | None) -> list[Entry]:
    """The entries from `first` to `last`, both days included (None: no bound)."""
    return [
        e
        for e in entries
        if (first is None or e.started.date() >= first) and (last is None or e.started.date() <= last)
    ]


def local(when: datetime, zone: tzinfo | None) -> datetime:
    """A time the log holds (local, without an offset) with its offset: in `zone`, or by the system's rules."""
    return when.replace(tzinfo=zone) if zone is not None else when.astimezone()


def log_rows(entries: Sequence[Entry], zone: tzinfo | None) -> list[Row]:
    """A row for each entry, oldest first, by the columns above."""
    rows: list[Row] = []
    for e in sorted(entries, key=lambda e: e.started):
        sides = e.side.sides
        strokes = {side: e.done_on(side) if e.is_session and side in sides else None for side in Side.BOTH.sides}
        row: Row = {
            "time": local(e.started, zone).isoformat(timespec="seconds"),
            "date": e.started.date().isoformat(),
            "routine": e.routine,
            "side": str(e.side),
            "shape": e.shape or None,
            "status": e.status,
            "strokes_done": e.strokes_done if e.is_session else None,
            "strokes_planned": e.strokes_planned if e.is_session else None,
            "strokes_right": strokes[Side.RIGHT],
            "strokes_left": strokes[Side.LEFT],
            "tenderness": e.tenderness,
        }
        rows.append(row)
    return rows


def csv_text(rows: Sequence[Row]) -> str:
    """The rows as CSV: a header of the columns, then a line for each row (an empty field where there is no value),
    lines ending in CRLF as RFC 4180 has them."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows({key: "" if value is None else value for key, value in row.items()} for row in rows)
    return out.getvalue()


def json_text(rows: Sequence[Row]) -> str:
    """The rows as JSON: {"format": 1, "columns": [...], "entries": [{column: value, ...}, ...]}, where a missing
    value is null and the strokes and tenderness are numbers; an entry a line."""
    head = json.dumps({"format": FORMAT, "columns": list(COLUMNS)})[:-1]
    entries = ",\n".join(f"  {json.dumps(row)}" for row in rows)
    return f'{head},\n "entries": [\n{entries}\n ]}}\n' if rows else f'{head}, "entries": []}}\n'
