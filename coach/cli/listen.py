"""coach listen: what the recognizer hears, from the microphone or a recording, one line per command."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from coach.cli.numbers import FiniteFloatRange
from coach.cli.shared import deps_of
from coach.listen.words import COMMANDS_MODE, NUMBERS_MODE, RATE, SAY_AGAIN
from coach.timefmt import clock, length

if TYPE_CHECKING:  # numpy and the rest are imported when the command runs, so `coach --help` stays quick
    from coach.audio import Pcm
    from coach.listen.listening import Recognizer

QUIET_DB = -50.0  # a microphone whose loudest half second stays under this is barely hearing anything


class Input:
    """The audio as it comes: how much, how loud (shown in place on a terminal, every half second)."""

    def __init__(self, blocks: Iterable[Pcm], show: bool, seconds: float | None = None) -> None:
        self.blocks, self.show, self.seconds = blocks, show, seconds
        self.taken = 0
        self.peak = -120.0  # the loudest block, dBFS

    def __iter__(self) -> Iterator[Pcm]:
        from coach.listen.listening import level_db

        shown = 0
        for block in self.blocks:
            self.taken += len(block)
            self.peak = max(self.peak, level_db(block))
            if self.show and self.taken - shown >= RATE // 2:
                shown = self.taken
                db = level_db(block)
                click.echo(
                    f"\rinput {db:6.1f} dBFS {'#' * max(0, min(30, round((db + 60) / 2))):<30}", nl=False, err=True
                )
            yield block
            if self.seconds is not None and self.taken >= self.seconds * RATE:
                return

    def clear(self) -> None:
        if self.show:
            click.echo("\r" + " " * 48 + "\r", nl=False, err=True)


@click.command("listen")
@click.option(
    "--from", "source", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
    help="Listen to a recording (WAV, FLAC, OGG or MP3) instead of the microphone.",
)  # fmt: skip
@click.option("--numbers", is_flag=True, help="Listen for a tenderness answer (zero to ten) instead of commands.")
@click.option("--seconds", type=FiniteFloatRange(min=0.1), help="Stop listening to the microphone after this long.")
@click.pass_context
def listen_command(ctx: click.Context, source: Path | None, numbers: bool, seconds: float | None) -> None:
    """Check what coach hears: one line per spoken command, with its time.

    Say "coach", then a command: "coach, pause", "coach, go on", "coach, repeat", "coach, next", "coach, back",
    "coach, stop". Everyday speech without the call does nothing; the call and words that are no command get a
    "say again?". Nothing is recorded or kept. The input level and a summary go to standard error; Ctrl-C stops
    listening to the microphone.

    \b
    Examples:
      coach listen                          the default microphone, until Ctrl-C
      coach listen --numbers                say a number from zero to ten
      coach listen --from commands.wav      a recording
    """
    deps = deps_of(ctx)
    mode = NUMBERS_MODE if numbers else COMMANDS_MODE
    if source is not None:
        from coach.listen.sources import recording

        blocks = recording(source)  # a missing or unreadable file is refused before the recognizer loads
        audio = Input(blocks, show=False)
        _hear(audio, deps.recognizer(), mode, f"in {source}")
        return
    recognizer = deps.recognizer()
    with deps.microphone() as mic:
        what = "a number from zero to ten" if numbers else '"coach", then a command'
        until = f"for {seconds:g} s" if seconds else "(Ctrl-C stops)"
        click.echo(f"Listening to the microphone {until}: say {what}.", err=True)
        audio = Input(mic, show=sys.stderr.isatty(), seconds=seconds)
        try:
            _hear(audio, recognizer, mode, "from the microphone")
        except KeyboardInterrupt:
            audio.clear()
            click.echo("Stopped listening.", err=True)
            return
    if audio.peak < QUIET_DB:
        click.echo(
            f"The microphone is very quiet (its loudest moment {audio.peak:.0f} dBFS): check that it is the one in "
            "use and not muted.",
            err=True,
        )


def _hear(audio: Input, recognizer: Recognizer, mode: str, where: str) -> None:
    """Each outcome as it is understood (commands and numbers on standard output), then a summary."""
    from coach.listen.listening import listen

    understood = unclear = 0
    for known in listen(audio, recognizer, mode):
        heard = known.heard
        audio.clear()
        if heard.kind == SAY_AGAIN:
            unclear += 1
            click.echo(f"{clock(heard.start / RATE)}  (the call, and no command: say again?)", err=True)
            continue
        understood += 1
        click.echo(f"{clock(heard.start / RATE)}  {heard.name}")
    audio.clear()
    noun = ("number" if mode == NUMBERS_MODE else "command") + ("" if understood == 1 else "s")
    again = f", {unclear} call{'s' if unclear != 1 else ''} not understood" if unclear else ""
    click.echo(f"Heard {understood} {noun}{again} {where} ({length(audio.taken / RATE)}).", err=True)
