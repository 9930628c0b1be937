"""Options shared by several commands, each set defined once and stacked as a decorator."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from coach.defaults import DEFAULT_BITRATE, DEFAULT_RATE, DEFAULT_VOICE, MP3_BITRATES, RATE_RANGE
from coach.kinds import AUTO, Guidance, Side, Tempo
from coach.routine import BPM_RANGE

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def stack(*decorators: Decorator) -> Decorator:
    """Apply click options in the order they are listed (the first shows first in help)."""

    def apply(command: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return apply


def choice(values: Iterable[str]) -> click.Choice[str]:
    """A choice of the values' spellings (click would show an enum's member names instead of its values)."""
    return click.Choice([str(value) for value in values])


side_option = click.option(
    "--side",
    type=choice([*Side, AUTO]),
    help="The side to work (required): right or left names the muscle worked; both works right, then left; "
    "auto takes the side with fewer sessions today.",
)


@dataclass(frozen=True, kw_only=True)
class SessionChoices:
    """The session options as the pipeline takes them: named tempo and guidance as enums, --no-intro turned round."""

    strokes: int | None  # None: the routine's
    tempo: Tempo | None  # None: the routine's, or --bpm's
    bpm: int | None
    guidance: Guidance
    intro: bool


def session_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--strokes, --tempo, --bpm, --guidance and --no-intro, handed to the command as one value, `session`."""

    @functools.wraps(command)
    def with_session(
        *args: object, strokes: int | None, tempo: str | None, bpm: int | None, guidance: str, no_intro: bool,
        **kwargs: object,
    ) -> object:  # fmt: skip
        session = SessionChoices(
            strokes=strokes, tempo=None if tempo is None else Tempo(tempo), bpm=bpm, guidance=Guidance(guidance),
            intro=not no_intro,
        )  # fmt: skip
        return command(*args, session=session, **kwargs)

    return _session_option_stack(with_session)


_session_option_stack = stack(
    click.option("--strokes", type=click.IntRange(1, 30), help="Strokes on each side [default: the routine's]."),
    click.option("--tempo", type=choice(Tempo), help="Stroke tempo [default: the routine's]."),
    click.option("--bpm", type=click.IntRange(*BPM_RANGE), help="Beats a minute, instead of a named tempo."),
    click.option(
        "--guidance",
        type=choice(Guidance),
        default=Guidance.BRIEF.value,
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

file_options = stack(
    click.option(
        "--bitrate",
        type=click.Choice([str(b) for b in MP3_BITRATES]),
        default=str(DEFAULT_BITRATE),
        show_default=True,
        help="MP3 bitrate in kbps (constant).",
    ),
    click.option("--mono/--stereo", default=True, show_default=True, help="One channel, or the same in both ears."),
    click.option("--lyrics", is_flag=True, help="Also write the spoken text with times: FILE.lrc, and in the MP3."),
    click.option("--srt", is_flag=True, help="Also write the spoken text as subtitles: FILE.srt."),
)

output_options = stack(
    click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write the session to FILE (.mp3, .wav, .flac or .ogg) instead of playing it.",
    ),
    file_options,
    click.option("--script", "as_script", is_flag=True, help="Print the session as timed text; play nothing."),
    click.option("--json", "as_json", is_flag=True, help="With --script: print the timeline as JSON."),
)


def check_tempo(session: SessionChoices) -> None:
    if session.tempo is not None and session.bpm is not None:
        raise click.UsageError("Give --tempo or --bpm, not both.")
