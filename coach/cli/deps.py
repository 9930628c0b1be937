"""The dependencies, built in one place at the command line's edge and handed down: where files live, the speech
engines (as factories that can cross to worker processes), the audio output (as the live player it makes), the
keyboard, the clock (with the local time zone's name), the session bus, and how other programs (systemctl) are run.

Nothing below the command line builds an engine, opens the program log or reads the clock for itself; tests build
a `Deps` of their own with fakes and pass it as click's `obj`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import warnings
import zoneinfo
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from coach.desktop.bus import session_bus_address
from coach.desktop.systemd import Completed, Runner
from coach.errors import AudioOutputError
from coach.papersize import Paper, locale_paper
from coach.paths import Dirs
from coach.quoting import quoted
from coach.speech.engine import EngineFactory
from coach.speech.factory import EngineSpec

if TYPE_CHECKING:
    from coach.audio import Pcm
    from coach.choices import SpeechChoices
    from coach.listen.listening import Recognizer
    from coach.live import Keys
    from coach.output.playback import Backend
    from coach.output.player import LivePlayer
    from coach.practice import Needs, Notices
    from coach.programlog import ProgramLog
    from coach.speech.cache import Speaker


def local_zone() -> str | None:
    """The local time zone's IANA name (Europe/Berlin), or None where it has none: $TZ when it names a zone (as
    TZ=Europe/Berlin or TZ=:Europe/Berlin), else the system's setting as tzlocal finds it (/etc/localtime's link,
    /etc/timezone, timedatectl)."""
    tz = os.environ.get("TZ", "").removeprefix(":")
    if tz:
        name = tz.split("/zoneinfo/", 1)[1] if "/zoneinfo/" in tz else tz
        return name if _is_zone(name) else None  # a POSIX rule such as CET-1CEST names no zone
    import tzlocal

    try:
        with warnings.catch_warnings():  # conflicting system settings: tzlocal warns, or gives up
            warnings.simplefilter("ignore")
            name = tzlocal.get_localzone_name()
    except (LookupError, OSError, ValueError):
        return None
    return name if name and _is_zone(name) else None


def _is_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (ValueError, OSError, zoneinfo.ZoneInfoNotFoundError):
        return False
    return True


@dataclass(frozen=True)
class Clock:
    now: Callable[[], datetime]  # local time, for the program log and for "today"
    monotonic: Callable[[], float]  # seconds, for pacing a live session
    sleep: Callable[[float], None]
    zone: Callable[[], str | None] = local_zone  # the local time zone's name, for a calendar file


SYSTEM_CLOCK = Clock(now=datetime.now, monotonic=time.monotonic, sleep=time.sleep)


def run_command(args: Sequence[str]) -> Completed:
    """Run another program (systemctl) to its end, with no input; FileNotFoundError when it is not installed."""
    try:
        done = subprocess.run(
            list(args), stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace", timeout=60
        )
    except subprocess.TimeoutExpired:
        return Completed(124, "", f"{args[0]} did not finish within 60 s")
    return Completed(done.returncode, done.stdout, done.stderr)


SESSION_STOP_S = 5.0  # how long a session stopped with this process has to record how far it went


def run_session(args: Sequence[str], environment: Mapping[str, str]) -> int:
    """Run a session's command (coach ROUTINE --side SIDE) to its end, with no terminal: no input, its output where
    this process's goes (for a reminder's service, the journal). Its exit status. Stopped meanwhile (SIGTERM, as
    systemd stops a service), it stops the session the same way, and waits for it to record how far it went."""
    with subprocess.Popen(list(args), stdin=subprocess.DEVNULL, env=dict(environment)) as child:
        try:
            return child.wait()
        except BaseException:
            child.terminate()
            try:
                child.wait(SESSION_STOP_S)
            except subprocess.TimeoutExpired:
                child.kill()
            raise


def image_viewer(environ: Mapping[str, str]) -> Callable[[Path], bool]:
    """Opens a picture in the desktop's image viewer (xdg-open, not waited for); False where there is no desktop
    (no display) or no xdg-open."""

    def view(path: Path) -> bool:
        opener = shutil.which("xdg-open", path=environ.get("PATH"))
        if opener is None or not (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")):
            return False
        try:
            subprocess.Popen(
                [opener, str(path)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        except OSError:
            return False
        return True

    return view


def coach_command() -> tuple[str, ...]:
    """How another process runs this coach: the `coach` script that is running, by its absolute path, else this
    Python with -m coach (as under a test runner)."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is not None and script.name == "coach" and script.is_file() and os.access(script, os.X_OK):
        return (os.path.abspath(script),)
    return (os.path.abspath(sys.executable), "-m", "coach")


PORTAUDIO, SIMPLEAUDIO = "portaudio", "simpleaudio"  # $COACH_AUDIO: the live output to use
Audio = Callable[[Clock, int], "LivePlayer"]  # opens the audio output with so many channels and makes its live
# player, paced by the clock


def audio_output(kind: str | None) -> Audio:
    """How a live session reaches the speakers, by $COACH_AUDIO: PortAudio's stream by default, and simpleaudio's
    buffers where PortAudio is missing or has no output it can open; `portaudio` or `simpleaudio` asks for one.
    (Imported only when a session is played.)"""

    def open_audio(clock: Clock, channels: int) -> LivePlayer:
        from coach.audio import SAMPLE_RATE
        from coach.output.playback import Player, SimpleaudioBackend
        from coach.output.stream import PortAudioOutput, StreamPlayer

        if kind not in (None, "", PORTAUDIO, SIMPLEAUDIO):
            raise AudioOutputError(f"COACH_AUDIO is {quoted(kind)}: it can be {PORTAUDIO} or {SIMPLEAUDIO}.")
        if kind != SIMPLEAUDIO:
            try:
                return StreamPlayer(PortAudioOutput(SAMPLE_RATE, channels=channels), channels=channels)
            except AudioOutputError:
                if kind == PORTAUDIO:
                    raise
        return Player(SimpleaudioBackend(), clock.monotonic, clock.sleep, channels=channels)

    return open_audio


def buffers(open_output: Callable[[], Backend]) -> Audio:
    """An output that plays whole buffers (simpleaudio, or a test's), played segment by segment by the clock."""

    def open_audio(clock: Clock, channels: int) -> LivePlayer:
        from coach.output.playback import Player

        return Player(open_output(), clock.monotonic, clock.sleep, channels=channels)

    return open_audio


def terminal_keys() -> AbstractContextManager[Keys]:
    """Single keys from the terminal, restored on leaving (nothing to read when stdin is not a terminal)."""
    from coach.live import terminal_keys

    return terminal_keys()


def open_microphone() -> AbstractContextManager[Iterator[Pcm]]:
    """The default microphone, open while the context lasts (MicrophoneError where there is none)."""
    from coach.listen.sources import microphone

    return microphone()


def load_recognizer() -> Recognizer:
    """The speech recognizer, loaded (RecognizerError where it cannot be)."""
    from coach.listen.sphinx import SphinxRecognizer

    return SphinxRecognizer()


def play_tone(pcm: Pcm, sample_rate: int) -> None:
    """A short tone (a spoken command understood) through an output of its own, beside the session's, not waited
    for; where it cannot be played, nothing is heard and nothing is said (the command is acted on all the same)."""
    from coach.output.playback import SimpleaudioBackend

    with suppress(AudioOutputError, OSError):
        SimpleaudioBackend().play(pcm, sample_rate)


@dataclass(frozen=True)
class Engines:
    """The speech engines by kind (piper, espeak), each as a factory that builds it here or in a worker process."""

    dirs: Dirs

    def __call__(self, kind: str) -> EngineFactory:
        return EngineSpec(kind, self.dirs.cache, self.dirs.voices)


@dataclass(frozen=True)
class Deps:
    dirs: Dirs
    engines: Callable[[str], EngineFactory]  # the speech engine of a kind, as a factory
    audio: Audio  # opens the audio output; AudioOutputError when there is none
    keys: Callable[[], AbstractContextManager[Keys]]
    clock: Clock
    bus: str | None = None  # the session bus's address; None where there is none
    run: Runner = run_command  # runs another program: systemctl, for reminders
    coach: tuple[str, ...] = ("coach",)  # how a systemd unit runs this coach
    microphone: Callable[[], AbstractContextManager[Iterator[Pcm]]] = open_microphone  # opens the microphone
    recognizer: Callable[[], Recognizer] = load_recognizer  # loads the speech recognizer
    tone: Callable[[Pcm, int], None] = play_tone  # a short tone beside a live session's sound
    view_image: Callable[[Path], bool] = lambda path: False  # opens a picture in the image viewer, if there is one
    paper: Paper = Paper.A4  # the locale's paper, for printed pages (LC_ALL, LC_PAPER, LANG)
    play: Callable[[Sequence[str], Mapping[str, str]], int] = run_session  # runs a session's command (Start)
    environ: Mapping[str, str] = field(default_factory=dict)  # the environment it was built from

    def speaker(self, speech: SpeechChoices, threads: int = 0) -> Speaker:
        """A session's speech: its engine (built only if a line is not cached), voice and pace, over the cache."""
        from coach.speech.cache import Speaker, SpeechCache

        return Speaker(self.engines(speech.engine), speech.voice, speech.pace, SpeechCache(self.dirs.cache), threads)

    def live(
        self,
        log: ProgramLog | None,
        speech: SpeechChoices,
        media_keys: bool,
        notices: Notices,
        channels: int = 2,
        listen: bool = False,
    ) -> Needs:
        """What a live session works with: the log (open, or None), its speech (made on one thread, beside the
        sound), the audio output paced by the clock, the keyboard, the desktop's media keys (unless left alone),
        spoken commands (with `listen`), and where what it shows goes."""
        from coach.desktop.media import media_keys as on_the_bus
        from coach.listen.spoken import spoken_commands
        from coach.practice import Needs

        heard = partial(spoken_commands, self.microphone, self.recognizer, sound=self.tone) if listen else None
        return Needs(
            log=log, speaker=self.speaker(speech, threads=1), audio=lambda: self.audio(self.clock, channels),
            clock=self.clock, keyboard=self.keys, sources=[partial(on_the_bus, self.bus)] if media_keys else (),
            notices=notices, listen=heard, terminal=sys.stdin.isatty(),
        )  # fmt: skip

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Deps:
        environ = os.environ if environ is None else environ
        dirs = Dirs.from_environment(environ)
        return cls(
            dirs=dirs,
            engines=Engines(dirs),
            audio=audio_output(environ.get("COACH_AUDIO")),
            keys=terminal_keys,
            clock=SYSTEM_CLOCK,
            bus=session_bus_address(environ),
            run=run_command,
            coach=coach_command(),
            view_image=image_viewer(environ),
            paper=locale_paper(environ),
            environ=dict(environ),
        )
