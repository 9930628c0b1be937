"""The commands that are not routines: list, voices, show, info."""

from __future__ import annotations

from pathlib import Path

import click

from coach.choices import SpeechChoices
from coach.cli.options import voice_options
from coach.cli.shared import current_deps, progress, routine_sources, source_named
from coach.defaults import DEFAULT_VOICES, ESPEAK, PIPER
from coach.errors import CoachError
from coach.kinds import Side
from coach.quoting import shown


def reason_of(exc: OSError) -> str:
    text = str(exc) if exc.strerror is None else exc.strerror
    return text[0].lower() + text[1:] if text else type(exc).__name__


@click.command("list")
def list_routines() -> None:
    """List the routines, one line each.

    \b
    Example:
      coach list
    """
    for name, source in sorted(routine_sources(current_deps()).items()):
        try:
            routine = source.load()
        except CoachError as exc:
            click.echo(f"{name:<16}(cannot be loaded: {exc})")
            continue
        stroke = routine.stroke
        low, high = stroke.recommended
        click.echo(f"{name:<16}{routine.title} ({stroke.default} strokes a side, {low}-{high} advised)")


@click.command("voices")
def list_voices() -> None:
    """List every engine's voices (use one with --voice, and --engine for espeak-ng's).

    \b
    Examples:
      coach voices
      coach psoas --side right --voice ~/voices/en_GB-alba-medium.onnx
      coach psoas --side right --engine espeak --voice gmw/en-gb-x-rp
    """
    deps = current_deps()
    for kind, title in (
        (PIPER, "Piper voices (--engine piper, the default)"),
        (ESPEAK, "espeak-ng voices (--engine espeak)"),
    ):
        click.echo(f"{title}:")
        for voice in deps.engines(kind).build().voices():
            mark = "*" if voice.id == DEFAULT_VOICES[kind] else " "
            click.echo(f"{mark} {shown(voice.id):<24}{voice.name}")  # a file's name: quoted if it is not plain
    click.echo("(* each engine's default voice)")
    click.echo(f"A Piper voice of your own: put NAME.onnx and NAME.onnx.json in {deps.dirs.voices}, "
               "or give --voice the path of its .onnx file.")  # fmt: skip


@click.command("show")
@click.argument("routine_name", metavar="ROUTINE")
@voice_options
@click.option(
    "--picture", is_flag=False, flag_value="", default=None, metavar="[FILE]",
    help="Instead, write the routine's picture (the position, the spot and the stroke) to FILE, .png or .svg; "
    "with no FILE, open it in the image viewer (or say where it was written).",
)  # fmt: skip
@click.option(
    "--side", type=click.Choice(["right", "left"]), default="right", show_default=True,
    help="The side the picture shows (with --picture).",
)  # fmt: skip
def show(routine_name: str, speech: SpeechChoices, picture: str | None, side: str) -> None:
    """Describe a routine: its phases, strokes, tempos, and how long a session lasts in each shape; or, with
    --picture, show where to press.

    Lengths are for the routine's default strokes with brief guidance and the intro, for one side and for both; a
    stroke lasts its steps' beats, or more where the voice's words need them, the same for every stroke of a phase.
    The tempo table is for the teach shape; the shapes table, at the routine's tempo, also gives when the first
    stroke starts. A live session adds its program line (a few seconds) after the welcome. Last, where each sound is
    heard in stereo, phase by phase of a both-sides session: a pan from left 1 through the centre to right 1.

    \b
    Examples:
      coach show psoas
      coach show ./my-routine.toml
      coach show psoas --side right --picture
      coach show iliacus --side left --picture iliacus-left.png
    """
    from coach import report
    from coach.kinds import Shape, Tempo
    from coach.script import Options
    from coach.session import prepare
    from coach.speech.cache import Speaker, SpeechCache

    deps = current_deps()
    source = source_named(routine_name, deps)
    routine = source.load()
    if picture is not None:
        from coach.cli.picture import show_picture

        show_picture(deps, source, routine, Side(side), picture)
        return
    speaker = Speaker(deps.engines(speech.engine), speech.voice, speech.pace, SpeechCache(deps.dirs.cache))
    lengths: dict[tuple[Tempo, Side], float] = {}
    strokes: dict[Tempo, str] = {}
    placements = ""
    with progress("Preparing speech") as advance, source.naming_silent_lines():
        for tempo in Tempo:
            for side in (Side.RIGHT, Side.BOTH):
                session = prepare(routine, Options(side=side, tempo=tempo), speaker, advance)
                lengths[(tempo, side)] = session.timeline.seconds(session.timeline.length)
                if side is Side.BOTH and tempo is routine.stroke.tempo:
                    placements = report.placements_text(session.timeline)
                if side is Side.RIGHT:
                    strokes[tempo] = report.stroke_text(session.timeline)
        shapes: dict[Shape, report.ShapeLengths] = {}
        for shape in Shape:
            one, both = (
                prepare(
                    routine, Options(side=side, shape=shape, short_intro=shape is Shape.QUICK), speaker, advance
                ).timeline
                for side in (Side.RIGHT, Side.BOTH)
            )
            shapes[shape] = report.shape_lengths(one, both)
    click.echo(report.show_text(routine, lengths, strokes, shapes, placements), nl=False)


@click.command("info")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def info(file: Path) -> None:
    """Show an audio file's length, tags and chapters.

    \b
    Example:
      coach info psoas-right.mp3
    """
    from coach.output.tags import NotAudio, describe
    from coach.reading import open_regular

    try:
        opened = open_regular(file, None)  # a FIFO or a device (/dev/zero) is refused, not read forever
    except FileNotFoundError:
        raise CoachError(f"{shown(file)}: no such file.") from None
    except OSError as exc:
        raise CoachError(f"{shown(file)}: {reason_of(exc)}.") from None
    with opened:
        try:
            text = describe(opened, file.name)
        except NotAudio as exc:
            raise CoachError(f"{shown(file)}: {exc}.") from None
    click.echo(text, nl=False)
