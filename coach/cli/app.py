"""The coach command group: the built-in commands, listed here, and one command per routine (shipped, in the
config dir, or a .toml path). Errors become one sentence and an exit status here, and nowhere else."""

from __future__ import annotations

from typing import Any

import click

from coach import __version__
from coach.cli import shared
from coach.cli.commands import info, list_routines, list_voices, show
from coach.cli.export import export
from coach.cli.listen import listen_command
from coach.cli.paper import handout, report
from coach.cli.play import routine_command
from coach.cli.program import history, log
from coach.cli.remind import remind
from coach.cli.shared import deps_of, failure, find_source, output_faults, routine_names, stopped
from coach.errors import CoachError
from coach.quoting import quoted

COMMANDS = (list_routines, list_voices, show, info, export, log, history, remind, handout, report, listen_command)


class CoachGroup(click.Group):
    """The built-in commands plus one command per routine."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        builtins = super().list_commands(ctx)
        return [*builtins, *sorted(name for name in shared.routine_sources(deps_of(ctx)) if name not in builtins)]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is not None:
            return command
        source = find_source(name, deps_of(ctx))
        return routine_command(source) if source else None

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if not name.startswith("-") and self.get_command(ctx, name) is None:
            raise click.UsageError(
                f"No routine or command named {quoted(name)}. Routines: {routine_names(deps_of(ctx))}. "
                "See 'coach list'."
            )
        return super().resolve_command(ctx, args)

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        with output_faults():  # --help and --version print here
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> object:
        try:
            with output_faults():
                return super().invoke(ctx)
        except CoachError as exc:
            raise failure(exc) from None
        except KeyboardInterrupt as exc:
            raise stopped("Stopped.", exc) from None
        except OSError as exc:  # the last net for a file system fault not met more precisely where it happened
            where = f"{exc.filename}: " if exc.filename else ""
            raise failure(CoachError(f"{where}{exc.strerror or exc}.")) from None


def run(args: list[str]) -> int:
    """Run the command line as the `coach` command does (coach/__main__.py), and return its exit status."""
    try:
        result = cli.main(args, prog_name="coach", standalone_mode=False)
    except click.ClickException as exc:
        with output_faults():
            exc.show()
        return exc.exit_code
    except click.Abort as exc:  # click's own word for an interrupt that came while it read the arguments
        raise exc.__cause__ if isinstance(exc.__cause__, KeyboardInterrupt) else KeyboardInterrupt() from None
    return result if isinstance(result, int) else 0


@click.group(
    cls=CoachGroup,
    commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
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
      coach remind psoas --install                 reminders through the day, on this desktop
      coach handout psoas --side right -o h.pdf    the routine and its tick sheet, on paper
      coach report -o report.pdf                   the program so far, for a therapist
      coach listen                                 check that coach hears "coach, pause" and the rest
      coach list                                   the routines
    """
