"""The program log: every live session in a local SQLite database (WAL, a transaction per change), so a process
that is killed loses nothing it had already recorded. Times are local, as ISO 8601 text."""

from __future__ import annotations

import sqlite3
import stat
from datetime import datetime
from pathlib import Path

from coach.errors import CoachError
from coach.kinds import Side
from coach.program import FINISHED, LOGGED, STARTED, STOPPED, Entry
from coach.reading import kind_of

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    routine TEXT NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('right', 'left', 'both')),
    started TEXT NOT NULL,
    ended TEXT,
    strokes_done INTEGER NOT NULL DEFAULT 0,
    strokes_planned INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('started', 'finished', 'stopped', 'logged')),
    tenderness INTEGER CHECK (tenderness BETWEEN 0 AND 10)
);
"""


def _not_regular(path: Path) -> str | None:
    """What the log's path is if it is there and not a regular file (SQLite would read a FIFO or a device)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    return None if stat.S_ISREG(mode) else kind_of(mode)


def _stamp(when: datetime) -> str:
    return when.replace(microsecond=0).isoformat()


class ProgramLog:
    """The log, open: use it as a context manager (`with ProgramLog(path) as log:`), which closes it however the
    block ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        db = None
        try:
            kind = _not_regular(path)
            if kind is not None:
                raise CoachError(
                    f"The program log {path} is not a regular file ({kind}): move it aside, and coach starts a new one."
                )
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, isolation_level=None, timeout=10)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            if db is not None:
                db.close()
            raise CoachError(f"The program log {path} cannot be opened ({exc}).") from None
        self._db = db

    def __enter__(self) -> ProgramLog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _write(self, sql: str, values: tuple[object, ...]) -> int:
        try:
            with self._db:  # one transaction: committed, or not there at all
                cursor = self._db.execute(sql, values)
            return int(cursor.lastrowid or 0)
        except sqlite3.Error as exc:
            raise CoachError(f"The program log {self.path} cannot be written ({exc}).") from None

    def begin(self, routine: str, side: Side, planned: int, when: datetime) -> int:
        """Record a session as it starts; it stays 'started' (read as stopped) if the process dies."""
        return self._write(
            "INSERT INTO sessions (routine, side, started, strokes_planned, status) VALUES (?, ?, ?, ?, ?)",
            (routine, side, _stamp(when), planned, STARTED),
        )

    def progress(self, session: int, strokes_done: int) -> None:
        self._write("UPDATE sessions SET strokes_done = ? WHERE id = ?", (strokes_done, session))

    def end(self, session: int, finished: bool, strokes_done: int, when: datetime) -> None:
        self._write(
            "UPDATE sessions SET status = ?, strokes_done = ?, ended = ? WHERE id = ?",
            (FINISHED if finished else STOPPED, strokes_done, _stamp(when), session),
        )

    def set_tenderness(self, session: int, value: int) -> None:
        self._write("UPDATE sessions SET tenderness = ? WHERE id = ?", (value, session))

    def note_tenderness(self, routine: str, side: Side, value: int, when: datetime) -> bool:
        """Put a tenderness on today's latest session of this routine and side that has none; otherwise record it
        on its own. Returns True when it went on a session."""
        row = self._db.execute(
            "SELECT id FROM sessions WHERE routine = ? AND side = ? AND status != ? AND tenderness IS NULL "
            "AND substr(started, 1, 10) = ? ORDER BY started DESC, id DESC LIMIT 1",
            (routine, side, LOGGED, when.date().isoformat()),
        ).fetchone()
        if row is not None:
            self.set_tenderness(int(row[0]), value)
            return True
        self._write(
            "INSERT INTO sessions (routine, side, started, ended, strokes_planned, status, tenderness) "
            "VALUES (?, ?, ?, ?, 0, ?, ?)",
            (routine, side, _stamp(when), _stamp(when), LOGGED, value),
        )
        return False

    def entries(self) -> list[Entry]:
        try:
            rows = self._db.execute(
                "SELECT routine, side, started, strokes_done, strokes_planned, status, tenderness "
                "FROM sessions ORDER BY started, id"
            ).fetchall()
        except sqlite3.Error as exc:
            raise CoachError(f"The program log {self.path} cannot be read ({exc}).") from None
        return [
            Entry(routine, side, datetime.fromisoformat(started), done, planned, status, tender)
            for routine, side, started, done, planned, status, tender in rows
        ]

    def close(self) -> None:
        self._db.close()
