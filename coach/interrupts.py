"""Ctrl-C, SIGTERM and SIGHUP as coach meets them (a leaf): coach/__main__.py makes `stop` their handler, so each
raises Signalled, a KeyboardInterrupt that carries the signal's number, in the main thread (where Python runs every
signal handler, whichever thread the signal came to).

`held()` marks a few lines that must not be cut in two, such as creating a temp file and recording it for removal:
a signal that comes meanwhile is kept, and raised as the block ends. Under a test runner, which keeps Python's own
handler, nothing is held.

A signal that comes while Python runs code that cannot pass an exception on (a weakref callback, such as the import
system's clean-up of a module lock; an object's __del__; a garbage-collector callback) is raised again a moment later:
Python hands such an exception to sys.unraisablehook, which prints it ("Exception ignored in ...") and carries on,
so Ctrl-C would do nothing but print a traceback. `keep_lost_interrupts` installs the hook that keeps it and arms a
one-shot SIGALRM timer (AGAIN_S); the alarm's handler raises it. The hook itself is such a place (what it raises is
dropped too), so it only makes a system call and never waits, and a signal handled while it runs (the alarm, or
another Ctrl-C) is kept for the alarm instead of raised. (It used to start a timer thread; Thread.start waits for the
thread, and on a loaded machine the signal it sent came during that wait, inside the hook, and was lost.)
"""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Callable, Iterator
from types import FrameType

from coach.errors import Signalled

STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

_held = 0
_pending: list[int] = []
raised: list[int] = []  # every signal raised as Signalled in this process (coach/__main__.py reads it)


AGAIN_S = 0.005  # how soon a signal that came inside a callback is raised again
_lost: list[int] = []  # signals Python dropped, waiting for the alarm
_previous: Callable[[sys.UnraisableHookArgs], object] = sys.__unraisablehook__


def stop(signum: int, frame: FrameType | None) -> None:
    """The handler for the stopping signals: Signalled now, or when the held block ends, or (inside the hook, where
    it would be dropped) when the alarm rings."""
    if _in_hook(frame):
        _again(signum)
        return
    if _held:
        _pending.append(signum)
        return
    raised.append(signum)
    raise Signalled(signum)


def keep_lost_interrupts() -> None:
    """Make sys.unraisablehook keep a stopping signal Python would print and drop, to be raised again AGAIN_S later
    by SIGALRM's handler; any other unraisable exception goes to the hook there was."""
    global _previous
    if sys.unraisablehook is not _hook:
        _previous = sys.unraisablehook
    signal.signal(signal.SIGALRM, _ring)
    sys.unraisablehook = _hook


def _hook(unraisable: sys.UnraisableHookArgs) -> None:
    if isinstance(unraisable.exc_value, Signalled):
        _again(unraisable.exc_value.signum)
        return
    _previous(unraisable)


def _again(signum: int) -> None:
    if signum not in _lost:
        _lost.append(signum)
    signal.setitimer(signal.ITIMER_REAL, AGAIN_S)


def _ring(_alarm: int, frame: FrameType | None) -> None:
    """SIGALRM's handler: raise the signal that was lost (or, still inside the hook, wait for the next alarm)."""
    if not _lost:
        return
    if _in_hook(frame):
        signal.setitimer(signal.ITIMER_REAL, AGAIN_S)
        return
    signum = _lost[0]
    _lost.clear()
    stop(signum, frame)


def _in_hook(frame: FrameType | None) -> bool:
    while frame is not None:
        if frame.f_code is _hook.__code__:
            return True
        frame = frame.f_back
    return False


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
