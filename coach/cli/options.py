"""Options shared by several commands, each set defined once and stacked as a decorator."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from coach.cli.numbers import FiniteFloatRange
from coach.defaults import (
    DEFAULT_BITRATE,
    DEFAULT_ENGINE,
    DEFAULT_PACE,
    DEFAULT_VOICES,
    ENGINES,
    MP3_BITRATES,
    PACE_RANGE,
)
from coach.kinds import AUTO, Guidance, Shape, Side, Tempo
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
    shape: str = AUTO  # teach, refresh, quick, or auto: from the program log


def session_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--shape, --strokes, --tempo, --bpm, --guidance and --no-intro, handed to the command as one value,
    `session`."""

    @functools.wraps(command)
    def with_session(
        *args: object, shape: str, strokes: int | None, tempo: str | None, bpm: int | None, guidance: str,
        no_intro: bool, **kwargs: object,
    ) -> object:  # fmt: skip
        session = SessionChoices(
            strokes=strokes, tempo=None if tempo is None else Tempo(tempo), bpm=bpm, guidance=Guidance(guidance),
            intro=not no_intro, shape=shape,
        )  # fmt: skip
        return command(*args, session=session, **kwargs)

    return _session_option_stack(with_session)


_session_option_stack = stack(
    click.option(
        "--shape",
        type=choice([*Shape, AUTO]),
        default=AUTO,
        show_default=True,
        help="teach: the whole session, for the first time; refresh: the first of a day (the safety words, the "
        "position and the stroke in short); quick: every later one that day (into position, the strokes, done); "
        "auto: as the program log says (a file or a script: teach).",
    ),
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


@dataclass(frozen=True, kw_only=True)
class SpeechChoices:
    """How the session is spoken: the engine (by kind), its voice, and the pace."""

    engine: str
    voice: str
    pace: float

    @property
    def label(self) -> str:
        """For the MP3 comment: the voice by its name, the engine and the pace."""
        from coach.speech.factory import speech_label

        return speech_label(self.engine, self.voice, self.pace)


def voice_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--engine, --voice and --pace, handed to the command as one value, `speech` (--rate, replaced by --pace, is
    kept hidden, to say so)."""

    @functools.wraps(command)
    def with_speech(
        *args: object, engine: str, voice: str | None, pace: float, rate: int | None, **kwargs: object
    ) -> object:
        if rate is not None:
            raise click.UsageError(
                "--rate was replaced by --pace: 1.0 is the calm default, 0.9 a little slower, 1.1 a little quicker."
            )
        speech = SpeechChoices(engine=engine, voice=DEFAULT_VOICES[engine] if voice is None else voice, pace=pace)
        return command(*args, speech=speech, **kwargs)

    return _voice_option_stack(with_speech)


_voice_option_stack = stack(
    click.option(
        "--engine", type=click.Choice(ENGINES), default=DEFAULT_ENGINE, show_default=True,
        help="piper: the natural neural voice; espeak: espeak-ng (quick, many languages).",
    ),
    click.option(
        "--voice", metavar="VOICE",
        help=f"A Piper voice's name or the path of its .onnx file; with --engine espeak, an espeak-ng voice id (see "
        f"'coach voices') [default: {DEFAULT_VOICES[DEFAULT_ENGINE]}; espeak: {DEFAULT_VOICES['espeak']}].",
    ),
    click.option(
        "--pace", type=FiniteFloatRange(*PACE_RANGE), default=DEFAULT_PACE, show_default=True,
        help="How quickly the coach speaks: 1.0 is calm, 0.9 a little slower, 1.1 a little quicker.",
    ),
    click.option("--rate", type=int, hidden=True),
)  # fmt: skip

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
