"""Signals, as coach meets them: every rule about them is here, and only here (a leaf: it imports no coach module).

What a user sees
- Ctrl-C (SIGINT), SIGTERM and SIGHUP stop coach the same way at any instant, from the first line of
  coach/__main__.py to the last: what the command was doing is undone (nothing half-written is left at a target,
  coach/atomic.py), one line says what was stopped, and the exit status is 128 + the signal's number: 130, 143,
  129. Never a traceback.
- Once the command's result is in place, a signal is too late to matter: the command ends with its own messages
  and status (a single export's files renamed into place: "Wrote s.mp3: ...", 0). A second signal then ends the
  process at once, with 128 + its number: all that is left is printing and leaving, which a stopped terminal or a
  pipe nobody reads can hold up.
- A signal ignored when coach started (nohup, a background job's Ctrl-C) stays ignored.
- (Output into a pipe that closed early is not a signal here: Python ignores SIGPIPE, so coach meets EPIPE and
  ends quietly with 141, coach.cli.shared.OutputGone.)

How, in the order a run meets it
1. From the first line (`note_early`). coach/__main__.py calls it before anything else is imported, so until
   `take_over` a stopping signal is only noted, never raised. This module loads nothing the interpreter has not
   loaded already (`_signal` is signal's C half): only a Ctrl-C while it loads is Python's KeyboardInterrupt, which
   __main__ catches and notes. Before __main__'s first line (the interpreter importing `site`, finding coach) a
   signal is the interpreter's to report.
2. During a command (`take_over`, `stop`). Inside __main__'s `_run`, `stop` becomes the handler and the first
   signal noted so far is raised. `stop` raises Signalled, a KeyboardInterrupt carrying the signal's number, in the
   main thread (Python runs every handler there, whichever thread the signal came to). A command catches it to say
   what it stopped (coach.cli.shared.stopped); coach.cli.app turns it into the status; `_run` catches what came
   before or after the command ("Stopped.").
3. Lines that must not be cut in two (`held`): creating a temp file and recording it for removal, the renames of a
   transaction. A signal that comes meanwhile is kept, and raised as the block ends. A function that must run
   whole once called, such as a clean-up (`uncut`: a transaction's end, stopping the workers), is held from its
   first instruction: Python can run a handler as a function starts, before any `with held()` in it, so there the
   handler finds the function's frame on the stack instead.
4. Signals Python would drop (`keep_lost_interrupts`). Python cannot pass an exception on from a weakref callback
   (such as the import system's clean-up of a module lock), an object's __del__ or a garbage-collector callback:
   it hands it to sys.unraisablehook, which prints "Exception ignored ..." and carries on, so Ctrl-C would only
   print a traceback. coach's hook keeps a Signalled there and arms a one-shot SIGALRM (AGAIN_S), whose handler
   raises it. The hook itself is such a place (what it raises is dropped too), so it only makes a system call and
   never waits (a timer thread once started there made it wait for the thread, and on a loaded machine the signal
   came during that wait and was lost); a signal handled while it runs (the alarm, or a second Ctrl-C) waits for the
   alarm as well (the handlers look for the hook's frame on the stack).
5. The end (`settle`). The command's result is in place once its files are renamed into place, where they are its
   result (a single export, a calendar, a history plot: the renames and `settle` in one held block, through
   coach.atomic.Transaction(final=True)), or else once the command has returned its status (`_run`). From then on
   `stop` lets the first signal go and ends the process on a second. Where a signal has just stopped the command,
   `_run` settles by a plain store, not a call: Python runs a handler only as a function starts, after a call, or
   at a loop's jump back, so none can run between catching the signal and that store, and nothing is raised
   outside `_run`'s try.
6. Export workers (`starting_workers`, `in_worker`). Ctrl-C and SIGHUP go to the whole terminal's process group:
   the main process meets them by stopping the workers (coach/workers.py, SIGTERM, SIGKILL 2 s later), so workers
   ignore them. A worker starts with both blocked, so neither can stop it before it ignores them. A spawned worker
   runs the parent's main script first, which notes SIGTERM (step 1): `in_worker` makes SIGTERM its default again,
   so that the pool's terminate() ends the worker, and one noted meanwhile ends it then.

Under a test runner, which keeps Python's own SIGINT handler, `stop` is not installed: nothing is held, and
nothing is settled. Tests that install `stop` give each run a fresh `state` (State()).
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal as _signal
    from collections.abc import Callable, Iterable, Iterator
    from typing import ParamSpec, TypeVar

    P = ParamSpec("P")
    R = TypeVar("R")
    from types import CodeType, FrameType
else:
    import _signal  # signal's C half, loaded with the interpreter: importing `signal` would take a millisecond

STOPPING = (_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP)
IGNORED_BY_WORKERS = (_signal.SIGINT, _signal.SIGHUP)  # the main process meets them by stopping the workers
AGAIN_S = 0.005  # how soon a signal that came inside a callback is raised again


class Signalled(KeyboardInterrupt):
    """A stopping signal, met as Ctrl-C is: everything stops and cleans up the same way, and the exit status is
    128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class State:
    """This process's signals. Every change is a plain store or a list's append, never a call into Python code, so
    a handler cannot run in the middle of one."""

    __slots__ = ("held", "late", "lost", "noted", "pending", "raised", "settled", "taken")

    def __init__(self) -> None:
        self.noted: list[int] = []  # before take_over: the signals that came
        self.taken = False  # take_over has made `stop` the handler
        self.held = 0  # how deep in held() blocks
        self.pending: list[int] = []  # signals that came in a held block, to raise as it ends
        self.raised: list[int] = []  # every signal raised as Signalled (__main__ reads it)
        self.lost: list[int] = []  # signals Python dropped, waiting for the alarm
        self.settled = False  # the command's result is in place: a signal is too late to stop it
        self.late: list[int] = []  # signals that came once it was


state = State()
_previous: Callable[[sys.UnraisableHookArgs], object] = sys.__unraisablehook__


def note_early(interrupted: bool = False) -> None:
    """From now until `take_over`, note the stopping signals (those not ignored) rather than act on them;
    `interrupted`: a Ctrl-C came already, as Python's KeyboardInterrupt."""
    for signum in STOPPING:
        if _signal.getsignal(signum) != _signal.SIG_IGN:
            _signal.signal(signum, _note)
    if interrupted:
        state.noted.append(_signal.SIGINT)


def _note(signum: int, frame: FrameType | None) -> None:
    state.noted.append(signum)


def take_over() -> None:
    """Make `stop` the handler of every stopping signal `note_early` took, keep the signals Python would drop, and
    raise the first signal that came before."""
    keep_lost_interrupts()
    for signum in STOPPING:
        if _signal.getsignal(signum) is _note:
            _signal.signal(signum, stop)
    state.taken = True
    if state.noted:
        state.raised.append(state.noted[0])
        raise Signalled(state.noted[0])


def stop(signum: int, frame: FrameType | None) -> None:
    """The handler for the stopping signals: Signalled now; or when the held block ends; or (inside the hook, where
    it would be dropped) when the alarm rings; or, once the command's result is in place, nothing (a second signal
    then ends the process at once)."""
    if state.settled:
        state.late.append(signum)
        if len(state.late) > 1:
            os._exit(128 + signum)
        return
    if _on_stack(frame, _hook.__code__):
        _again(signum)
        return
    if state.held or _on_stack(frame, _WHOLE):
        state.pending.append(signum)
        return
    state.raised.append(signum)
    raise Signalled(signum)


def settle() -> None:
    """The command's result is in place: from now on a stopping signal is too late to stop it. Call it in the same
    held block as what puts the result in place, so that no signal comes between the two; a signal held meanwhile
    is one that came too late. (Before `take_over`, as under a test runner, there is nothing to settle.)"""
    if not state.taken:
        return
    state.settled = True
    state.late.extend(state.pending)
    state.pending.clear()


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Lines that must not be cut in two: a stopping signal that comes meanwhile is raised as the block ends."""
    state.held += 1  # a store, not a call: no handler can run between reading and writing it
    try:
        yield
    finally:
        state.held -= 1
        _release()


def uncut(function: Callable[P, R]) -> Callable[P, R]:
    """A function a stopping signal does not cut in two: one that comes from its first instruction on is raised as
    it returns."""

    @functools.wraps(function)
    def whole(*args: P.args, **kwargs: P.kwargs) -> R:
        state.held += 1
        try:
            return function(*args, **kwargs)
        finally:
            state.held -= 1
            _release()

    return whole


def _release() -> None:
    """The end of a held block or function: the first signal that came in it, raised unless another holds it."""
    if not state.held and state.pending:
        signum = state.pending[0]
        state.pending.clear()
        state.raised.append(signum)
        raise Signalled(signum)


def waiting() -> bool:
    """Whether a stopping signal came in the held block or function this runs in (it is raised as that ends)."""
    return bool(state.pending)


_WHOLE = uncut(waiting).__code__  # the code every uncut function starts in


def keep_lost_interrupts() -> None:
    """Make sys.unraisablehook keep a stopping signal Python would print and drop, to be raised again AGAIN_S later
    by SIGALRM's handler; any other unraisable exception goes to the hook there was."""
    global _previous
    if sys.unraisablehook is not _hook:
        _previous = sys.unraisablehook
    _signal.signal(_signal.SIGALRM, _ring)
    sys.unraisablehook = _hook


def _hook(unraisable: sys.UnraisableHookArgs) -> None:
    if isinstance(unraisable.exc_value, Signalled):
        _again(unraisable.exc_value.signum)
        return
    _previous(unraisable)


def _again(signum: int) -> None:
    if signum not in state.lost:
        state.lost.append(signum)
    _signal.setitimer(_signal.ITIMER_REAL, AGAIN_S)


def _ring(_alarm: int, frame: FrameType | None) -> None:
    """SIGALRM's handler: raise the signal that was lost (or, still inside the hook, wait for the next alarm)."""
    if not state.lost:
        return
    if _on_stack(frame, _hook.__code__):
        _signal.setitimer(_signal.ITIMER_REAL, AGAIN_S)
        return
    signum = state.lost[0]
    state.lost.clear()
    stop(signum, frame)


def _on_stack(frame: FrameType | None, code: CodeType) -> bool:
    """Whether the handler runs inside `code`: in the frame it interrupted, or one that called it."""
    while frame is not None:
        if frame.f_code is code:
            return True
        frame = frame.f_back
    return False


@contextlib.contextmanager
def blocked(signals: Iterable[int]) -> Iterator[None]:
    """The signals blocked in this thread for the block (and in the processes it starts)."""
    old = _signal.pthread_sigmask(_signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        _signal.pthread_sigmask(_signal.SIG_SETMASK, old)


def starting_workers() -> contextlib.AbstractContextManager[None]:
    """Start worker processes inside this (submit the executor's jobs): each starts with Ctrl-C and SIGHUP blocked,
    so that neither can stop it before `in_worker` ignores them (this process sees them as the block ends)."""
    return blocked(IGNORED_BY_WORKERS)


def in_worker() -> None:
    """In a worker process, before its first job: Ctrl-C and SIGHUP ignored, SIGTERM the default again (one that
    came while the worker started ends it now)."""
    for signum in IGNORED_BY_WORKERS:
        _signal.signal(signum, _signal.SIG_IGN)
    _signal.pthread_sigmask(_signal.SIG_UNBLOCK, IGNORED_BY_WORKERS)
    _signal.signal(_signal.SIGTERM, _signal.SIG_DFL)
    if _signal.SIGTERM in state.noted:
        os.kill(os.getpid(), _signal.SIGTERM)
