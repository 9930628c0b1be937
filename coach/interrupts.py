"""Ctrl-C, SIGTERM and SIGHUP as coach meets them (a leaf): coach/__main__.py makes `stop` their handler, so each
raises Signalled, a KeyboardInterrupt that carries the signal's number, in the main thread (where Python runs every
signal handler, whichever thread the signal came to).

`held()` marks a few lines that must not be cut in two, such as creating a temp file and recording it for removal:
a signal that comes meanwhile is kept, and raised as the block ends. Under a test runner, which keeps Python's own
handler, nothing is held.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

from coach.errors import Signalled

STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

_held = 0
_pending: list[int] = []


def stop(signum: int, frame: FrameType | None) -> None:
    """The handler for the stopping signals: Signalled now, or when the held block ends."""
    if _held:
        _pending.append(signum)
        return
    raise Signalled(signum)


@contextlib.contextmanager
def held() -> Iterator[None]:
    global _held
    _held += 1  # no call here: a handler cannot run between reading and writing it
    try:
        yield
    finally:
        _held -= 1
        if not _held and _pending:
            signum = _pending[0]
            _pending.clear()
            raise Signalled(signum)
