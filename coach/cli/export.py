"""coach export: a whole library of sessions for a phone, in one folder."""

from __future__ import annotations

import os
from pathlib import Path

import click

from coach.catalog import RoutineSource
from coach.choices import SessionChoices, SpeechChoices
from coach.cli.deps import Deps
from coach.cli.options import FileChoices, check_tempo, file_options, session_options, voice_options
from coach.cli.shared import current_deps, progress, routine_sources, source_named, stopped
from coach.cli.tools import check_tool
from coach.errors import CoachError
from coach.kinds import AUTO, Shape, Tool
from coach.quoting import quoted, shown


@click.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@session_options
@voice_options
@click.option(
    "--format", "fmt", type=click.Choice(["mp3", "wav", "flac", "ogg"]), default="mp3", show_default=True,
    help="The audio format.",
)  # fmt: skip
@file_options
@click.option(
    "--routine", "routines", multiple=True, metavar="NAME",
    help="Only this routine (give it again for more) [default: all of them].",
)  # fmt: skip
@click.option(
    "--workers", type=click.IntRange(1, 64), default=os.cpu_count() or 1, show_default="all cores",
    help="Processes at work at once (making speech, then rendering sessions).",
)  # fmt: skip
def export(
    folder: Path,
    session: SessionChoices,
    speech: SpeechChoices,
    fmt: str,
    files: FileChoices,
    routines: tuple[str, ...],
    workers: int,
) -> None:
    """Write every routine, on each side and on both, to FOLDER, with a playlist (coach.m3u) and an index.

    Each comes as a teach session (NAME-SIDE, the whole session, for a first time) and a quick one (NAME-SIDE-quick,
    for the later sessions of a day); --shape teach, refresh or quick writes that shape only. With --tool cane or
    knobbler, the routines that take it, as NAME-SIDE-TOOL (psoas-right-cane.mp3), beside the hands' files.

    The files play in order on a phone, with named chapters. Running it again writes only what changed: a file
    whose routine and settings are the same as last time is left alone.

    \b
    Examples:
      coach export ~/coach-sessions
      coach export ~/coach-sessions --guidance minimal --tempo slow --lyrics
      coach export ~/psoas-only --routine psoas --format ogg
      coach export ~/coach-cane --tool cane
    """
    from coach.library import INDEX, PLAYLIST, Settings, export_library

    deps = current_deps()
    check_tempo(session)
    if folder.exists() and not os.access(folder, os.W_OK):
        raise click.ClickException(f"Cannot write to {shown(folder)}: the folder is not writable.")
    settings = Settings(
        strokes=session.strokes, tempo=session.tempo, bpm=session.bpm, guidance=session.guidance,
        intro=session.intro, engine=speech.engine, voice=speech.voice, pace=speech.pace, suffix=f".{fmt}",
        channels=files.channels, bitrate=files.bitrate, lyrics=files.lyrics, srt=files.srt,
        shapes=(Shape.TEACH, Shape.QUICK) if session.shape is AUTO else (session.shape,), tool=session.tool,
    )  # fmt: skip
    sources = with_tool(chosen_sources(routines, deps), session.tool, bool(routines), deps)
    try:
        with progress("Preparing speech") as lines, progress("Writing sessions") as sessions:
            jobs, written = export_library(
                sources, folder, settings, deps.engines(speech.engine), deps.dirs.cache, workers, lines,
                lambda done, count, total: sessions(count, total),
            )  # fmt: skip
    except KeyboardInterrupt as exc:
        raise stopped(
            f"Stopped: the sessions written so far in {shown(folder)} are complete; run again to finish.", exc
        ) from None
    fresh = len(jobs) - len(written)
    if written:
        click.echo(f"Wrote {len(written)} sessions to {shown(folder)} ({fresh} already up to date), "
                   f"with {PLAYLIST} and {INDEX}.", err=True)  # fmt: skip
    else:
        click.echo(f"All {len(jobs)} sessions in {shown(folder)} are up to date.", err=True)


def with_tool(sources: list[RoutineSource], tool: Tool, named: bool, deps: Deps) -> list[RoutineSource]:
    """The routines that take the tool: one named with --routine that does not is refused; of all of them, those
    done with the hands only are left out, with a note."""
    taking = [source for source in sources if tool in source.load().tools]
    if named:
        for source in sources:
            check_tool(tool, source, source.load(), deps)
        return sources
    left = [source.name for source in sources if source not in taking]
    if left:
        click.echo(f"Left out, as they are done with the hands: {', '.join(left)}.", err=True)
    if not taking:
        raise CoachError(f"No routine takes --tool {tool}, so there is nothing to export.")
    return taking


def chosen_sources(routines: tuple[str, ...], deps: Deps) -> list[RoutineSource]:
    """The routines named with --routine (each must load: an error is the command's), or every routine that loads
    (the others are left out, with a warning each). A routine is usable with its picture."""
    from coach.picture.pictures import usable

    sources = []
    if routines:
        named: dict[str, str] = {}
        for given in dict.fromkeys(routines):
            source = source_named(given, deps)
            if source.name in named:
                raise click.UsageError(
                    f"--routine {shown(named[source.name])} and --routine {shown(given)} are both named "
                    f"{quoted(source.name)}: their sessions would have the same file names."
                )
            named[source.name] = given
            usable(source)
            sources.append(source)
        return sources
    for source in routine_sources(deps).values():
        try:
            usable(source)
        except CoachError as exc:
            click.echo(f"Warning: left out, as it cannot be loaded: {exc}", err=True)
            continue
        sources.append(source)
    if not sources:
        raise CoachError("No routine can be loaded, so there is nothing to export.")
    return sources
