"""One command per routine, which does one of three things: print the session's script, write the session to a
file, or play it live (recorded in the program log)."""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from coach.catalog import RoutineSource
from coach.cli.deps import Deps
from coach.cli.options import (
    SessionChoices,
    SpeechChoices,
    check_tempo,
    output_options,
    session_options,
    side_option,
    voice_options,
)
from coach.cli.shared import current_deps, progress, stopped
from coach.errors import AudioOutputError, CoachError, LogBusy
from coach.kinds import AUTO, Shape, Side
from coach.program import FINISHED, STOPPED, Entry, SessionPlan, plan_session
from coach.routine import Routine, counted
from coach.script import Options

if TYPE_CHECKING:
    from coach.audio import Clip
    from coach.live import Keys, Progress
    from coach.output.files import Encoding
    from coach.programlog import ProgramLog
    from coach.session import Session
    from coach.speech.cache import Speaker


def routine_command(source: RoutineSource) -> click.Command:
    try:
        routine: Routine | None = source.load()
    except CoachError:
        routine = None  # the error is shown when the command runs
    title = routine.title if routine else "(cannot be loaded: 'coach list' shows why)"
    description = routine.description if routine else ""
    name = source.name
    help_text = f"""{title}.

    {description}

    See where to press: coach show {name} --side right --picture

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
    @click.option(
        "--no-media-keys",
        is_flag=True,
        help="Leave the desktop's media keys alone: no media player on the session bus for headphone buttons, "
        "media keys and playerctl.",
    )
    @click.option(
        "--resume", is_flag=True, help="Continue today's session that was stopped before its end, where it stopped."
    )
    @output_options
    def command(
        side: str | None,
        session: SessionChoices,
        speech: SpeechChoices,
        no_log: bool,
        no_media_keys: bool,
        resume: bool,
        output: Path | None,
        bitrate: str,
        mono: bool,
        lyrics: bool,
        srt: bool,
        as_script: bool,
        as_json: bool,
    ) -> None:
        if side is None:
            raise click.UsageError("Missing option '--side': choose right, left, both or auto.")
        if as_json and not as_script:
            raise click.UsageError("--json goes with --script.")
        if output is not None and as_script:
            raise click.UsageError("--script prints the session; it cannot be combined with -o.")
        if (lyrics or srt) and output is None:
            raise click.UsageError("--lyrics and --srt go with -o FILE.")
        check_tempo(session)
        if output is not None:
            from coach.output.export import check_session_files

            check_session_files(output, lyrics, srt)
        request = Request(
            source=source, routine=source.load(), side=side, session=session, speech=speech, logged=not no_log,
            media_keys=not no_media_keys, resume=resume,
        )  # fmt: skip
        if resume and (output is not None or as_script or no_log):
            raise click.UsageError(
                "--resume continues a live session in the program log: not with -o, --script or --no-log."
            )
        deps = current_deps()
        if as_script:
            print_script(deps, request, as_json)
        elif output is not None:
            from coach.output.files import Encoding

            write_file(deps, request, output, Encoding(1 if mono else 2, int(bitrate)), lyrics, srt)
        else:
            play_live(deps, request)

    return command


@dataclass(frozen=True, kw_only=True)
class Request:
    """A session as its command asks for it: everything but what the program log decides."""

    source: RoutineSource
    routine: Routine
    side: str  # right, left, both or auto
    session: SessionChoices
    speech: SpeechChoices
    logged: bool  # False with --no-log: the log is neither read nor written
    media_keys: bool = True  # False with --no-media-keys: a live session stays off the session bus
    resume: bool = False  # --resume: continue today's session stopped before its end

    def options(self, plan: SessionPlan) -> Options:
        s = self.session
        return Options(
            plan.side, s.strokes, s.tempo, s.bpm, s.guidance, s.intro, short_intro=plan.short_intro,
            standing=plan.standing, done=plan.done, shape=plan.shape,
        )  # fmt: skip


def speaker(deps: Deps, request: Request, threads: int = 0) -> Speaker:
    """The session's speech: its engine (built only if a line is not cached), voice and pace, over the cache."""
    from coach.speech.cache import Speaker, SpeechCache

    speech = request.speech
    return Speaker(deps.engines(speech.engine), speech.voice, speech.pace, SpeechCache(deps.dirs.cache), threads)


def prepare_session(deps: Deps, request: Request, plan: SessionPlan) -> Session:
    """The session, every line made first, with a progress bar while speech is synthesized."""
    from coach.session import prepare

    with progress("Preparing speech") as advance, request.source.naming_silent_lines():
        return prepare(request.routine, request.options(plan), speaker(deps, request), advance)


def plan_unannounced(deps: Deps, request: Request) -> SessionPlan:
    """A script's or a file's plan: the log is read only to choose the side for --side auto, and nothing says where
    the user stands, so a script or a file is the same whenever it is made."""
    entries = []
    if request.logged and request.side == AUTO:
        from coach.programlog import ProgramLog

        with ProgramLog(deps.dirs.log) as log:
            entries = log.entries()
            if log.warning:
                click.echo(log.warning, err=True)
    today = deps.clock.now().date()
    return plan_session(entries, request.routine, request.side, today, announce=False, shape=request.session.shape)


def print_script(deps: Deps, request: Request, as_json: bool) -> None:
    from coach import report

    plan = plan_unannounced(deps, request)
    timeline = prepare_session(deps, request, plan).timeline
    if as_json:
        click.echo(json.dumps(report.script_json(timeline), indent=1))
    else:
        click.echo(report.script_text(timeline), nl=False)


def write_file(deps: Deps, request: Request, output: Path, encoding: Encoding, lyrics: bool, srt: bool) -> None:
    from coach import report
    from coach.output.export import export_session
    from coach.picture.pictures import file_pictures

    session = prepare_session(deps, request, plan_unannounced(deps, request))
    timeline = session.timeline
    pictures = file_pictures(output.suffix, timeline.script, request.source, request.routine)
    try:
        with progress(f"Writing {output.name}") as advance:
            written = export_session(
                session, output, request.speech.label, encoding, lyrics, srt,
                progress=lambda done: advance(done, timeline.length), pictures=pictures,
            )  # fmt: skip
    except KeyboardInterrupt as exc:
        raise stopped(f"Stopped: {output} was not written.", exc) from None
    also = "".join(f", {path.name}" for path in written[1:])
    click.echo(f"Wrote {output}{also}: {report.summary(timeline)}", err=True)


def play_live(deps: Deps, request: Request) -> None:
    """Play a session under keyboard control, recording it in the program log (unless --no-log). It starts at
    once: lines not in the cache are made in the background while the lead-in and the first lines play."""
    from coach import report
    from coach.desktop.media import media_keys
    from coach.live import NUMBER_TEXTS, LiveSpeech, NoKeys, question_text, run_live
    from coach.programlog import ProgramLog
    from coach.script import build_script

    opened: AbstractContextManager[ProgramLog | None] = ProgramLog(deps.dirs.log) if request.logged else nullcontext()
    with opened as log:
        if log is not None:  # before anything plays: a log that cannot be written is said now, not in the session
            log.check_writable(", or play with --no-log")
        entries = log.entries() if log is not None else []
        if log is not None and log.warning:
            click.echo(log.warning, err=True)
        today = deps.clock.now().date()
        name = request.routine.name
        resumable = resumable_today(entries, name, request.side, today)
        if request.resume and resumable is None:
            raise CoachError(
                f"No {name} session stopped today to continue"
                f"{'' if request.side == AUTO else f' on the {Side(request.side).words}'}: "
                f"start a new one with: coach {name} --side {request.side}"
            )
        continued = resumable if request.resume else None
        side = continued.side if continued is not None else request.side
        shape = request.session.shape if continued is None else (continued.shape or Shape.TEACH)
        plan = plan_session(
            entries, request.routine, side, today, announce=log is not None and continued is None, shape=shape
        )
        script = build_script(request.routine, request.options(plan))
        question = question_text(plan.side)
        asking = log is not None and sys.stdin.isatty()  # the tenderness is asked on a terminal: made in advance
        after = (question, *NUMBER_TEXTS) if asking else ()
        speech = LiveSpeech(script, speaker(deps, request, threads=1), after=after)
        least = request.routine.stroke.recommended[0]
        record = Record(log, name, plan.side, deps.clock.now, least, continued, plan.shape)

        def revise(done: tuple[int, ...]) -> Session:
            """The session with its closing saying the strokes that will have been done."""
            return speech.retold(build_script(request.routine, request.options(replace(plan, done=done))))

        clock = deps.clock
        try:
            session = speech.session()
            timeline = session.timeline
            start = 0
            if continued is not None and continued.resume_phase is not None:
                from coach.control import resume_point

                phases = timeline.phases
                start = resume_point(timeline, continued.resume_phase, continued.strokes)
                where = phases[min(continued.resume_phase, len(phases) - 1)].title
                click.echo(
                    f"Continuing the session stopped at {continued.started:%H:%M}, in {where}, after "
                    f"{counted(continued.strokes_done)}.",
                    err=True,
                )
            elif resumable is not None:
                click.echo(
                    f"The session of {resumable.started:%H:%M} stopped after {counted(resumable.strokes_done)}; to "
                    f"continue it instead: coach {name} --side {resumable.side} --resume",
                    err=True,
                )
            about = "" if timeline.horizon is None else "about "
            click.echo(f"Playing {report.summary(timeline, about)} Ctrl-C stops.", err=True)
            if sys.stdin.isatty():
                click.echo(
                    "Keys: space pauses and resumes, r repeats, n skips to the next phase, b goes back one, q ends.",
                    err=True,
                )
            if plan.shape is Shape.TEACH:
                from coach.picture.pictures import see_where

                click.echo(see_where(request.source, plan.side), err=True)
            status = status_line(deps.clock.monotonic)
            bus = deps.bus if request.media_keys else None
            with deps.keys() as keys, media_keys(bus, report.title(session.timeline), clock.monotonic) as media:
                outcome = run_live(
                    session, speech.prompts(), deps.audio(), keys, clock.monotonic, clock.sleep, status,
                    record.progress, more=speech.more, media=media, revise=revise, start=start,
                    done=continued.strokes if continued is not None else (),
                )  # fmt: skip
                clear_status()
                record.end(outcome.finished, outcome.phase)
                click.echo("Session complete." if outcome.finished else "Stopped.", err=True)
                if (
                    not outcome.finished
                    and record.session_id is not None
                    and outcome.strokes_done < outcome.strokes_planned
                ):
                    click.echo(f"To continue it later today: coach {name} --side {plan.side} --resume", err=True)
                if record.asks and outcome.finished and not isinstance(keys, NoKeys):
                    record.ask_tenderness(
                        lambda: ask(speech.clip(question), [speech.clip(n) for n in NUMBER_TEXTS], deps, keys)
                    )
        except AudioOutputError as exc:
            raise AudioOutputError(
                f"{exc} To listen later, write the session to a file: "
                f"coach {request.source.command} --side {plan.side} -o {name}-{plan.side}.mp3"
            ) from None
        except KeyboardInterrupt as exc:
            clear_status()
            if not record.ended:
                record.end(False, None)
            raise stopped("Stopped.", exc) from None
        except CoachError:
            clear_status()
            if not record.ended:
                record.end(False, None)
            raise
        finally:
            speech.close()


def ask(question: Clip, numbers: list[Clip], deps: Deps, keys: Keys) -> int | None:
    """The tenderness question, aloud, answered with one key."""
    from coach.audio import SAMPLE_RATE, to_pcm
    from coach.live import ask_tenderness

    def shown() -> None:
        click.echo("How tender was it, 0 to 10? Press a number key (ten: 1 then 0); 10 s of quiet skips it.", err=True)

    clock = deps.clock
    return ask_tenderness(
        to_pcm(question), [to_pcm(n) for n in numbers], deps.audio(), keys, clock.monotonic, clock.sleep, SAMPLE_RATE,
        shown,
    )  # fmt: skip


def resumable_today(entries: list[Entry], routine: str, side: str, today: date) -> Entry | None:
    """Today's last session of this routine (on this side, unless auto) stopped with q before its end, unless a
    session finished since."""
    mine = [
        e
        for e in entries
        if e.routine == routine and e.is_session and e.started.date() == today and (side == AUTO or e.side == side)
    ]
    stopped = [i for i, e in enumerate(mine) if e.status == STOPPED and e.resume_phase is not None]
    if not stopped or any(e.status == FINISHED for e in mine[stopped[-1] :]):
        return None
    return mine[stopped[-1]]


class Record:
    """A live session's record in the program log (none with --no-log): made once its sound starts (or reopened,
    when a stopped session is continued), its strokes noted as they are done, then how it ended, and the tenderness
    asked afterwards. While the session plays, a write that another program's lock holds up for more than a moment
    is left for the next one, or the end, so the session never waits for the log."""

    def __init__(
        self,
        log: ProgramLog | None,
        routine: str,
        side: Side,
        now: Callable[[], datetime],
        least: int = 0,
        continued: Entry | None = None,
        shape: str = "",
    ) -> None:
        self.log, self.routine, self.side, self.now, self.least = log, routine, side, now, least
        self.shape = shape
        self.continued = continued
        self.session_id: int | None = None
        self.started: datetime | None = None
        self.latest: Progress | None = None
        self.done = 0
        self.ended = False

    @property
    def asks(self) -> bool:
        return self.log is not None and self.session_id is not None

    def progress(self, progress: Progress) -> None:
        """The strokes so far; the first call (nothing done) means the sound has started."""
        from coach.programlog import PLAYING_MS

        self.done, self.latest = progress.done, progress
        if self.started is None:
            self.started = self.now()
        if self.log is None:
            return
        with contextlib.suppress(LogBusy):  # made later: at the next stroke, or at the end
            self._write(PLAYING_MS)

    def _write(self, wait_ms: int) -> None:
        assert self.log is not None and self.started is not None and self.latest is not None
        progress = self.latest
        if self.session_id is None:
            if self.continued is not None and self.continued.key:
                self.log.reopen(self.continued.key, wait_ms)
                self.session_id = self.continued.key
            else:
                self.session_id = self.log.begin(
                    self.routine, self.side, progress.planned, self.started, self.least, self.shape, wait_ms
                )
        self.log.progress(self.session_id, progress.done_by_side, self.side, progress.strokes, wait_ms)

    def end(self, finished: bool, phase: int | None) -> None:
        from coach.programlog import BUSY_MS

        self.ended = True
        if self.log is not None and self.started is not None:
            self._write(BUSY_MS)  # what a lock held up while it played, if anything
            assert self.session_id is not None
            self.log.end(self.session_id, finished, self.done, self.now(), phase)

    def ask_tenderness(self, ask: Callable[[], int | None]) -> None:
        """After a live session on a terminal: the question aloud, answered with one key (or skipped)."""
        if self.log is None or self.session_id is None:
            return
        try:
            answer = ask()
        except KeyboardInterrupt as exc:
            raise stopped("Stopped: the session is recorded, without a tenderness.", exc) from None
        if answer is None:
            click.echo("No tenderness noted; 'coach log' can add it later.", err=True)
            return
        self.log.set_tenderness(self.session_id, answer)
        click.echo(f"Tenderness {answer} noted.", err=True)


def status_line(monotonic: Callable[[], float]) -> Callable[[str], None] | None:
    """Show a one-line status on a terminal, a few times a second; None when stderr is not a terminal."""
    if not sys.stderr.isatty():
        return None
    shown: float | None = None

    def show(text: str) -> None:
        nonlocal shown
        now = monotonic()
        if shown is None or now - shown >= 0.25:
            shown = now
            width = shutil.get_terminal_size().columns - 1
            sys.stderr.write("\r\x1b[2K" + text[:width])
            sys.stderr.flush()

    return show


def clear_status() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\x1b[2K")
        sys.stderr.flush()
