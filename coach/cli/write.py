"""A routine command's session printed as its script, or written to a file (`-o`): every line made first, and
the same whenever it is made (the program log only chooses the side for --side auto)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from coach.catalog import RoutineSource
from coach.choices import SpeechChoices
from coach.cli.deps import Deps
from coach.cli.options import OutputChoices
from coach.cli.shared import progress, stopped
from coach.kinds import AUTO
from coach.routine import Routine

if TYPE_CHECKING:
    from coach.practice import Request
    from coach.session import Session


def write(
    deps: Deps, source: RoutineSource, request: Request, speech: SpeechChoices, output: OutputChoices, logged: bool
) -> None:
    """Print the script, or write the file, every line made first (the log only chooses the side for auto)."""
    from coach import report
    from coach.practice import plan_unannounced
    from coach.session import prepare

    entries = []
    if logged and request.side is AUTO:
        from coach.programlog import ProgramLog

        with ProgramLog(deps.dirs.log) as log:
            entries = log.entries()
            if log.warning:
                click.echo(log.warning, err=True)
    plan = plan_unannounced(entries, request, deps.clock.now().date())
    with progress("Preparing speech") as advance, source.naming_silent_lines():
        session = prepare(request.routine, request.options(plan), deps.speaker(speech), advance)
    if output.path is None:
        timeline = session.timeline
        text = json.dumps(report.script_json(timeline), indent=1) if output.json else report.script_text(timeline)
        click.echo(text, nl=output.json)
    else:
        write_file(session, output, speech, source, request.routine)


def write_file(
    session: Session, output: OutputChoices, speech: SpeechChoices, source: RoutineSource, routine: Routine
) -> None:
    from coach import report
    from coach.output.export import export_session
    from coach.output.files import Encoding
    from coach.picture.pictures import file_pictures
    from coach.quoting import shown

    assert output.path is not None
    files, timeline = output.files, session.timeline
    pictures = file_pictures(output.path.suffix, timeline.script, source, routine)
    try:
        with progress(f"Writing {output.path.name}") as advance:
            written = export_session(
                session, output.path, speech.label, Encoding(files.channels, files.bitrate), files.lyrics, files.srt,
                progress=lambda done: advance(done, timeline.length), pictures=pictures,
            )  # fmt: skip
    except KeyboardInterrupt as exc:
        raise stopped(f"Stopped: {shown(output.path)} was not written.", exc) from None
    also = "".join(f", {shown(path.name)}" for path in written[1:])
    click.echo(f"Wrote {shown(output.path)}{also}: {report.summary(timeline)}", err=True)
