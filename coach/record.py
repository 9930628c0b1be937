"""A live session's record in the program log: made once its sound starts (or reopened, when a stopped session is
continued), its strokes noted as they are done, then how it ended, and the tenderness asked afterwards.

The log is handed in, open (None with --no-log: nothing is written). Playing never depends on it: while the
session plays, a write that another program's lock holds up for more than a moment, or that fails (a full disk), is
left for the next one, or the end, with the record kept in memory meanwhile; what the end cannot write either is
kept as `unwritten`, for a sentence once the session is over.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from coach.errors import CoachError
from coach.kinds import Shape, Side
from coach.live import Progress
from coach.program import Entry

if TYPE_CHECKING:
    from coach.programlog import ProgramLog


@dataclass(frozen=True, kw_only=True)
class Recorded:
    """What a record is of: the routine, the side worked, the routine's fewest advised strokes (fewer, and the
    session does not count), its shape, and the session it continues, if any."""

    routine: str
    side: Side
    least: int = 0
    shape: Shape = Shape.TEACH
    continued: Entry | None = None


class Record:
    def __init__(self, log: ProgramLog | None, what: Recorded, now: Callable[[], datetime]) -> None:
        self.log, self.what, self.now = log, what, now
        self.session_id: int | None = None  # its row, once written
        self.started: datetime | None = None  # when its sound started
        self.latest: Progress | None = None
        self.ended = False
        self.unwritten: CoachError | None = None  # why the end could not write it, if it could not

    @property
    def kept(self) -> bool:
        """Whether the log has it whole (and the tenderness can be noted on it)."""
        return self.log is not None and self.session_id is not None and self.unwritten is None

    def progress(self, progress: Progress) -> None:
        """The strokes so far; the first call (nothing done) means the sound has started."""
        from coach.programlog import PLAYING_MS

        self.latest = progress
        if self.started is None:
            self.started = self.now()
        if self.log is not None:
            with contextlib.suppress(CoachError):  # written later: at the next stroke, or at the end
                self._write(PLAYING_MS)

    def end(self, finished: bool, phase: int | None) -> None:
        """How the session ended (in `phase`, which a stopped one continues from)."""
        from coach.programlog import BUSY_MS

        self.ended = True
        if self.log is None or self.started is None or self.latest is None:
            return
        try:
            self._write(BUSY_MS)  # what a lock or a fault held up while it played, if anything
            assert self.session_id is not None
            self.log.end(self.session_id, finished, self.latest.done, self.now(), resume_phase=phase)
        except CoachError as exc:  # the session has played all the same: the end says so
            self.unwritten = exc

    def tenderness(self, answer: int) -> None:
        if self.log is not None and self.session_id is not None:
            self.log.set_tenderness(self.session_id, answer)

    def _write(self, wait_ms: int) -> None:
        """The row, made (or reopened) if it is not yet, with the strokes done so far."""
        assert self.log is not None and self.started is not None and self.latest is not None
        if self.session_id is None:
            self.session_id = self._open(wait_ms)
        what, progress = self.what, self.latest
        self.log.progress(self.session_id, progress.done_by_side, what.side, progress.strokes, wait_ms=wait_ms)

    def _open(self, wait_ms: int) -> int:
        assert self.log is not None and self.started is not None and self.latest is not None
        what = self.what
        if what.continued is not None and what.continued.key:
            self.log.reopen(what.continued.key, wait_ms=wait_ms)
            return what.continued.key
        return self.log.begin(
            what.routine, what.side, self.latest.planned, self.started, least=what.least, shape=what.shape,
            wait_ms=wait_ms,
        )  # fmt: skip
