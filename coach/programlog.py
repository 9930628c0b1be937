"""The program log: every live session in a local SQLite database (WAL, a transaction per change), so a process
that is killed loses nothing it had already recorded. Times are local, as ISO 8601 text.

The log is a file the user owns, so what it holds is checked, never trusted: a `sessions` table that lacks a
column coach uses, or has one coach cannot fill, is refused at open in one sentence; a row whose values coach
cannot read (a start time that is not an ISO date, an unknown side) is left out of `entries` and counted in
`unreadable`; a live session first checks that it can write (`check_writable`). A lock is waited for while another
coach process holds it (its transactions take milliseconds); one another program holds is said after one look
(SLICE_MS), naming the programs that hold it, from the system's table of locks (/proc/locks), or saying plainly that
the system does not name them. While a session plays, a write waits PLAYING_MS at most (LogBusy after that, and the
caller makes it later), so a lock taken meanwhile never holds the session up.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from coach.errors import CoachError, LogBusy
from coach.kinds import Side
from coach.program import FINISHED, LOGGED, SKIPPED, STARTED, STOPPED, Entry
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
    status TEXT NOT NULL CHECK (status IN ('started', 'finished', 'stopped', 'logged', 'skipped')),
    tenderness INTEGER CHECK (tenderness BETWEEN 0 AND 10),
    done_right INTEGER,
    done_left INTEGER,
    least INTEGER NOT NULL DEFAULT 0,
    resume_phase INTEGER,
    strokes TEXT NOT NULL DEFAULT '',
    shape TEXT NOT NULL DEFAULT '',
    reminder INTEGER
);
"""
VERSION = 3
# The status check as versions 1 and 2 made it, and as version 3 makes it: a skipped reminder is a row of its own.
STATUS_BEFORE_3 = "CHECK (status IN ('started', 'finished', 'stopped', 'logged'))"
STATUS_FROM_3 = "CHECK (status IN ('started', 'finished', 'stopped', 'logged', 'skipped'))"


def _allow_skipped(db: sqlite3.Connection) -> None:
    """Version 3: the status may be 'skipped' (a reminder answered with Skip), and a `reminder` column says which
    of the day's reminders it was. SQLite cannot change a CHECK in place, so a table coach made is rebuilt, as
    SQLite's documentation describes (create, copy, drop, rename, then its indexes and triggers again): its own
    text with the new check, so that every column is kept, another program's included."""
    (table,) = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'sessions'").fetchone()
    if STATUS_BEFORE_3 in table:
        extras = db.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'sessions' AND type IN ('index', 'trigger') "
            "AND sql IS NOT NULL"
        ).fetchall()
        created = re.sub(r'^CREATE TABLE\s+("?)sessions\1', "CREATE TABLE sessions_from_3", table, count=1)
        db.execute(created.replace(STATUS_BEFORE_3, STATUS_FROM_3))
        db.execute("INSERT INTO sessions_from_3 SELECT * FROM sessions")
        db.execute("DROP TABLE sessions")
        db.execute("PRAGMA legacy_alter_table = ON")  # views naming sessions are left to find the new table
        try:
            db.execute("ALTER TABLE sessions_from_3 RENAME TO sessions")
        finally:
            db.execute("PRAGMA legacy_alter_table = OFF")
        for (statement,) in extras:
            db.execute(statement)
    columns = {row["name"] for row in db.execute("PRAGMA table_info(sessions)")}
    if "reminder" not in columns:
        db.execute("ALTER TABLE sessions ADD COLUMN reminder INTEGER")


# Each step takes a log from the version before it to the next, in one transaction. Version 1 (the first release)
# had no per-side strokes, no fewest-advised strokes (its sessions all count, as they did) and nothing to continue;
# version 2 no skipped reminders.
MIGRATIONS: dict[int, tuple[str, ...] | Callable[[sqlite3.Connection], None]] = {
    2: (
        "ALTER TABLE sessions ADD COLUMN done_right INTEGER",
        "ALTER TABLE sessions ADD COLUMN done_left INTEGER",
        "ALTER TABLE sessions ADD COLUMN least INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE sessions ADD COLUMN resume_phase INTEGER",
        "ALTER TABLE sessions ADD COLUMN strokes TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE sessions ADD COLUMN shape TEXT NOT NULL DEFAULT ''",
    ),
    3: _allow_skipped,
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
        migration = MIGRATIONS[step]
        if not callable(migration):
            db.executescript(f"BEGIN; {'; '.join(migration)}; PRAGMA user_version = {step}; COMMIT;")
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            migration(db)
            db.execute(f"PRAGMA user_version = {step}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


COLUMNS = (
    "id", "routine", "side", "started", "ended", "strokes_done", "strokes_planned", "status", "tenderness",
    "done_right", "done_left", "least", "resume_phase", "strokes", "shape", "reminder",
)  # fmt: skip
STATUSES = (STARTED, FINISHED, STOPPED, LOGGED, SKIPPED)
BUSY_MS = 10_000  # how long a write waits for another coach process's (a transaction of a few milliseconds)
CHECK_MS = 2_000  # how long the check before a live session waits for the log to be free (or for a holder unnamed)
PLAYING_MS = 50  # how long a write waits while a session plays: one that cannot be made then is made later
SLICE_MS = 100  # how long a try waits for a lock before coach looks at what holds it
PROC = Path("/proc")
PROC_LOCKS = PROC / "locks"
T = TypeVar("T")


@dataclass(frozen=True)
class Holders:
    """What holds the log locked, as the system tells it: the processes with a lock on it that stops a write
    ("pid N: command line"), else those that have it open (one of them may hold it; which cannot be known)."""

    locking: tuple[str, ...] = ()
    opening: tuple[str, ...] = ()
    coach: bool = False  # one of those locking it is another coach process

    def words(self) -> str:
        if self.locking:
            return f"another program ({'; '.join(self.locking)})"
        unnamed = "another program, which the system does not name"
        return f"{unnamed} (it is open in {'; '.join(self.opening)})" if self.opening else unnamed


class _Held(Exception):
    def __init__(self, holders: Holders) -> None:
        super().__init__(holders)
        self.holders = holders


def _busy(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


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
        kind = _not_regular(path)
        if kind is not None:
            raise CoachError(
                f"The program log {path} is not a regular file ({kind}): move it aside, and coach starts a new one."
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_MS / 1000)
        except (OSError, sqlite3.Error) as exc:
            raise CoachError(f"The program log {path} cannot be opened ({exc}).") from None
        self._db.row_factory = sqlite3.Row  # every row is read by its columns' names
        self.unreadable: list[tuple[int, str]] = []  # the rows `entries` left out: their id, and why
        self._held: Holders | None = None  # what held it locked as it was opened: said by its first use
        try:
            self._set_up()
        except _Held as held:
            self._held = held.holders
        except CoachError:
            self._db.close()
            raise

    def _set_up(self) -> None:
        """WAL, the schema at this version, a sessions table coach can use; _Held while another program holds it
        locked."""
        try:
            self._patiently(self._prepare, BUSY_MS)
        except sqlite3.Error as exc:
            raise CoachError(f"The program log {self.path} cannot be opened ({exc}).") from None
        self._held = None

    def _prepare(self) -> None:
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        _migrate(self._db, self.path)
        problem = _foreign(self._db)
        if problem:
            raise CoachError(
                f"The program log {self.path} has a sessions table that coach did not make ({problem}): move it "
                "aside, and coach starts a new one."
            )

    def _ready(self, instead: str = "") -> None:
        """Set up, if a lock held that up as the log was opened; CoachError naming what holds it, ending with
        `instead`."""
        if self._held is None:
            return
        try:
            self._set_up()
        except _Held as held:
            raise CoachError(self._held_message(held.holders, instead)) from None

    def _held_message(self, holders: Holders, instead: str = "") -> str:
        held = f"The program log {self.path} is held locked by {holders.words()}"
        return f"{held}: close it, then run this again{instead}."

    def _patiently(self, work: Callable[[], T], wait_ms: int) -> T:
        """`work`, tried again while another connection holds the log locked: for up to `wait_ms` while another coach
        process holds it, up to CHECK_MS while the system does not say who, and not after one look (SLICE_MS) where
        it names another program. _Held when it is still held."""
        waited = 0
        try:
            while True:
                step = max(1, min(SLICE_MS, wait_ms - waited))
                self._db.execute(f"PRAGMA busy_timeout = {step}")
                try:
                    return work()
                except sqlite3.OperationalError as exc:
                    if not _busy(exc):
                        raise
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                waited += step
                holders = lock_holders(self.path)
                patience = wait_ms if holders.coach else 0 if holders.locking else min(wait_ms, CHECK_MS)
                if waited >= patience:
                    raise _Held(holders)
        finally:
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")

    def check_writable(self, instead: str = "") -> None:
        """Raise CoachError now if the log cannot be written, such as when another program holds it locked, rather
        than in the middle of a session. `instead` ends the message: what the user can do without the log."""
        self._ready(instead)
        try:
            self._patiently(self._try_writing, CHECK_MS)
        except _Held as held:
            raise CoachError(self._held_message(held.holders, instead)) from None
        except sqlite3.Error as exc:
            raise CoachError(f"The program log {self.path} cannot be written ({exc}).") from None

    def _try_writing(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        self._db.execute("ROLLBACK")

    def _read(self, sql: str, values: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        """The rows of a query: CoachError if they cannot be read, or another program holds the log locked."""
        self._ready()
        try:
            return self._patiently(lambda: self._db.execute(sql, values).fetchall(), BUSY_MS)
        except _Held as held:
            raise CoachError(self._held_message(held.holders)) from None
        except sqlite3.Error as exc:
            raise CoachError(f"The program log {self.path} cannot be read ({exc}).") from None

    def __enter__(self) -> ProgramLog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _write(self, sql: str, values: tuple[object, ...], wait_ms: int = BUSY_MS) -> int:
        """One change in one transaction: committed, or not there at all. LogBusy if another program holds the log
        for longer than `wait_ms`."""
        self._ready()
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
        found = self._read(
            "SELECT id FROM sessions WHERE routine = ? AND side = ? AND status NOT IN (?, ?) AND tenderness IS NULL "
            "AND substr(started, 1, 10) = ? ORDER BY started DESC, id DESC LIMIT 1",
            (routine, side, LOGGED, SKIPPED, when.date().isoformat()),
        )
        if found:
            self.set_tenderness(int(found[0]["id"]), value)
            return True
        self._write(
            "INSERT INTO sessions (routine, side, started, ended, strokes_planned, status, tenderness) "
            "VALUES (?, ?, ?, ?, 0, ?, ?)",
            (routine, side, _stamp(when), _stamp(when), LOGGED, value),
        )
        return False

    def skip(self, routine: str, side: Side, reminder: int, when: datetime) -> int:
        """Record that the day's reminder number `reminder`, for a session on `side`, was answered with Skip: a row
        of its own, status 'skipped', no strokes, never counted. Returns its row."""
        return self._write(
            "INSERT INTO sessions (routine, side, started, ended, strokes_planned, status, reminder) "
            "VALUES (?, ?, ?, ?, 0, ?, ?)",
            (routine, side, _stamp(when), _stamp(when), SKIPPED, reminder),
        )

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
        rows = self._read(f"SELECT {', '.join(COLUMNS)} FROM sessions ORDER BY id")
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
    strokes, shape, reminder = row["strokes"], row["shape"], row["reminder"]
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
    if not (reminder is None or (isinstance(reminder, int) and _whole(reminder, 1))):
        return f"the reminder is {str(reminder)[:20]!r}"
    counts = {Side.RIGHT: right, Side.LEFT: left}
    by_side = [counts[s] for s in Side(side).sides]
    known = tuple(c for c in by_side if isinstance(c, int)) if all(c is not None for c in by_side) else None
    return Entry(
        routine=routine, side=Side(side), started=when, strokes_done=done, strokes_planned=planned, status=status,
        tenderness=tender, done_by_side=known, least=least, resume_phase=phase,
        strokes=tuple(int(i) for i in strokes.split(",") if i), key=int(str(row["id"])), shape=shape,
        reminder=reminder,
    )  # fmt: skip


def lock_holders(path: Path) -> Holders:
    """What holds the log (its file, -wal or -shm) locked against a write, from the system's table of locks: another
    process's write lock on any of them, or a read lock on the file by one that has no lock on -shm (a reader of a
    log not in WAL mode; in WAL mode every connection holds such a lock, and stops no writer). Where the table names
    none, the processes that have it open."""
    files = {"": path, "-wal": path.with_name(path.name + "-wal"), "-shm": path.with_name(path.name + "-shm")}
    inodes = {}
    for suffix, file in files.items():
        try:
            status = file.stat()
        except OSError:
            continue
        inodes[(os.major(status.st_dev), os.minor(status.st_dev), status.st_ino)] = suffix
    locks = [(pid, inodes[key], mode) for pid, key, mode in _locks() if key in inodes and pid != os.getpid()]
    shm = {pid for pid, suffix, _ in locks if suffix == "-shm"}
    pids = [pid for pid, suffix, mode in locks if mode == "WRITE" or (suffix == "" and pid not in shm)]
    named = [pid for pid in dict.fromkeys(pids) if pid > 0]  # 0 or less: a process the system does not show here
    if named:
        commands = {pid: _command(pid) for pid in named}
        locking = tuple(f"pid {pid}: {command}" for pid, command in commands.items())
        return Holders(locking=locking, coach=any(_is_coach(command) for command in commands.values()))
    opening = tuple(f"pid {pid}: {_command(pid)}" for pid in _openers(list(files.values())))
    return Holders(opening=opening)


def _locks() -> list[tuple[int, tuple[int, int, int], str]]:
    """Every lock held (not waited for) in the system: the process, the file (device major, minor, inode), READ or
    WRITE. Lines read: `1: POSIX  ADVISORY  WRITE 1234 08:01:123456 0 EOF`."""
    found = []
    try:
        with open(PROC_LOCKS, encoding="ascii", errors="replace") as table:
            for line in table:
                fields = line.split()
                if "->" in fields or len(fields) < 6 or fields[3] not in ("READ", "WRITE"):
                    continue
                try:
                    major, minor, inode = fields[5].split(":")
                    found.append((int(fields[4]), (int(major, 16), int(minor, 16), int(inode)), fields[3]))
                except ValueError:
                    continue
    except OSError:
        pass
    return found


def _openers(files: list[Path]) -> list[int]:
    wanted = {str(file) for file in files}
    found = []
    try:
        processes = list(PROC.iterdir())
    except OSError:
        return []
    for entry in processes:
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if any(os.readlink(fd) in wanted for fd in (entry / "fd").iterdir()):
                found.append(int(entry.name))
        except OSError:
            continue
    return sorted(found)


def _is_coach(command: str) -> bool:
    """Whether a command line is coach's: the `coach` script (run by its interpreter or not), or `python -m coach`."""
    words = command.split()
    return any(Path(word).name == "coach" for word in words[:2]) or words[1:3] == ["-m", "coach"]


def _command(pid: int) -> str:
    try:
        words = (PROC / str(pid) / "cmdline").read_bytes().rstrip(b"\0").split(b"\0")
    except OSError:
        return "?"
    text = " ".join(word.decode("utf-8", "replace") for word in words)
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= 300 else text[:299] + "…"
