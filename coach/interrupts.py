"""Ctrl-C, SIGTERM and SIGHUP as coach meets them (a leaf): coach/__main__.py makes `stop` their handler, so each
raises Signalled, a KeyboardInterrupt that carries the signal's number, in the main thread (where Python runs every
signal handler, whichever thread the signal came to).

`held()` marks a few lines that must not be cut in two, such as creating a temp file and recording it for removal:
a signal that comes meanwhile is kept, and raised as the block ends. Under a test runner, which keeps Python's own
handler, nothing is held.

A signal that comes while the import system runs its clean-up callback for a module lock is sent again a moment
later: an exception raised inside a callback is printed ("Exception ignored in ...") and lost, so Ctrl-C would do
nothing but print a traceback.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from coach.errors import Signalled

STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

_held = 0
_pending: list[int] = []
raised: list[int] = []  # every signal raised as Signalled in this process (coach/__main__.py reads it)


AGAIN_S = 0.005  # how soon a signal that came inside a callback is sent again


def stop(signum: int, frame: FrameType | None) -> None:
    """The handler for the stopping signals: Signalled now, or when the held block ends, or (inside a callback,
    where it would be lost) again in a moment."""
    if _held:
        _pending.append(signum)
        return
    if frame is not None and in_callback(frame):
        threading.Timer(AGAIN_S, os.kill, (os.getpid(), signum)).start()
        return
    raised.append(signum)
    raise Signalled(signum)


def in_callback(frame: FrameType) -> bool:
    """Whether the frame is the import system's clean-up callback for a module lock (a weakref callback)."""
    code = frame.f_code
    return code.co_name == "cb" and code.co_filename == "<frozen importlib._bootstrap>"


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
            raised.append(signum)
            raise Signalled(signum)
