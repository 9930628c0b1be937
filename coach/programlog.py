"""The program log: every live session in a local SQLite database (WAL, a transaction per change), so a process
that is killed loses nothing it had already recorded. Times are local, as ISO 8601 text.

The log is a file the user owns, so what it holds is checked, never trusted: a `sessions` table that lacks a
column coach uses, or has one coach cannot fill, is refused at open in one sentence; a row whose values coach
cannot read (a start time that is not an ISO date, an unknown side) is left out of `entries` and counted in
`unreadable`; a live session first checks that it can write (`check_writable`), and a log another program holds
locked is named with the programs that hold it. While a session plays, a write waits PLAYING_MS at most (LogBusy
after that, and the caller makes it later), so a lock taken meanwhile never holds the session up.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import datetime
from pathlib import Path

from coach.errors import CoachError, LogBusy
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
BY_SIDE = {Side.RIGHT: "done_right", Side.LEFT: "done_left"}


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


COLUMNS = (
    "id", "routine", "side", "started", "ended", "strokes_done", "strokes_planned", "status", "tenderness",
    "done_right", "done_left", "least", "resume_phase", "strokes", "shape",
)  # fmt: skip
STATUSES = (STARTED, FINISHED, STOPPED, LOGGED)
BUSY_MS = 10_000  # how long a write waits for another coach process's (a transaction of a few milliseconds)
CHECK_MS = 2_000  # how long the check before a live session waits for the log to be free
PLAYING_MS = 50  # how long a write waits while a session plays: one that cannot be made then is made later


def _not_regular(path: Path) -> str | None:
    """What the log's path is if it is there and not a regular file (SQLite would read a FIFO or a device)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    return None if stat.S_ISREG(mode) else kind_of(mode)


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
            kind = _not_regular(path)
            if kind is not None:
                raise CoachError(
                    f"The program log {path} is not a regular file ({kind}): move it aside, and coach starts a new one."
                )
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_MS / 1000)
            db.row_factory = sqlite3.Row  # every row is read by its columns' names
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            _migrate(db, path)
            problem = _foreign(db)
            if problem:
                raise CoachError(
                    f"The program log {path} has a sessions table that coach did not make ({problem}): move it "
                    "aside, and coach starts a new one."
                )
        except (OSError, sqlite3.Error, CoachError) as exc:
            if db is not None:
                db.close()
            if isinstance(exc, CoachError):
                raise
            raise CoachError(f"The program log {path} cannot be opened ({exc}).") from None
        self._db = db
        self.unreadable: list[tuple[int, str]] = []  # the rows `entries` left out: their id, and why

    def check_writable(self, instead: str = "") -> None:
        """Raise CoachError now if the log cannot be written, such as when another program holds it locked (waiting
        CHECK_MS for a lock that coach itself holds for a moment), rather than in the middle of a session. `instead`
        ends the message: what the user can do without the log."""
        try:
            self._db.execute(f"PRAGMA busy_timeout = {CHECK_MS}")
            try:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute("ROLLBACK")
            finally:
                self._db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise CoachError(f"The program log {self.path} cannot be written ({exc}).") from None
            holders = lock_holders(self.path)
            who = f"another program ({'; '.join(holders)})" if holders else "another program"
            raise CoachError(
                f"The program log {self.path} is held locked by {who}: close it, then run this again{instead}."
            ) from None

    def __enter__(self) -> ProgramLog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _write(self, sql: str, values: tuple[object, ...], wait_ms: int = BUSY_MS) -> int:
        """One change in one transaction: committed, or not there at all. LogBusy if another program holds the log
        for longer than `wait_ms`."""
        try:
            if wait_ms != BUSY_MS:
                self._db.execute(f"PRAGMA busy_timeout = {wait_ms}")
            try:
                with self._db:
                    cursor = self._db.execute(sql, values)
            finally:
                if wait_ms != BUSY_MS:
                    self._db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
            return int(cursor.lastrowid or 0)
        except sqlite3.Error as exc:
            message = f"The program log {self.path} cannot be written ({exc})."
            if getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise LogBusy(message) from None
            raise CoachError(message) from None

    def begin(
        self,
        routine: str,
        side: Side,
        planned: int,
        when: datetime,
        least: int = 0,
        shape: str = "",
        wait_ms: int = BUSY_MS,
    ) -> int:
        """Record a session as it starts; it stays 'started' (read as stopped) if the process dies. `least` is the
        routine's fewest advised strokes: a session with fewer on a side does not count there. `shape` is the
        session's (teach, refresh, quick)."""
        sides = Side(side).sides
        return self._write(
            "INSERT INTO sessions (routine, side, started, strokes_planned, status, least, done_right, done_left, "
            "shape) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (routine, side, _stamp(when), planned, STARTED, least, *(0 if s in sides else None for s in BY_SIDE),
             shape),
            wait_ms,
        )  # fmt: skip

    def progress(
        self, session: int, done: tuple[int, ...], side: Side, strokes: tuple[int, ...] = (), wait_ms: int = BUSY_MS
    ) -> None:
        """The strokes done so far on each single side worked, and which they are (by index)."""
        counts = dict(zip(Side(side).sides, done, strict=True))
        self._write(
            "UPDATE sessions SET strokes_done = ?, done_right = ?, done_left = ?, strokes = ? WHERE id = ?",
            (sum(done), counts.get(Side.RIGHT), counts.get(Side.LEFT), _indexes(strokes), session),
            wait_ms,
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

    def reopen(self, session: int, wait_ms: int = BUSY_MS) -> None:
        """A stopped session is being continued: it is going on again, and can no longer be continued from before."""
        self._write("UPDATE sessions SET status = ?, resume_phase = NULL WHERE id = ?", (STARTED, session), wait_ms)

    def set_tenderness(self, session: int, value: int) -> None:
        self._write("UPDATE sessions SET tenderness = ? WHERE id = ?", (value, session))

    def note_tenderness(self, routine: str, side: Side, value: int, when: datetime) -> bool:
        """Put a tenderness on today's latest session of this routine and side that has none; otherwise record it
        on its own. Returns True when it went on a session."""
        try:
            row = self._db.execute(
                "SELECT id FROM sessions WHERE routine = ? AND side = ? AND status != ? AND tenderness IS NULL "
                "AND substr(started, 1, 10) = ? ORDER BY started DESC, id DESC LIMIT 1",
                (routine, side, LOGGED, when.date().isoformat()),
            ).fetchone()
        except sqlite3.Error as exc:
            raise CoachError(f"The program log {self.path} cannot be read ({exc}).") from None
        if row is not None:
            self.set_tenderness(int(row[0]), value)
            return True
        self._write(
            "INSERT INTO sessions (routine, side, started, ended, strokes_planned, status, tenderness) "
            "VALUES (?, ?, ?, ?, 0, ?, ?)",
            (routine, side, _stamp(when), _stamp(when), LOGGED, value),
        )
        return False

    @property
    def warning(self) -> str:
        """A sentence on the rows the last `entries` left out ("" if none)."""
        if not self.unreadable:
            return ""
        count = len(self.unreadable)
        row, why = self.unreadable[0]
        rows = f"{count} row{'s' if count > 1 else ''} of the program log {self.path} cannot be read"
        such = "such as row" if count > 1 else "row"
        return f"Warning: {rows} ({such} {row}: {why}); left out."

    def entries(self) -> list[Entry]:
        """Every row that coach can read, oldest first; the others are in `unreadable` (and `warning`)."""
        try:
            rows = self._db.execute(f"SELECT {', '.join(COLUMNS)} FROM sessions ORDER BY id").fetchall()
        except sqlite3.Error as exc:
            raise CoachError(f"The program log {self.path} cannot be read ({exc}).") from None
        entries: list[tuple[int, Entry]] = []
        self.unreadable = []
        for row in rows:
            entry = _entry(row)
            if isinstance(entry, str):
                self.unreadable.append((int(row["id"]), entry))
            else:
                entries.append((int(row["id"]), entry))
        return [entry for _, entry in sorted(entries, key=lambda pair: (pair[1].started, pair[0]))]

    def close(self) -> None:
        self._db.close()


def _foreign(db: sqlite3.Connection) -> str:
    """What makes the sessions table one coach cannot use: a column it needs missing, or one it cannot fill."""
    info = db.execute("PRAGMA table_info(sessions)").fetchall()
    names = {row["name"] for row in info}
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        return f"no column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
    unfilled = [
        row["name"]
        for row in info
        if row["name"] not in COLUMNS and row["notnull"] and row["dflt_value"] is None and not row["pk"]
    ]
    if unfilled:
        columns = (
            f"columns {', '.join(unfilled)} need values" if len(unfilled) > 1 else f"column {unfilled[0]} needs a value"
        )
        return f"its {columns} that coach does not give"
    return ""


def _whole(value: object, low: int, high: int | None = None) -> bool:
    return type(value) is int and value >= low and (high is None or value <= high)


def _entry(row: sqlite3.Row) -> Entry | str:
    """A row as an entry, or why it cannot be one."""
    routine, side, started, status = row["routine"], row["side"], row["started"], row["status"]
    done, planned, tender = row["strokes_done"], row["strokes_planned"], row["tenderness"]
    right, left, least, phase = row["done_right"], row["done_left"], row["least"], row["resume_phase"]
    strokes, shape = row["strokes"], row["shape"]
    if not isinstance(routine, str) or not routine:
        return f"the routine is {str(routine)[:40]!r}"
    if not isinstance(side, str) or side not in tuple(Side):
        return f"the side is {str(side)[:20]!r}"
    try:
        if not isinstance(started, str):
            raise ValueError
        when = datetime.fromisoformat(started)
    except ValueError:
        return f"the start time {str(started)[:40]!r} is not an ISO 8601 date and time"
    if when.tzinfo is not None:  # another program's time with its offset: as local time, like coach's own
        when = when.astimezone().replace(tzinfo=None)
    if not (isinstance(done, int) and _whole(done, 0) and isinstance(planned, int) and _whole(planned, 0)):
        return f"the strokes are {str(done)[:20]!r} of {str(planned)[:20]!r}"
    if not isinstance(status, str) or status not in STATUSES:
        return f"the status is {str(status)[:20]!r}"
    if not (tender is None or (isinstance(tender, int) and _whole(tender, 0, 10))):
        return f"the tenderness is {str(tender)[:20]!r}"
    if not all(count is None or (isinstance(count, int) and _whole(count, 0)) for count in (right, left)):
        return f"the strokes by side are {str(right)[:20]!r} and {str(left)[:20]!r}"
    if not (isinstance(least, int) and _whole(least, 0)) or not (phase is None or isinstance(phase, int)):
        return f"the fewest strokes or the phase is {str(least)[:20]!r} or {str(phase)[:20]!r}"
    if not isinstance(strokes, str) or not all(i.isdigit() for i in strokes.split(",") if i):
        return f"the strokes done are {str(strokes)[:40]!r}"
    if not isinstance(shape, str):
        return f"the shape is {str(shape)[:20]!r}"
    counts = {Side.RIGHT: right, Side.LEFT: left}
    by_side = [counts[s] for s in Side(side).sides]
    known = tuple(c for c in by_side if isinstance(c, int)) if all(c is not None for c in by_side) else None
    return Entry(
        routine=routine, side=Side(side), started=when, strokes_done=done, strokes_planned=planned, status=status,
        tenderness=tender, done_by_side=known, least=least, resume_phase=phase,
        strokes=tuple(int(i) for i in strokes.split(",") if i), key=int(str(row["id"])), shape=shape,
    )  # fmt: skip


def lock_holders(path: Path) -> list[str]:
    """The other processes that hold a write lock on the log (its file, -wal or -shm), as 'pid N: command line',
    from /proc/locks; else those that have it open. Empty where /proc says nothing (another system's, or hidden)."""
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    inodes = set()
    for file in files:
        try:
            status = file.stat()
        except OSError:
            continue
        inodes.add((os.major(status.st_dev), os.minor(status.st_dev), status.st_ino))
    pids: list[int] = []
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as locks:
            for line in locks:
                fields = line.split()  # 1: POSIX  ADVISORY  WRITE 1234 08:01:123456 0 EOF
                if "->" in fields or len(fields) < 6 or fields[3] != "WRITE" or not fields[4].isdigit():
                    continue
                major, minor, inode = fields[5].split(":")
                if (int(major, 16), int(minor, 16), int(inode)) in inodes and int(fields[4]) != os.getpid():
                    pids.append(int(fields[4]))
    except (OSError, ValueError):
        pass
    if not pids:
        pids = _openers(files)
    return [f"pid {pid}: {_command(pid)}" for pid in dict.fromkeys(pids)]


def _openers(files: list[Path]) -> list[int]:
    wanted = {str(file) for file in files}
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if any(os.readlink(fd) in wanted for fd in (entry / "fd").iterdir()):
                found.append(int(entry.name))
        except OSError:
            continue
    return sorted(found)


def _command(pid: int) -> str:
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().rstrip(b"\0").split(b"\0")
    except OSError:
        return "?"
    text = " ".join(word.decode("utf-8", "replace") for word in words)
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= 300 else text[:299] + "…"
