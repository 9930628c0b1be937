"""Write a sample program log, two weeks of psoas from 2026-11-23, through coach's own ProgramLog: the log behind
the report shown in README.md (`make paper`). The right side every day but two, six sessions a day on most; the left
side from the third day, its program called done on the last three days; two sessions stopped early; a tenderness
noted on its own on a day without a session.

    python scripts/demo_log.py DATA_DIR      (then COACH_DATA_DIR=DATA_DIR coach report psoas -o report.pdf)
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta
from pathlib import Path

from coach.kinds import Side
from coach.programlog import ProgramLog

START = date(2026, 11, 23)
# each day: (right sessions, right tenderness, left sessions, left tenderness); None: no note that day
DAYS = [
    (6, 6, 0, None), (6, 6, 0, None), (5, 5, 3, 4), (6, 5, 3, 4), (4, 4, 2, 3), (0, None, 0, None), (5, 4, 3, 2),
    (5, 3, 3, 2), (5, 3, 2, 2), (5, 3, 2, 2), (0, None, 0, None), (5, 2, 2, 1), (5, 2, 2, 1), (5, 2, 1, 0),
]  # fmt: skip
STOPPED = {(2, "right", 3), (8, "left", 1)}  # (day index, side, session index): stopped after 3 strokes
LEAST, PLANNED = 6, 8


def session(log: ProgramLog, side: Side, when: datetime, shape: str, stopped: bool, tender: int | None) -> None:
    row = log.begin("psoas", side, PLANNED, when, least=LEAST, shape=shape)
    done = 3 if stopped else PLANNED
    log.progress(row, (done,), side, tuple(range(done)))
    log.end(row, not stopped, done, when + timedelta(minutes=2 if shape == "quick" else 4), resume_phase=2)
    if tender is not None:
        log.set_tenderness(row, tender)


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "log.sqlite3").unlink(missing_ok=True)
    with ProgramLog(folder / "log.sqlite3") as log:
        taught: set[Side] = set()
        for index, (right, right_tender, left, left_tender) in enumerate(DAYS):
            day = START + timedelta(days=index)
            for side, count, tender in ((Side.RIGHT, right, right_tender), (Side.LEFT, left, left_tender)):
                for n in range(count):
                    when = datetime.combine(day, datetime.min.time()) + timedelta(hours=8 + 2.5 * n, minutes=5 * n)
                    if side is Side.LEFT:
                        when += timedelta(minutes=40)
                    shape = "teach" if side not in taught else "refresh" if n == 0 else "quick"
                    taught.add(side)
                    last = n == count - 1
                    session(log, side, when, shape, (index, str(side), n) in STOPPED, tender if last else None)
        log.note_tenderness("psoas", Side.RIGHT, 3, datetime(2026, 12, 3, 21, 0))  # a day with no session


if __name__ == "__main__":
    main(Path(sys.argv[1]))
