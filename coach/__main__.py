"""The entry point: the `coach` console script and `python -m coach`.

Signals are caught from this module's first lines: Ctrl-C (SIGINT), SIGTERM and SIGHUP that come while coach starts,
before the command line is even imported, end in "Stopped." and the status 128 + the signal's number, as they do
during a command, never in a traceback. (A signal that comes while the interpreter imports its own `site` module,
before this module runs, and in finding this module, is the interpreter's to report.) Standard input, output and
error are made to exist, since a shell can start coach with any of them closed.
"""

from __future__ import annotations

_early: list[int] = []  # signals that came before main() could act on them
STOPPING: tuple[int, ...] = (2, 15, 1)  # SIGINT, SIGTERM, SIGHUP (the same numbers on every POSIX system)


def _note(signum: int, frame: object) -> None:
    _early.append(signum)


try:  # Ctrl-C until the handlers are in place is Python's KeyboardInterrupt: noted as theirs would be
    import _signal  # type: ignore[import-not-found]  # signal's C half, loaded with the interpreter: no import time

    for _signum in STOPPING:
        if _signal.getsignal(_signum) != _signal.SIG_IGN:  # ignored stays ignored: nohup, or a background job
            _signal.signal(_signum, _note)
except KeyboardInterrupt:
    _early.append(STOPPING[0])

import signal  # noqa: E402  (after the handlers: importing it takes a millisecond)


def main() -> None:
    import sys

    status = _run(sys.argv[1:])
    _leave_quietly()
    sys.exit(status)


def _run(args: list[str]) -> int:
    from coach.errors import Signalled
    from coach.interrupts import keep_lost_interrupts, stop

    try:
        keep_lost_interrupts()
        for signum in STOPPING:
            if signal.getsignal(signum) is _note:
                signal.signal(signum, stop)  # SIGTERM and SIGHUP stop coach as Ctrl-C does
        if _early:
            raise Signalled(_early[0])
        _standard_streams()
        from coach.cli.app import run

        return run(args)
    except KeyboardInterrupt as exc:  # before a command started (a command says itself what it stopped)
        _say("Stopped.")
        return 128 + getattr(exc, "signum", signal.SIGINT)
    except Exception:
        from coach.interrupts import raised

        if not raised:
            raise
        # The interrupt came inside a C function that made another exception of it: an import that failed on
        # purpose (ssl's `from _ssl import RAND_egd`) gives "TypeError: expected a message argument" instead.
        _say("Stopped.")
        return 128 + raised[-1]


def _standard_streams() -> None:
    """Give a closed standard stream a stand-in: /dev/null to read from for input; for output, /dev/null opened for
    reading only, so that writing fails and the command says that standard output is closed; for error, /dev/null
    (messages have nowhere to go). Without this a file opened later could take the number 0, 1 or 2."""
    import os
    import sys

    for fd, name, mode in ((0, "stdin", os.O_RDONLY), (1, "stdout", os.O_RDONLY), (2, "stderr", os.O_WRONLY)):
        try:
            os.fstat(fd)
        except OSError:
            opened = os.open(os.devnull, mode)
            if opened != fd:
                os.dup2(opened, fd)
                os.close(opened)
            stream = open(fd, "r" if fd == 0 else "w", encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
            setattr(sys, name, stream)


def _say(message: str) -> None:
    import contextlib
    import sys

    with contextlib.suppress(OSError, ValueError, AttributeError):  # standard error is gone: the status says it
        print(message, file=sys.stderr, flush=True)


def _leave_quietly() -> None:
    """What is left to print goes out now; a signal from here on ends the process at once, with its status."""
    import os
    import sys

    for signum in STOPPING:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, lambda signum, frame: os._exit(128 + signum))
    for fd, stream in ((1, sys.stdout), (2, sys.stderr)):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a pipe closed early: what could not be written is dropped
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, fd)
            os.close(null)


if __name__ == "__main__":
    main()
