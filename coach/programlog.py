"""The program log: every live session in a local SQLite database (WAL, a transaction per change), so a process
that is killed loses nothing it had already recorded. Times are local, as ISO 8601 text."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from coach.errors import CoachError
from coach.kinds import Side
from coach.program import FINISHED, LOGGED, STARTED, STOPPED, Entry

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
    tenderness INTEGER CHECK (tenderness BETWEEN 0 AND 10),
    done_right INTEGER,
    done_left INTEGER,
    least INTEGER NOT NULL DEFAULT 0,
    resume_phase INTEGER,
    strokes TEXT NOT NULL DEFAULT '',
    shape TEXT NOT NULL DEFAULT ''
);
"""
VERSION = 2
# Each step takes a log from the version before it to the next, in one transaction. Version 1 (the first release)
# had no per-side strokes, no fewest-advised strokes (its sessions all count, as they did) and nothing to continue.
MIGRATIONS = {
    2: (
        "ALTER TABLE sessions ADD COLUMN done_right INTEGER",
        "ALTER TABLE sessions ADD COLUMN done_left INTEGER",
        "ALTER TABLE sessions ADD COLUMN least INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE sessions ADD COLUMN resume_phase INTEGER",
        "ALTER TABLE sessions ADD COLUMN strokes TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE sessions ADD COLUMN shape TEXT NOT NULL DEFAULT ''",
    ),
}
COLUMNS = {Side.RIGHT: "done_right", Side.LEFT: "done_left"}


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    """Create the log, or bring an older one to this version; a log from a newer release is left alone."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    exists = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sessions'").fetchone() is not None
    if not exists:
        with db:
            db.executescript(f"BEGIN; {SCHEMA} PRAGMA user_version = {VERSION}; COMMIT;")
        return
    if version > VERSION:
        raise CoachError(f"The program log {path} was written by a newer coach (version {version}); update coach.")
    for step in range(max(version, 1) + 1, VERSION + 1):
        statements = "; ".join(MIGRATIONS[step])
        db.executescript(f"BEGIN; {statements}; PRAGMA user_version = {step}; COMMIT;")


def _stamp(when: datetime) -> str:
    return when.replace(microsecond=0).isoformat()


def _indexes(strokes: tuple[int, ...]) -> str:
    return ",".join(str(i) for i in strokes)


class ProgramLog:
    """The log, open: use it as a context manager (`with ProgramLog(path) as log:`), which closes it however the
    block ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        db = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, isolation_level=None, timeout=10)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            _migrate(db, path)
        except (OSError, sqlite3.Error) as exc:
            if db is not None:
                db.close()
            raise CoachError(f"The program log {path} cannot be opened ({exc}).") from None
        except CoachError:  # a log from a newer coach: closed, and the sentence goes on
            if db is not None:
                db.close()
            raise
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

    def begin(self, routine: str, side: Side, planned: int, when: datetime, least: int = 0, shape: str = "") -> int:
        """Record a session as it starts; it stays 'started' (read as stopped) if the process dies. `least` is the
        routine's fewest advised strokes: a session with fewer on a side does not count there. `shape` is the
        session's (teach, refresh, quick)."""
        sides = Side(side).sides
        return self._write(
            "INSERT INTO sessions (routine, side, started, strokes_planned, status, least, done_right, done_left, "
            "shape) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (routine, side, _stamp(when), planned, STARTED, least, *(0 if s in sides else None for s in COLUMNS),
             shape),
        )  # fmt: skip

    def progress(self, session: int, done: tuple[int, ...], side: Side, strokes: tuple[int, ...] = ()) -> None:
        """The strokes done so far on each single side worked, and which they are (by index)."""
        counts = dict(zip(Side(side).sides, done, strict=True))
        self._write(
            "UPDATE sessions SET strokes_done = ?, done_right = ?, done_left = ?, strokes = ? WHERE id = ?",
            (sum(done), counts.get(Side.RIGHT), counts.get(Side.LEFT), _indexes(strokes), session),
        )

    def end(
        self, session: int, finished: bool, strokes_done: int, when: datetime, resume_phase: int | None = None
    ) -> None:
        """How the session ended; a stopped one keeps the phase it can be continued from."""
        self._write(
            "UPDATE sessions SET status = ?, strokes_done = ?, ended = ?, resume_phase = ? WHERE id = ?",
            (
                FINISHED if finished else STOPPED,
                strokes_done,
                _stamp(when),
                None if finished else resume_phase,
                session,
            ),
        )

    def reopen(self, session: int) -> None:
        """A stopped session is being continued: it is going on again, and can no longer be continued from before."""
        self._write("UPDATE sessions SET status = ?, resume_phase = NULL WHERE id = ?", (STARTED, session))

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
                "SELECT routine, side, started, strokes_done, strokes_planned, status, tenderness, done_right, "
                "done_left, least, resume_phase, strokes, id, shape FROM sessions ORDER BY started, id"
            ).fetchall()
        except sqlite3.Error as exc:
            raise CoachError(f"The program log {self.path} cannot be read ({exc}).") from None
        entries = []
        for (
            routine,
            side,
            started,
            done,
            planned,
            status,
            tender,
            right,
            left,
            least,
            phase,
            strokes,
            key,
            shape,
        ) in rows:
            counts = {Side.RIGHT: right, Side.LEFT: left}
            by_side = tuple(counts[s] for s in Side(side).sides)
            known = None if any(count is None for count in by_side) else by_side
            entries.append(
                Entry(
                    routine,
                    side,
                    datetime.fromisoformat(started),
                    done,
                    planned,
                    status,
                    tender,
                    done_by_side=known,
                    least=least,
                    resume_phase=phase,
                    strokes=tuple(int(i) for i in strokes.split(",") if i),
                    key=key,
                    shape=shape,
                )
            )
        return entries

    def close(self) -> None:
        self._db.close()
