"""The entry point: the `coach` console script and `python -m coach`.

Its first lines hand the stopping signals (Ctrl-C, SIGTERM, SIGHUP) to coach/signals.py, before the command line is
imported: that module says what they do at every moment of a run. Standard input, output and error are made to
exist, since a shell can start coach with any of them closed.
"""

from __future__ import annotations

try:  # noted from here on (coach/signals.py, step 1)
    from coach import signals

    signals.note_early()
except KeyboardInterrupt:  # Python's own handler met a Ctrl-C while coach.signals loaded
    from coach import signals

    signals.note_early(interrupted=True)

import signal  # after the handlers: importing it takes a millisecond


def main() -> None:
    import sys

    status = _run(sys.argv[1:])
    _flush()
    sys.exit(status)


def _run(args: list[str]) -> int:
    """Run the command line, and return the exit status. A stopping signal is raised only inside this function's
    try, and once it returns the command's result is settled (coach/signals.py, steps 2 and 5)."""
    try:
        signals.take_over()
        _standard_streams()
        from coach.cli.app import run

        status = run(args)
        signals.settle()
        return status
    except KeyboardInterrupt as exc:  # before a command started, or as it ended (a command says itself what it stopped)
        signals.state.settled = True  # first, and a store, not a call: no handler can run before it
        _say("Stopped.")
        return 128 + getattr(exc, "signum", signal.SIGINT)
    except Exception:
        signals.state.settled = True
        if not signals.state.raised:
            raise
        # The interrupt came inside a C function that made another exception of it: an import that failed on
        # purpose (ssl's `from _ssl import RAND_egd`) gives "TypeError: expected a message argument" instead.
        _say("Stopped.")
        return 128 + signals.state.raised[-1]


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


def _flush() -> None:
    """What is left to print goes out now; standard output or error that cannot take it (a pipe closed early) is
    pointed at /dev/null, so that the interpreter's own flush at exit says nothing."""
    import os
    import sys

    for fd, stream in ((1, sys.stdout), (2, sys.stderr)):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # what could not be written is dropped
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, fd)
            os.close(null)


if __name__ == "__main__":
    main()
