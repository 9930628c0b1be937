"""The command line: a thin click layer over the pipeline. Every routine file is a command of its own."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from coach import __version__
from coach.catalog import RoutineSource, all_sources, path_source
from coach.defaults import DEFAULT_RATE, DEFAULT_VOICE, RATE_RANGE
from coach.errors import AudioOutputError, CoachError
from coach.paths import cache_dir, config_dir
from coach.routine import BPM_RANGE, TEMPOS, Routine
from coach.script import GUIDANCE, SIDE_CHOICES


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


class CoachGroup(click.Group):
    """Built-in commands plus one command per routine (shipped, in the config dir, or a .toml path)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *sorted(all_sources(config_dir()))]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is not None:
            return command
        if name.endswith(".toml"):
            return routine_command(path_source(Path(name)))
        source = all_sources(config_dir()).get(name)
        return routine_command(source) if source else None

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        name = args[0] if args else ""
        if not name.startswith("-") and self.get_command(ctx, name) is None:
            known = ", ".join(sorted(all_sources(config_dir())))
            raise click.UsageError(f"No routine or command named {name!r}. Routines: {known}. See 'coach list'.")
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CoachError as exc:
            raise failure(exc) from None
        except KeyboardInterrupt:
            raise Stopped("Stopped.") from None


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
      coach list                                   the routines
    """


@cli.command("list")
def list_routines() -> None:
    """List the routines, one line each.

    \b
    Example:
      coach list
    """
    for name, source in sorted(all_sources(config_dir()).items()):
        try:
            routine = source.load()
        except CoachError as exc:
            click.echo(f"{name:<16}(cannot be loaded: {exc})")
            continue
        stroke = routine.stroke
        click.echo(
            f"{name:<16}{routine.title} ({stroke.default} strokes a side, {stroke.recommended[0]}"
            f"-{stroke.recommended[1]} advised)"
        )


@cli.command("voices")
def list_voices() -> None:
    """List the voices the speech engine offers (use one with --voice).

    \b
    Example:
      coach voices
      coach psoas --side right --voice gmw/en-gb-x-rp
    """
    from coach.speech import Pyttsx3Engine

    for voice in Pyttsx3Engine(cache_dir() / "scratch").voices():
        mark = "*" if voice.id == DEFAULT_VOICE else " "
        click.echo(f"{mark} {voice.id:<24}{voice.name}")
    click.echo("(* the default voice)")


def stack(*decorators: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Apply click options in the order they are listed (the first shows first in help)."""

    def apply(command: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return apply


session_options = stack(
    click.option(
        "--side",
        type=click.Choice(SIDE_CHOICES),
        help="The side to work (required): right or left names the muscle worked; both works right, then left.",
    ),
    click.option("--strokes", type=click.IntRange(1, 30), help="Strokes on each side [default: the routine's]."),
    click.option("--tempo", type=click.Choice(TEMPOS), help="Stroke tempo [default: the routine's]."),
    click.option("--bpm", type=click.IntRange(*BPM_RANGE), help="Beats a minute, instead of a named tempo."),
    click.option(
        "--guidance",
        type=click.Choice(GUIDANCE),
        default="brief",
        show_default=True,
        help="full: every stroke's words; brief: full words for the first strokes, then short ones; "
        "minimal: counts and sounds only.",
    ),
    click.option("--no-intro", is_flag=True, help="Skip settling in and the safety words (you know the routine)."),
)

voice_options = stack(
    click.option("--voice", default=DEFAULT_VOICE, show_default=True, help="Voice id (see 'coach voices')."),
    click.option(
        "--rate",
        type=click.IntRange(*RATE_RANGE),
        default=DEFAULT_RATE,
        show_default=True,
        help="Speaking rate, in words a minute.",
    ),
)

output_options = stack(
    click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write the session to FILE (.mp3 or .wav) instead of playing it.",
    ),
    click.option("--script", "as_script", is_flag=True, help="Print the session as timed text; play nothing."),
    click.option("--json", "as_json", is_flag=True, help="With --script: print the timeline as JSON."),
)


def routine_command(source: RoutineSource) -> click.Command:
    try:
        routine: Routine | None = source.load()
    except CoachError:
        routine = None  # the error is shown when the command runs
    title = routine.title if routine else f"(cannot be loaded: run 'coach {source.name}' to see why)"
    description = routine.description if routine else ""
    name = source.name
    help_text = f"""{title}.

    {description}

    \b
    Examples:
      coach {name} --side right
      coach {name} --side both --strokes 10 --tempo slow
      coach {name} --side left --guidance minimal --no-intro
      coach {name} --side left -o {name}-left.mp3
      coach {name} --side right --script
    """

    @click.command(name=name, help=help_text, short_help=title)
    @session_options
    @voice_options
    @output_options
    def command(**options: Any) -> None:
        run_routine(source, **options)

    return command


@cli.command("show")
@click.argument("routine_name", metavar="ROUTINE")
@voice_options
def show(routine_name: str, voice: str, rate: int) -> None:
    """Describe a routine: its phases, strokes, tempos, and how long a session lasts.

    Lengths are for the routine's default strokes with brief guidance and the intro, for one side and for both.

    \b
    Examples:
      coach show psoas
      coach show ./my-routine.toml
    """
    from coach import report
    from coach.script import Options
    from coach.session import prepare
    from coach.speech import Pyttsx3Engine, SpeechCache

    routine = _source(routine_name).load()
    engine, cache = Pyttsx3Engine(cache_dir() / "scratch"), SpeechCache(cache_dir())
    lengths = {}
    with _progress("Preparing speech") as advance:
        for tempo in TEMPOS:
            for side in ("right", "both"):
                session = prepare(routine, Options(side, tempo=tempo), engine, cache, voice, rate, advance)
                lengths[(tempo, side)] = session.timeline.seconds(session.timeline.length)
    click.echo(report.show_text(routine, lengths), nl=False)


def _source(name: str) -> RoutineSource:
    if name.endswith(".toml"):
        return path_source(Path(name))
    sources = all_sources(config_dir())
    if name not in sources:
        raise click.UsageError(f"No routine named {name!r}. Routines: {', '.join(sorted(sources))}.")
    return sources[name]


def run_routine(
    source: RoutineSource,
    *,
    side: str | None,
    strokes: int | None,
    tempo: str | None,
    bpm: int | None,
    guidance: str,
    no_intro: bool,
    voice: str,
    rate: int,
    output: Path | None,
    as_script: bool,
    as_json: bool,
) -> None:
    from coach import report
    from coach.mixer import render, render_all
    from coach.output.files import check_target, write_file
    from coach.script import Options
    from coach.session import prepare
    from coach.speech import Pyttsx3Engine, SpeechCache

    if side is None:
        raise click.UsageError("Missing option '--side': choose right, left or both.")
    if as_json and not as_script:
        raise click.UsageError("--json goes with --script.")
    if output is not None and as_script:
        raise click.UsageError("--script prints the session; it cannot be combined with -o.")
    if tempo is not None and bpm is not None:
        raise click.UsageError("Give --tempo or --bpm, not both.")
    if output is not None:
        check_target(output)
    routine = source.load()
    options = Options(side, strokes, tempo, bpm, guidance, intro=not no_intro)
    with _progress("Preparing speech") as advance:
        engine = Pyttsx3Engine(cache_dir() / "scratch")
        session = prepare(routine, options, engine, SpeechCache(cache_dir()), voice, rate, advance)
    timeline = session.timeline

    if as_script:
        if as_json:
            click.echo(json.dumps(report.script_json(timeline), indent=1))
        else:
            click.echo(report.script_text(timeline), nl=False)
        return
    if output is not None:
        try:
            with _progress(f"Writing {output.name}") as advance:
                write_file(
                    output,
                    render(timeline, session.clips),
                    timeline.sample_rate,
                    lambda done: advance(done, timeline.length),
                )
        except KeyboardInterrupt:
            raise Stopped(f"Stopped: {output} was not written.") from None
        click.echo(f"Wrote {output}: {report.summary(timeline)}", err=True)
        return

    from coach.output.playback import Player, SimpleaudioBackend

    click.echo(f"Playing {report.summary(timeline)} Ctrl-C stops.", err=True)
    try:
        Player(SimpleaudioBackend()).play(timeline, lambda a, b: render_all(timeline, session.clips, a, b))
    except AudioOutputError as exc:
        raise AudioOutputError(
            f"{exc} To listen later, write the session to a file: "
            f"coach {source.name} --side {side} -o {source.name}-{side}.mp3"
        ) from None
    except KeyboardInterrupt:
        raise Stopped("Stopped.") from None
    click.echo("Session complete.", err=True)


class _progress:
    """A progress bar on stderr when it is a terminal, silent otherwise; gives `advance(done, total)`."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None
        self.shown = 0

    def __enter__(self) -> Callable[[int, int], None]:
        return self.advance

    def advance(self, done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


def main() -> None:
    try:
        cli(prog_name="coach")
    except BrokenPipeError:  # output piped into a command that stopped reading, such as `head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
