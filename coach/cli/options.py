"""Options shared by several commands, each set defined once and stacked as a decorator that hands the command its
options as one typed value (`SessionChoices`, `SpeechChoices`, `FileChoices`, ...): each value is converted once,
here, into what it stands for."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import click

from coach.choices import SessionChoices, SpeechChoices
from coach.cli.numbers import FiniteFloatRange
from coach.defaults import (
    DEFAULT_BITRATES,
    DEFAULT_ENGINE,
    DEFAULT_PACE,
    DEFAULT_VOICES,
    ENGINES,
    MP3_BITRATES,
    PACE_RANGE,
)
from coach.kinds import AUTO, Auto, Guidance, Shape, Side, Tempo, Tool
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


class Members(click.Choice[str]):
    """A choice of enum members by their spellings (`right`, `auto`), shown as those; gives the member itself
    (`Side.RIGHT`, `Auto.AUTO`), so the command gets a value that says what it holds."""

    def __init__(self, members: Iterable[StrEnum]) -> None:
        self.members = {str(member): member for member in members}
        super().__init__(list(self.members))

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> StrEnum:
        if isinstance(value, StrEnum) and self.members.get(str(value)) is value:  # a default given as a member
            return value
        return self.members[super().convert(value, param, ctx)]


side_option = click.option(
    "--side",
    type=Members([*Side, AUTO]),
    help="The side to work (required): right or left names the muscle worked; both works right, then left; "
    "auto takes the side with fewer sessions today.",
)


def session_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--shape, --strokes, --tempo, --bpm, --guidance, --tool and --no-intro, handed to the command as one value,
    `session`."""

    def with_tool(*args: object, session: SessionChoices, **kwargs: object) -> object:
        tool = kwargs.pop("tool")  # the member itself (Members)
        assert isinstance(tool, Tool)
        return command(*args, session=replace(session, tool=tool), **kwargs)

    @functools.wraps(command)
    def with_session(
        *args: object, shape: Shape | Auto, strokes: int | None, tempo: Tempo | None, bpm: int | None,
        guidance: Guidance, no_intro: bool, **kwargs: object,
    ) -> object:  # fmt: skip
        session = SessionChoices(
            strokes=strokes, tempo=tempo, bpm=bpm, guidance=guidance, intro=not no_intro, shape=shape
        )  # fmt: skip
        return with_tool(*args, session=session, **kwargs)

    return _session_option_stack(with_session)


_session_option_stack = stack(
    click.option(
        "--shape",
        type=Members([*Shape, AUTO]),
        default=AUTO,
        show_default=True,
        help="teach: the whole session, for the first time; refresh: the first of a day (the safety words, the "
        "position and the stroke in short); quick: every later one that day (into position, the strokes, done); "
        "auto: as the program log says (a file or a script: teach).",
    ),
    click.option("--strokes", type=click.IntRange(1, 30), help="Strokes on each side [default: the routine's]."),
    click.option("--tempo", type=Members(Tempo), help="Stroke tempo [default: the routine's]."),
    click.option("--bpm", type=click.IntRange(*BPM_RANGE), help="Beats a minute, instead of a named tempo."),
    click.option(
        "--guidance",
        type=Members(Guidance),
        default=Guidance.BRIEF.value,
        show_default=True,
        help="full: every stroke's words; brief: full words for the first strokes, then short ones; "
        "minimal: counts and sounds only.",
    ),
    click.option(
        "--tool",
        type=Members(Tool),
        default=Tool.HANDS.value,
        show_default=True,
        help="What presses: your hands, or for weak or sore hands a cane (a hooked massage cane) or a knobbler "
        "(a hand-held knob), where the routine takes one ('coach show ROUTINE' says).",
    ),
    click.option("--no-intro", is_flag=True, help="Skip settling in and the safety words (you know the routine)."),
)


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


@dataclass(frozen=True, kw_only=True)
class FileChoices:
    """How a session sounds (stereo or mono, live too) and is written to a file: the MP3 bitrate, and the text
    beside it."""

    bitrate: int  # kbps, constant; MP3 only
    channels: int  # 2: stereo, each sound where it belongs (coach.placement); 1: mono, the stereo folded down
    lyrics: bool  # FILE.lrc, and the lyrics in an MP3
    srt: bool  # FILE.srt


def file_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--bitrate, --stereo/--mono, --lyrics and --srt, handed to the command as one value, `files`. The bitrate's
    default is the channels' own (DEFAULT_BITRATES)."""

    @functools.wraps(command)
    def with_files(
        *args: object, bitrate: str | None, stereo: bool, lyrics: bool, srt: bool, **kwargs: object
    ) -> object:
        channels = 2 if stereo else 1
        kbps = DEFAULT_BITRATES[channels] if bitrate is None else int(bitrate)
        files = FileChoices(bitrate=kbps, channels=channels, lyrics=lyrics, srt=srt)
        return command(*args, files=files, **kwargs)

    return _file_option_stack(with_files)


_file_option_stack = stack(
    click.option(
        "--bitrate",
        type=click.Choice([str(b) for b in MP3_BITRATES]),
        default=None,
        help=f"MP3 bitrate in kbps (constant). [default: {DEFAULT_BITRATES[2]} in stereo, "
        f"{DEFAULT_BITRATES[1]} in mono]",
    ),
    click.option(
        "--stereo/--mono",
        default=True,
        show_default=True,
        help="Stereo, for headphones: the words in the middle, a side's sounds from that side. Mono, for one "
        "earbud or a phone's speaker: the same folded into one channel. Live and in files.",
    ),
    click.option("--lyrics", is_flag=True, help="Also write the spoken text with times: FILE.lrc, and in the MP3."),
    click.option("--srt", is_flag=True, help="Also write the spoken text as subtitles: FILE.srt."),
)


@dataclass(frozen=True, kw_only=True)
class OutputChoices:
    """What a routine command does instead of playing: write a file (`path`, as `files` says), or print the
    script (as JSON with `json`)."""

    path: Path | None  # -o FILE
    files: FileChoices
    script: bool
    json: bool

    def check(self) -> None:
        """Usage errors (options that go together given apart), and a file that cannot be written."""
        if self.json and not self.script:
            raise click.UsageError("--json goes with --script.")
        if self.path is not None and self.script:
            raise click.UsageError("--script prints the session; it cannot be combined with -o.")
        if (self.files.lyrics or self.files.srt) and self.path is None:
            raise click.UsageError("--lyrics and --srt go with -o FILE.")
        if self.path is not None:  # the file and the lyrics and subtitles beside it can be written
            from coach.output.export import check_session_files

            check_session_files(self.path, self.files.lyrics, self.files.srt)


def output_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """-o, the file options, --script and --json, handed to the command as one value, `output`."""

    @functools.wraps(command)
    def with_output(
        *args: object, output: Path | None, files: FileChoices, as_script: bool, as_json: bool, **kwargs: object
    ) -> object:
        choices = OutputChoices(path=output, files=files, script=as_script, json=as_json)
        return command(*args, output=choices, **kwargs)

    return _output_option_stack(with_output)


_output_option_stack = stack(
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


@dataclass(frozen=True, kw_only=True)
class LiveChoices:
    """How a live session meets the program log and the desktop."""

    logged: bool  # False with --no-log: the log is neither read nor written
    media_keys: bool  # False with --no-media-keys: the session stays off the session bus
    resume: bool  # --resume: continue today's session stopped before its end
    listen: bool = False  # --listen: spoken commands, from the default microphone

    def check(self, output: OutputChoices) -> None:
        if self.resume and (output.path is not None or output.script or not self.logged):
            raise click.UsageError(
                "--resume continues a live session in the program log: not with -o, --script or --no-log."
            )
        if self.listen and (output.path is not None or output.script):
            raise click.UsageError("--listen hears spoken commands during a live session: not with -o or --script.")


def live_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--listen, --no-log, --no-media-keys and --resume, handed to the command as one value, `live`."""

    @functools.wraps(command)
    def with_live(
        *args: object, listen: bool, no_log: bool, no_media_keys: bool, resume: bool, **kwargs: object
    ) -> object:
        live = LiveChoices(logged=not no_log, media_keys=not no_media_keys, resume=resume, listen=listen)
        return command(*args, live=live, **kwargs)

    return _live_option_stack(with_live)


_live_option_stack = stack(
    click.option(
        "--listen",
        is_flag=True,
        help='Hear spoken commands from the default microphone: "coach, pause", "coach, go on", "coach, repeat", '
        '"coach, next", "coach, back", "coach, stop", and a number for the tenderness question. Offline; nothing '
        "heard is kept ('coach listen' checks the microphone).",
    ),
    click.option("--no-log", is_flag=True, help="Do not record this session in the program log."),
    click.option(
        "--no-media-keys",
        is_flag=True,
        help="Leave the desktop's media keys alone: no media player on the session bus for headphone buttons, "
        "media keys and playerctl.",
    ),
    click.option(
        "--resume", is_flag=True, help="Continue today's session that was stopped before its end, where it stopped."
    ),
)


def check_tempo(session: SessionChoices) -> None:
    if session.tempo is not None and session.bpm is not None:
        raise click.UsageError("Give --tempo or --bpm, not both.")
