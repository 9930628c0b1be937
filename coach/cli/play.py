"""One command per routine: play a session, write it to a file, or print it."""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from coach.catalog import RoutineSource
from coach.cli.base import Stopped, progress
from coach.cli.options import check_tempo, output_options, session_options, side_option, voice_options
from coach.errors import AudioOutputError, CoachError
from coach.kinds import AUTO, Guidance, Side, Tempo
from coach.paths import cache_dir
from coach.routine import Routine


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
    @side_option
    @session_options
    @voice_options
    @click.option("--no-log", is_flag=True, help="Do not record this session in the program log.")
    @output_options
    def command(**options: Any) -> None:
        run_routine(source, **options)

    return command


def session_for(routine: Routine, options: Any, voice: str, rate: int) -> Any:
    """Prepare a session, with a progress bar while speech is synthesized."""
    from coach.session import prepare
    from coach.speech.cache import SpeechCache
    from coach.speech.espeak import Pyttsx3Engine

    with progress("Preparing speech") as advance:
        engine = Pyttsx3Engine(cache_dir() / "scratch")
        return prepare(routine, options, engine, SpeechCache(cache_dir()), voice, rate, advance)


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
    no_log: bool,
    output: Path | None,
    bitrate: str,
    mono: bool,
    lyrics: bool,
    srt: bool,
    as_script: bool,
    as_json: bool,
) -> None:
    from coach import report
    from coach.script import Options

    if side is None:
        raise click.UsageError("Missing option '--side': choose right, left, both or auto.")
    if as_json and not as_script:
        raise click.UsageError("--json goes with --script.")
    if output is not None and as_script:
        raise click.UsageError("--script prints the session; it cannot be combined with -o.")
    if (lyrics or srt) and output is None:
        raise click.UsageError("--lyrics and --srt go with -o FILE.")
    check_tempo(tempo, bpm)
    if output is not None:
        from coach.output.files import check_target

        check_target(output)
    routine = source.load()
    live = output is None and not as_script
    # the log stays open for the live session, and is closed when the command ends, however it ends
    plan = click.get_current_context().with_resource(ProgramPlan.open(routine, side, use_log=not no_log, aware=live))
    options = Options(
        plan.side, strokes, None if tempo is None else Tempo(tempo), bpm, Guidance(guidance), intro=not no_intro,
        short_intro=plan.short_intro, standing=plan.standing,
    )  # fmt: skip
    session = session_for(routine, options, voice, rate)
    timeline = session.timeline

    if as_script:
        if as_json:
            click.echo(json.dumps(report.script_json(timeline), indent=1))
        else:
            click.echo(report.script_text(timeline), nl=False)
        return
    if output is not None:
        from coach.output.export import export_session
        from coach.output.files import Encoding

        encoding = Encoding(1 if mono else 2, int(bitrate))
        try:
            with progress(f"Writing {output.name}") as advance:
                written = export_session(
                    session, output, voice, rate, encoding, lyrics, srt,
                    progress=lambda done: advance(done, timeline.length),
                )  # fmt: skip
        except KeyboardInterrupt:
            raise Stopped(f"Stopped: {output} was not written.") from None
        also = "".join(f", {path.name}" for path in written[1:])
        click.echo(f"Wrote {output}{also}: {report.summary(timeline)}", err=True)
        return
    assert live
    play(source, plan, session, voice, rate)


class ProgramPlan:
    """The program log's part in a session: the side when it is auto, where the user stands, the record."""

    def __init__(self, routine: Routine, side: str, log: Any, entries: list[Any]) -> None:
        from coach.program import auto_side, standing

        self.routine, self.log, self.session_id, self.done = routine, log, None, 0
        today = datetime.now().date()
        self.side = auto_side(entries, routine.name, today) if side == AUTO else Side(side)
        self.standing: str | None = None
        self.short_intro = False
        if log is not None and routine.program is not None:
            where = standing(entries, routine.name, routine.program, self.side, today)
            self.standing, self.short_intro = where.text(), not where.first_today

    @classmethod
    def open(cls, routine: Routine, side: str, use_log: bool, aware: bool) -> ProgramPlan:
        """With the log (unless --no-log) for a live session; --side auto reads it to choose a side. Files and
        scripts carry no program line, so they stay the same whenever they are made."""
        if use_log and (aware or side == "auto"):
            from coach.paths import log_path
            from coach.programlog import ProgramLog

            log = ProgramLog(log_path())
            if aware:
                return cls(routine, side, log, log.entries())
            with log:
                return cls(routine, side, None, log.entries())
        return cls(routine, side, None, [])

    def __enter__(self) -> ProgramPlan:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.log is not None:
            self.log.close()

    def record(self, done: int, planned: int) -> None:
        """The live session's strokes so far; the first call (0 done) means the sound has started."""
        self.done = done
        if self.log is None:
            return
        if self.session_id is None:
            self.session_id = self.log.begin(self.routine.name, self.side, planned, datetime.now())
        else:
            self.log.progress(self.session_id, done)

    def end(self, finished: bool) -> None:
        if self.log is not None and self.session_id is not None:
            self.log.end(self.session_id, finished, self.done, datetime.now())

    def ask_tenderness(self) -> None:
        """After a live session on a terminal: tenderness 0-10, or Enter to skip."""
        if self.log is None or self.session_id is None or not sys.stdin.isatty():
            return
        while True:
            answer = click.prompt("How tender is the spot now, 0 to 10? (Enter skips)", default="", show_default=False)
            if not answer.strip():
                return
            if answer.strip().isdigit() and 0 <= int(answer) <= 10:
                self.log.set_tenderness(self.session_id, int(answer))
                return
            click.echo("Please give a whole number from 0 to 10, or press Enter.", err=True)


def play(source: RoutineSource, plan: ProgramPlan, session: Any, voice: str, rate: int) -> None:
    """Play a session under keyboard control, recording it in the program log."""
    from coach import report
    from coach.live import PROMPT_TEXTS, prompt_clips, run_live, terminal_keys
    from coach.output.playback import SimpleaudioBackend
    from coach.speech.cache import SpeechCache, synthesize_all
    from coach.speech.espeak import Pyttsx3Engine

    timeline = session.timeline
    engine = Pyttsx3Engine(cache_dir() / "scratch")
    prompts = prompt_clips(
        synthesize_all(PROMPT_TEXTS, engine, SpeechCache(cache_dir()), voice, rate), timeline.sample_rate
    )
    click.echo(f"Playing {report.summary(timeline)} Ctrl-C stops.", err=True)
    if sys.stdin.isatty():
        click.echo("Keys: space pauses and resumes, r repeats, n skips to the next phase, q ends.", err=True)
    try:
        with terminal_keys() as keys:
            outcome = run_live(session, prompts, SimpleaudioBackend(), keys, status=status_line(), progress=plan.record)
    except AudioOutputError as exc:
        side = plan.side
        raise AudioOutputError(
            f"{exc} To listen later, write the session to a file: "
            f"coach {source.name} --side {side} -o {source.name}-{side}.mp3"
        ) from None
    except KeyboardInterrupt:
        clear_status()
        plan.end(finished=False)
        raise Stopped("Stopped.") from None
    clear_status()
    plan.end(outcome.finished)
    click.echo("Session complete." if outcome.finished else "Stopped.", err=True)
    plan.ask_tenderness()


def status_line() -> Callable[[str], None] | None:
    """Show a one-line status on a terminal, a few times a second; None when stderr is not a terminal."""
    if not sys.stderr.isatty():
        return None
    shown = [0.0]

    def show(text: str) -> None:
        now = time.monotonic()
        if now - shown[0] >= 0.25:
            shown[0] = now
            width = shutil.get_terminal_size().columns - 1
            sys.stderr.write("\r\x1b[2K" + text[:width])
            sys.stderr.flush()

    return show


def clear_status() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\x1b[2K")
        sys.stderr.flush()
