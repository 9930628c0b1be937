"""What the command modules share: the dependencies of this run, finding routines by name, errors on their way
out, and progress bars. It imports no other command module, so every one of them can import it."""

from __future__ import annotations

import errno
import fcntl
import os
import select
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from coach.catalog import RoutineSource, all_sources, path_source
from coach.cli.deps import Deps
from coach.errors import CoachError
from coach.quoting import quoted

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar


def deps_of(ctx: click.Context) -> Deps:
    """This run's dependencies: the root context's obj, built from the environment the first time one is needed
    (tests pass their own, with fakes, as `obj`)."""
    root = ctx.find_root()
    if root.obj is None:
        root.obj = Deps.from_environment()
    if not isinstance(root.obj, Deps):
        raise TypeError(f"the command line's obj must be a Deps, not {type(root.obj).__name__}")
    return root.obj


def current_deps() -> Deps:
    return deps_of(click.get_current_context())


class Stopped(click.ClickException):
    """Ctrl-C: a short message and exit status 130."""

    exit_code = 128 + signal.SIGINT

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.message, err=True)


def stopped(message: str, interrupt: BaseException) -> Stopped:
    """Ctrl-C, SIGTERM or SIGHUP on its way out: the message, and 128 + the signal's number (coach.signals)."""

    class StoppedBy(Stopped):
        exit_code = 128 + getattr(interrupt, "signum", signal.SIGINT)

    return StoppedBy(message)


class OutputGone(click.ClickException):
    """Standard output (or error) is a pipe that was closed, as `coach list | head -1` does: nothing is said, and the
    status is 141, as for a program that SIGPIPE stopped. What is left to write goes to /dev/null."""

    exit_code = 128 + signal.SIGPIPE

    def __init__(self) -> None:
        super().__init__("")
        null = os.open(os.devnull, os.O_WRONLY)
        for fd in (1, 2):
            if _pipe_closed(fd):
                os.dup2(null, fd)
        os.close(null)

    def show(self, file: IO[Any] | None = None) -> None:
        pass


def _pipe_closed(fd: int) -> bool:
    """Whether the descriptor is a pipe whose reading end is gone (poll reports an error on it)."""
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


def _opened_for_reading_only(fd: int) -> bool:
    try:
        return fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY
    except OSError:
        return True


@contextmanager
def output_faults() -> Iterator[None]:
    """Standard output or error that cannot take what is written: a pipe closed early is met quietly (status 141);
    a closed standard output is one sentence."""
    try:
        yield
    except OSError as exc:
        if exc.errno == errno.EPIPE and (_pipe_closed(1) or _pipe_closed(2)):
            raise OutputGone() from None
        if exc.errno == errno.EBADF and _opened_for_reading_only(1):
            raise failure(CoachError("Cannot write to standard output: it is closed.")) from None
        raise


def failure(exc: CoachError) -> click.ClickException:
    """A CoachError on its way out: 'Error: ' and its message, with its own exit status."""

    class Failure(click.ClickException):
        exit_code = exc.exit_code

    return Failure(str(exc))


def command_names() -> frozenset[str]:
    """The built-in commands' names (of the group this run was started with): a user routine cannot take one."""
    context = click.get_current_context(silent=True)
    group = context.find_root().command if context is not None else None
    return frozenset(group.commands) if isinstance(group, click.Group) else frozenset()


def routine_sources(deps: Deps) -> dict[str, RoutineSource]:
    """Every routine by command name (shipped, and the user's, which may be refused for their names)."""
    return all_sources(deps.dirs.config, command_names())


def find_source(name: str, deps: Deps) -> RoutineSource | None:
    """A routine by command name (shipped or the user's) or by the path of its .toml file."""
    if name.endswith(".toml"):
        return path_source(Path(name))
    return routine_sources(deps).get(name)


def routine_names(deps: Deps) -> str:
    return ", ".join(sorted(name for name, source in routine_sources(deps).items() if not source.refused))


def source_named(name: str, deps: Deps) -> RoutineSource:
    source = find_source(name, deps)
    if source is None:
        raise click.UsageError(f"No routine named {quoted(name)}. Routines: {routine_names(deps)}.")
    return source


@contextmanager
def progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr when it is a terminal, silent otherwise; gives `advance(done, total)`."""
    bar: ProgressBar[int] | None = None  # made once there is something to show
    shown = 0

    def advance(done: int, total: int) -> None:
        nonlocal bar, shown
        if not sys.stderr.isatty():
            return
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
        bar.update(done - shown)
        shown = done

    try:
        yield advance
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
