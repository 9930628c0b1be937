"""One command per routine, which does one of three things: print the session's script, write the session to a
file, or play it live (coach.practice, recorded in the program log)."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING

import click

from coach.catalog import RoutineSource
from coach.choices import SessionChoices, SpeechChoices
from coach.cli.deps import Deps
from coach.cli.options import (
    LiveChoices,
    OutputChoices,
    check_tempo,
    live_options,
    output_options,
    session_options,
    side_option,
    voice_options,
)
from coach.cli.shared import current_deps, stopped
from coach.cli.tools import check_tool
from coach.errors import AudioOutputError, CoachError
from coach.kinds import Auto, Side
from coach.routine import Routine

if TYPE_CHECKING:
    from coach.practice import Request
    from coach.programlog import ProgramLog


def routine_command(source: RoutineSource) -> click.Command:
    try:
        routine: Routine | None = source.load()
    except CoachError:
        routine = None  # the error is shown when the command runs
    title, name = routine.title if routine else "(cannot be loaded: 'coach list' shows why)", source.name
    help_text = f"""{title}.

    {routine.description if routine else ""}

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
    @live_options
    @output_options
    def command(
        side: Side | Auto | None, session: SessionChoices, speech: SpeechChoices, live: LiveChoices,
        output: OutputChoices,
    ) -> None:  # fmt: skip
        if side is None:
            raise click.UsageError("Missing option '--side': choose right, left, both or auto.")
        output.check()
        check_tempo(session)
        from coach.practice import Request

        loaded = source.load()
        check_tool(session.tool, source, loaded, current_deps())
        request = Request(routine=loaded, side=side, session=session, resume=live.resume)
        live.check(output)
        if output.script or output.path is not None:
            from coach.cli.write import write

            write(current_deps(), source, request, speech, output, live.logged)
        else:
            play_live(current_deps(), source, request, speech, live, output.files.channels)

    return command


def play_live(
    deps: Deps, source: RoutineSource, request: Request, speech: SpeechChoices, live: LiveChoices, channels: int = 2
) -> None:
    """Play a session under keyboard (and media key) control, in stereo or mono (`channels`), recorded in the
    program log unless --no-log."""
    from coach.cli.notices import LiveNotices
    from coach.practice import NoAudio, StoppedAtQuestion, practise
    from coach.programlog import ProgramLog

    name, notices = request.routine.name, LiveNotices(source, deps.clock.monotonic)
    opened: AbstractContextManager[ProgramLog | None] = ProgramLog(deps.dirs.log) if live.logged else nullcontext()
    try:
        with opened as log:
            practise(request, deps.live(log, speech, live.media_keys, notices, channels, live.listen))
    except NoAudio as exc:
        raise AudioOutputError(
            f"{exc} To listen later, write the session to a file: "
            f"coach {source.command} --side {exc.side} -o {name}-{exc.side}.mp3"
        ) from None
    except StoppedAtQuestion as exc:
        raise stopped("Stopped: the session is recorded, without a tenderness.", exc.interrupt) from None
    except KeyboardInterrupt as exc:
        raise stopped("Stopped.", exc) from None
