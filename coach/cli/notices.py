"""What a live session shows on the terminal (coach.practice.Notices, printed with click on stderr): the line that
says what plays, the keys, a one-line status kept up to date, how it ended, and the tenderness question."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Sequence

import click

from coach.catalog import RoutineSource
from coach.kinds import Shape, Side
from coach.program import Entry
from coach.template import counted
from coach.timeline import Timeline

KEYS_TEXT = "Keys: space pauses and resumes, r repeats, n skips to the next phase, b goes back one, q ends."
QUESTION_TEXT = "How tender was it, 0 to 10? Press a number key (ten: 1 then 0); 10 s of quiet skips it."
SPOKEN_QUESTION_TEXT = "How tender was it, 0 to 10? Say the number, or press its key; 10 s of quiet skips it."
LISTENING_TEXT = 'Listening: say "coach", then pause, go on, repeat, next, back or stop. Nothing heard is kept.'
STATUS_S = 0.25  # the status line changes at most this often


class LiveNotices:
    """The notices of a live session of a routine (named as its command is in what to run next)."""

    def __init__(self, source: RoutineSource, monotonic: Callable[[], float]) -> None:
        self.source, self.name, self.monotonic = source, source.name, monotonic
        self.shows_status = sys.stderr.isatty()  # a status line only on a terminal
        self.shown: float | None = None  # when the status line last changed

    def warning(self, text: str) -> None:
        click.echo(text, err=True)

    def resumable(self, stopped: Entry) -> None:
        click.echo(
            f"The session of {stopped.started:%H:%M} stopped after {counted(stopped.strokes_done)}; to continue it "
            f"instead: coach {self.name} --side {stopped.side} --resume",
            err=True,
        )

    def continuing(self, stopped: Entry, phase: str) -> None:
        click.echo(
            f"Continuing the session stopped at {stopped.started:%H:%M}, in {phase}, after "
            f"{counted(stopped.strokes_done)}.",
            err=True,
        )

    def playing(self, timeline: Timeline) -> None:
        from coach import report

        about = "" if timeline.horizon is None else "about "
        click.echo(f"Playing {report.summary(timeline, about)} Ctrl-C stops.", err=True)
        if sys.stdin.isatty():
            click.echo(KEYS_TEXT, err=True)
        if timeline.script.shape is Shape.TEACH:  # a first session: where to press, in a picture
            from coach.picture.pictures import see_where

            click.echo(see_where(self.source, timeline.script.side), err=True)

    def status(self, text: str) -> None:
        if not self.shows_status:
            return
        now = self.monotonic()
        if self.shown is None or now - self.shown >= STATUS_S:
            self.shown = now
            width = shutil.get_terminal_size().columns - 1
            sys.stderr.write("\r\x1b[2K" + text[:width])
            sys.stderr.flush()

    def clear_status(self) -> None:
        if self.shows_status:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()

    def ended(self, finished: bool, continuable: Side | None) -> None:
        click.echo("Session complete." if finished else "Stopped.", err=True)
        if continuable is not None:
            click.echo(f"To continue it later today: coach {self.name} --side {continuable} --resume", err=True)

    def unrecorded(self, problem: str, begun: bool) -> None:
        how = "recorded only in part" if begun else "not recorded"
        click.echo(f"Warning: this session is {how}: {problem[:1].lower()}{problem[1:]}", err=True)

    def asking(self, spoken: bool = False) -> None:
        click.echo(SPOKEN_QUESTION_TEXT if spoken else QUESTION_TEXT, err=True)

    def listening(self) -> None:
        self._line(LISTENING_TEXT)

    def heard(self, said: str) -> None:
        self._line(f"Heard: {said}" + ("" if said.endswith("?") else "."))

    def off(self, problem: str) -> None:
        self._line(problem)

    def _line(self, text: str) -> None:
        """A line of its own, above the status line (which the next turn shows again)."""
        self.clear_status()
        self.shown = None
        click.echo(text, err=True)

    def answered(self, answer: int | None, news: Sequence[str] = ()) -> None:
        if answer is None:
            click.echo("No tenderness noted; 'coach log' can add it later.", err=True)
        else:
            click.echo(f"Tenderness {answer} noted.", err=True)
        for line in news:
            click.echo(line, err=True)
