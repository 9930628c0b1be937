"""A live session as one service: plan -> script -> speech -> playback control -> program log.

`practise(request, needs)` plans the session from the program log (the side for --side auto, where the user stands,
a session stopped earlier today to continue), builds its script, starts it at once with its speech made in the
background, plays it under the control of its sources of keys, records it in the log as it goes, and asks how tender
it was afterwards. It reaches for nothing: the log, the speaker, the audio output, the clock, the keyboard and the
other sources of keys (the desktop's media keys, and any other, such as spoken commands) are handed in as `Needs`,
built once at the command line's edge, and everything the user is shown goes to `Notices`, which the command line
prints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from coach.audio import SAMPLE_RATE, to_pcm
from coach.choices import SessionChoices
from coach.control import resume_point
from coach.errors import AudioOutputError, CoachError
from coach.kinds import AUTO, Auto, Shape, Side
from coach.listen.spoken import Heed, SpokenCommands
from coach.live import (
    NUMBER_TEXTS,
    Hooks,
    Keyboard,
    Keys,
    LiveSpeech,
    NoKeys,
    Outcome,
    Source,
    Start,
    ask_tenderness,
    question_text,
    run_live,
)
from coach.program import FINISHED, STOPPED, Entry, SessionPlan, dose_news, plan_session
from coach.record import Record, Recorded
from coach.report import title
from coach.routine import Routine
from coach.script import Options, build_script
from coach.session import Session
from coach.timeline import Timeline

if TYPE_CHECKING:
    from coach.output.player import LivePlayer
    from coach.programlog import ProgramLog
    from coach.speech.cache import Speaker


@dataclass(frozen=True, kw_only=True)
class Request:
    """A session as its command asks for it: everything but what the program log decides."""

    routine: Routine
    side: Side | Auto
    session: SessionChoices
    resume: bool = False  # continue today's session stopped before its end

    def options(self, plan: SessionPlan) -> Options:
        s = self.session
        return Options(
            side=plan.side, strokes=plan.strokes if s.strokes is None else s.strokes, tempo=s.tempo, bpm=s.bpm,
            guidance=s.guidance, intro=s.intro, short_intro=plan.short_intro, standing=plan.standing, done=plan.done,
            shape=plan.shape, advice=plan.advice, tool=s.tool,
        )  # fmt: skip


def plan_unannounced(entries: Sequence[Entry], request: Request, today: date) -> SessionPlan:
    """A script's or a file's plan: the entries only choose the side for --side auto, and nothing says where the
    user stands, so a script or a file is the same whenever it is made."""
    return plan_session(entries, request.routine, request.side, today, announce=False, shape=request.session.shape)


class Clock(Protocol):
    @property
    def now(self) -> Callable[[], datetime]: ...  # local time, for the log and for "today"

    @property
    def monotonic(self) -> Callable[[], float]: ...  # seconds, to pace the session by

    @property
    def sleep(self) -> Callable[[float], None]: ...


class Notices(Protocol):
    """What the user is shown of a live session (the command line prints it)."""

    def warning(self, text: str) -> None:
        """A sentence about the log: rows of it left out."""

    def resumable(self, stopped: Entry) -> None:
        """A session stopped earlier today could be continued instead of starting anew."""

    def continuing(self, stopped: Entry, phase: str) -> None:
        """The session stopped earlier goes on, in this phase."""

    def playing(self, timeline: Timeline) -> None:
        """The session starts (its length an estimate while `timeline.horizon` is not None)."""

    def status(self, text: str) -> None:
        """Where the session is, a one-line status, on every turn of the loop."""

    def clear_status(self) -> None: ...

    def ended(self, finished: bool, continuable: Side | None) -> None:
        """How it ended; `continuable`: the side a stopped session can be continued on later today."""

    def unrecorded(self, problem: str, begun: bool) -> None:
        """The log could not be written, even at the end (`problem`, a sentence): the session is not in it, or
        (`begun`) only as far as it was written before."""

    def asking(self, spoken: bool = False) -> None:
        """The tenderness question is being asked: a key from now on is its answer (or, `spoken`, a number said)."""

    def answered(self, answer: int | None, news: Sequence[str] = ()) -> None:
        """The tenderness noted, or none (silence, or another key); `news`: what it means for the next sessions."""

    def listening(self) -> None:
        """Spoken commands are heard from now on (--listen: the microphone is open, the recognizer ready)."""

    def heard(self, said: str) -> None:
        """A spoken command or number was understood (`said`: "coach, pause", "4")."""

    def off(self, problem: str) -> None:
        """Spoken commands are not heard (`problem`, one sentence): the session goes on with its keys."""


Opener = Callable[[str, Callable[[], float]], AbstractContextManager[Source]]
"""A source of keys opened for as long as a session plays, given the session's title and the clock."""
Listener = Callable[[Heed], AbstractContextManager[SpokenCommands]]
"""Spoken commands (--listen), heard for as long as a session plays, told what to say of listening."""


@dataclass(frozen=True, kw_only=True)
class Needs:
    """What a live session works with, built once at the command line's edge."""

    log: ProgramLog | None  # open; None with --no-log (the log is neither read nor written)
    speaker: Speaker  # the session's speech: cached, or made
    audio: Callable[[], LivePlayer]  # opens the audio output; AudioOutputError when there is none
    clock: Clock
    keyboard: Callable[[], AbstractContextManager[Keys]]  # keys typed, which also answer the tenderness question
    sources: Sequence[Opener] = ()  # other sources of keys: the desktop's media keys, spoken commands
    notices: Notices
    listen: Listener | None = None  # spoken commands, with --listen
    terminal: bool = False  # the keys come from a terminal: the tenderness question's words are made ahead


class NoAudio(AudioOutputError):
    """No audio output for the session, which was to work `side` (a message can say how to listen later)."""

    def __init__(self, error: AudioOutputError, side: Side) -> None:
        super().__init__(str(error))
        self.side = side


class StoppedAtQuestion(KeyboardInterrupt):
    """Ctrl-C (SIGTERM, SIGHUP) while the tenderness question was asked: the session is recorded, without one."""

    def __init__(self, interrupt: KeyboardInterrupt) -> None:
        super().__init__(*interrupt.args)
        self.interrupt = interrupt


@dataclass(frozen=True)
class Begun:
    """What the program log decides before a live session starts."""

    plan: SessionPlan
    continued: Entry | None = None  # the session stopped earlier that this one continues (--resume)
    resumable: Entry | None = None  # the one that could be continued today


def practise(request: Request, needs: Needs) -> Outcome:
    """Play a live session to its end (or until stopped), recorded in the log, and ask its tenderness after."""
    log = needs.log
    if log is not None:  # before anything plays: a log that cannot be written is said now, not in the session
        log.check_writable(", or play with --no-log")
    entries = log.entries() if log is not None else []
    if log is not None and log.warning:
        needs.notices.warning(log.warning)
    begun = begin(entries, request, needs.clock.now().date(), logged=log is not None)
    script = build_script(request.routine, request.options(begun.plan))
    # the tenderness is asked on a terminal, or by voice: its words made in advance
    asking = log is not None and (needs.terminal or needs.listen is not None)
    question = question_text(begun.plan.side, spoken=needs.listen is not None)
    speech = LiveSpeech(script, needs.speaker, after=(question, *NUMBER_TEXTS) if asking else ())
    record = Record(log, recorded(request, begun), needs.clock.now)
    try:
        return _play(_Live(request, needs, begun, speech, record))
    except (KeyboardInterrupt, CoachError) as exc:
        needs.notices.clear_status()
        if not record.ended:
            record.end(False, None)
            _unrecorded(record, needs.notices)
        if isinstance(exc, AudioOutputError) and not isinstance(exc, NoAudio):
            raise NoAudio(exc, begun.plan.side) from None
        raise
    finally:
        speech.close()


def begin(entries: Sequence[Entry], request: Request, today: date, logged: bool) -> Begun:
    """The session's plan: a new one, or (with --resume) the one stopped earlier today, going on where it
    stopped. A session announces where the user stands only when it is logged and new."""
    name = request.routine.name
    resumable = resumable_today(entries, name, request.side, today)
    if request.resume and resumable is None:
        on = "" if request.side is AUTO else f" on the {request.side.words}"
        raise CoachError(
            f"No {name} session stopped today to continue{on}: start a new one with: coach {name} --side {request.side}"
        )
    continued = resumable if request.resume else None
    side = request.side if continued is None else continued.side
    shape = request.session.shape if continued is None else Shape(continued.shape or Shape.TEACH)
    plan = plan_session(
        entries, request.routine, side, today, announce=logged and continued is None, shape=shape,
        strokes=request.session.strokes,
    )  # fmt: skip
    return Begun(plan, continued, resumable)


def resumable_today(entries: Sequence[Entry], routine: str, side: Side | Auto, today: date) -> Entry | None:
    """Today's last session of this routine (on this side, unless auto) stopped with q before its end, unless a
    session finished since."""
    mine = [
        e
        for e in entries
        if e.routine == routine and e.is_session and e.started.date() == today and (side is AUTO or e.side == side)
    ]
    stopped = [i for i, e in enumerate(mine) if e.status == STOPPED and e.resume_phase is not None]
    if not stopped or any(e.status == FINISHED for e in mine[stopped[-1] :]):
        return None
    return mine[stopped[-1]]


def recorded(request: Request, begun: Begun) -> Recorded:
    plan = begun.plan
    least = request.routine.stroke.recommended[0]
    return Recorded(routine=request.routine.name, side=plan.side, least=least, shape=plan.shape,
                    continued=begun.continued)  # fmt: skip


@dataclass(frozen=True)
class _Live:
    """One live session under way: what was asked, what it works with, its plan, speech and record."""

    request: Request
    needs: Needs
    begun: Begun
    speech: LiveSpeech
    record: Record

    def revise(self, done: tuple[int, ...]) -> Session:
        """The session with its closing saying the strokes that will have been done."""
        plan = replace(self.begun.plan, done=done)
        return self.speech.retold(build_script(self.request.routine, self.request.options(plan)))

    def start(self, timeline: Timeline) -> Start:
        """Where it starts: at the beginning, or where the session it continues stopped (and it says so)."""
        continued, notices = self.begun.continued, self.needs.notices
        if continued is not None and continued.resume_phase is not None:
            phases = timeline.phases
            where = phases[min(continued.resume_phase, len(phases) - 1)].title
            notices.continuing(continued, where)
            return Start(resume_point(timeline, continued.resume_phase, continued.strokes), continued.strokes)
        if self.begun.resumable is not None:
            notices.resumable(self.begun.resumable)
        return Start()

    @contextmanager
    def sources(self, title: str) -> Iterator[tuple[Keys, SpokenCommands | None, list[Source]]]:
        """The keyboard, spoken commands (with --listen), and every other source of keys, for as long as the
        session plays."""
        needs = self.needs
        with needs.keyboard() as keys, ExitStack() as opened:
            others = [opened.enter_context(open_source(title, needs.clock.monotonic)) for open_source in needs.sources]
            spoken = opened.enter_context(needs.listen(needs.notices)) if needs.listen is not None else None
            yield keys, spoken, [Keyboard(keys), *others, *([spoken] if spoken is not None else [])]

    def status(self, spoken: SpokenCommands | None) -> Callable[[str], None]:
        """The status line, which says when coach is listening."""
        show = self.needs.notices.status
        if spoken is None:
            return show
        return lambda text: show(f"{text} | listening" if spoken.on else text)


def _play(live: _Live) -> Outcome:
    """Play the session, record how it ended, say so, and ask its tenderness."""
    needs, speech, record, side = live.needs, live.speech, live.record, live.begun.plan.side
    session = speech.session()
    start = live.start(session.timeline)
    needs.notices.playing(session.timeline)
    clock = needs.clock
    with live.sources(title(session.timeline)) as (keys, spoken, sources):
        hooks = Hooks(status=live.status(spoken), progress=record.progress, more=speech.more, revise=live.revise)
        player = needs.audio()
        outcome = run_live(session, speech.prompts(), player, sources, clock.monotonic, clock.sleep, hooks, start)
        needs.notices.clear_status()
        record.end(outcome.finished, outcome.phase)
        short = not outcome.finished and outcome.strokes_done < outcome.strokes_planned
        needs.notices.ended(outcome.finished, side if short and record.kept else None)
        _unrecorded(record, needs.notices)
        listening = spoken is not None and spoken.on
        if record.kept and outcome.finished and (listening or not isinstance(keys, NoKeys)):
            _ask(live, player, Answers(keys, spoken.answers()) if spoken is not None and listening else keys)
    return outcome


@dataclass(frozen=True)
class Answers:
    """The tenderness question's keys from the keyboard and the voice, in the order read."""

    keys: Keys
    spoken: Keys

    def read(self) -> str:
        return self.keys.read() + self.spoken.read()


def _unrecorded(record: Record, notices: Notices) -> None:
    if record.unwritten is not None:
        notices.unrecorded(str(record.unwritten), begun=record.session_id is not None)


def _ask(live: _Live, player: LivePlayer, keys: Keys) -> None:
    """The tenderness question, aloud, answered with one key (or skipped), and noted."""
    speech, clock, notices = live.speech, live.needs.clock, live.needs.notices
    try:
        spoken = isinstance(keys, Answers)
        question = to_pcm(speech.clip(question_text(live.begun.plan.side, spoken)))
        numbers = [to_pcm(speech.clip(text)) for text in NUMBER_TEXTS]
        answer = ask_tenderness(question, numbers, player, keys, clock.monotonic, clock.sleep, SAMPLE_RATE,
                                lambda: notices.asking(spoken))  # fmt: skip
    except KeyboardInterrupt as exc:
        raise StoppedAtQuestion(exc) from None
    news: tuple[str, ...] = ()
    if answer is not None:
        live.record.tenderness(answer)
        log = live.needs.log
        if log is not None:
            today = live.needs.clock.now().date()
            news = dose_news(log.entries(), live.request.routine, live.begun.plan.side, today)
    notices.answered(answer, news)
