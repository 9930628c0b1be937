"""The click group, error handling and the pieces every command shares."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from coach import __version__
from coach.catalog import RoutineSource, all_sources, path_source
from coach.errors import CoachError
from coach.paths import config_dir


class Stopped(click.ClickException):
    """Ctrl-C: a short message and exit status 130."""

    exit_code = 130

    def show(self, file: Any = None) -> None:
        click.echo(self.message, err=True)


def failure(exc: CoachError) -> click.ClickException:
    """A CoachError on its way out: 'Error: ' and its message, with its own exit status."""

    class Failure(click.ClickException):
        exit_code = exc.exit_code

    return Failure(str(exc))


def find_source(name: str) -> RoutineSource | None:
    """A routine by command name (shipped or the user's) or by the path of its .toml file."""
    if name.endswith(".toml"):
        return path_source(Path(name))
    return all_sources(config_dir()).get(name)


def routine_names() -> str:
    return ", ".join(sorted(all_sources(config_dir())))


class CoachGroup(click.Group):
    """Built-in commands plus one command per routine (shipped, in the config dir, or a .toml path)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *sorted(all_sources(config_dir()))]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        from coach.cli.play import routine_command

        command = super().get_command(ctx, name)
        if command is not None:
            return command
        source = find_source(name)
        return routine_command(source) if source else None

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        name = args[0] if args else ""
        if not name.startswith("-") and self.get_command(ctx, name) is None:
            raise click.UsageError(
                f"No routine or command named {name!r}. Routines: {routine_names()}. See 'coach list'."
            )
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CoachError as exc:
            raise failure(exc) from None
        except KeyboardInterrupt:
            raise Stopped("Stopped.") from None
        except OSError as exc:  # the last net for a file system fault not met more precisely where it happened
            where = f"{exc.filename}: " if exc.filename else ""
            raise failure(CoachError(f"{where}{exc.strerror or exc}.")) from None


@click.group(cls=CoachGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="coach")
def cli() -> None:
    """A voice-guided coach for self-massage routines, made to follow lying down with your eyes closed.

    Each routine is a command. It talks you into position, helps you find the muscle, and paces every stroke
    with spoken cues and soft metronome ticks. Play it through your headphones, or write it to an MP3.

    \b
    Examples:
      coach psoas --side right                     play a session
      coach psoas --side both --strokes 10         right side, then left
      coach psoas --side left -o psoas-left.mp3    write a session to play later
      coach psoas --side right --script            read the session as timed text
      coach export ~/coach-sessions                every routine and side, for a phone
      coach list                                   the routines
    """


@contextmanager
def progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr when it is a terminal, silent otherwise; gives `advance(done, total)`."""
    bars: list[Any] = []  # the bar, once there is something to show
    shown = [0]

    def advance(done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        if not bars:
            bars.append(click.progressbar(length=total, label=label, file=sys.stderr))
            bars[0].__enter__()
        bars[0].update(done - shown[0])
        shown[0] = done

    try:
        yield advance
    finally:
        if bars:
            bars[0].__exit__(None, None, None)
