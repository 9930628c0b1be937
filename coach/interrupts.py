"""Ctrl-C, SIGTERM and SIGHUP as coach meets them (a leaf): coach/__main__.py makes `stop` their handler, so each
raises Signalled, a KeyboardInterrupt that carries the signal's number, in the main thread (where Python runs every
signal handler, whichever thread the signal came to).

`held()` marks a few lines that must not be cut in two, such as creating a temp file and recording it for removal:
a signal that comes meanwhile is kept, and raised as the block ends. Under a test runner, which keeps Python's own
handler, nothing is held.

A signal that comes while Python runs code that cannot pass an exception on (a weakref callback, such as the import
system's clean-up of a module lock; an object's __del__; a garbage-collector callback) is sent again a moment later:
Python hands such an exception to sys.unraisablehook, which prints it ("Exception ignored in ...") and carries on,
so Ctrl-C would do nothing but print a traceback. `keep_lost_interrupts` installs the hook that sends it again.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType

from coach.errors import Signalled

STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

_held = 0
_pending: list[int] = []
raised: list[int] = []  # every signal raised as Signalled in this process (coach/__main__.py reads it)


AGAIN_S = 0.005  # how soon a signal that came inside a callback is sent again


def stop(signum: int, frame: FrameType | None) -> None:
    """The handler for the stopping signals: Signalled now, or when the held block ends."""
    if _held:
        _pending.append(signum)
        return
    raised.append(signum)
    raise Signalled(signum)


def keep_lost_interrupts() -> None:
    """Make sys.unraisablehook send a stopping signal again, AGAIN_S later, when Python would print and drop the
    Signalled it raised; any other unraisable exception goes to the hook there was."""
    previous: Callable[[sys.UnraisableHookArgs], object] = sys.unraisablehook

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        if isinstance(unraisable.exc_value, Signalled):
            threading.Timer(AGAIN_S, os.kill, (os.getpid(), unraisable.exc_value.signum)).start()
            return
        previous(unraisable)

    sys.unraisablehook = hook


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
