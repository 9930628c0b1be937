"""Worker processes for coach export (an edge: it starts processes and watches them by the clock).

Workers are spawned, not forked (no fork of a process that has espeak-ng's thread running). What signals do to them
is coach/signals.py's (step 6): they ignore Ctrl-C and SIGHUP, which the main process meets by stopping them, and end
on SIGTERM. A worker whose parent has gone (killed outright) exits within WATCH_S, so that it neither works on for
nothing nor keeps the resource tracker alive. Stopping the pool stops its workers at once, in the middle of a session
if need be, where the executor's own shutdown would wait for the sessions they have begun.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from coach import signals

WATCH_S = 0.1  # how often a worker looks for its parent, and the parent wakes while it waits for them
TERM_WAIT_S = 2.0  # how long a stopped worker has to end on SIGTERM before SIGKILL


def start(
    count: int, initializer: Callable[..., None] | None = None, initargs: tuple[object, ...] = ()
) -> ProcessPoolExecutor:
    """A pool of `count` spawned workers, each running `initializer(*initargs)` once it has started; submit jobs
    inside `signals.starting_workers()`. The resource tracker (multiprocessing's helper process) is started here
    with SIGHUP blocked, so that it lives through the terminal closing until the main process has stopped the
    workers; it ignores SIGINT itself."""
    from multiprocessing import resource_tracker

    with signals.blocked({signal.SIGHUP}):
        resource_tracker.ensure_running()
    context = multiprocessing.get_context("spawn")
    begin = (os.getpid(), initializer, initargs)
    return ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=_begin, initargs=begin)


@signals.uncut
def stop(pool: ProcessPoolExecutor) -> None:
    """Stop the pool's workers now and let the pool go: SIGTERM, and SIGKILL for a worker still there after
    TERM_WAIT_S (one that had not yet made SIGTERM its default again). A worker left running would hang this
    process: the executor's own thread waits for it, holding a lock the executor's clean-up needs. That thread
    joins the workers too, and whichever thread reaps a worker first records its exit code: so it is waited for
    (TERM_WAIT_S at most) before this returns, and every worker's exit code is known then. A stopping signal that
    comes meanwhile (a second Ctrl-C) is met once it returns."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # the executor has no public way to them
    manager = getattr(pool, "_executor_manager_thread", None)  # nor to its thread
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
            process.join(timeout=TERM_WAIT_S)
            if process.exitcode is None:
                process.kill()  # cannot be caught or ignored: it ends, however loaded the machine is
                process.join()
    if manager is not None:
        manager.join(TERM_WAIT_S)


def _begin(parent: int, initializer: Callable[..., None] | None, initargs: tuple[object, ...]) -> None:
    """In each worker, before its first job: its signals (coach/signals.py), and a thread that ends the worker
    when its parent has gone."""
    signals.in_worker()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_S)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    if initializer is not None:
        initializer(*initargs)
