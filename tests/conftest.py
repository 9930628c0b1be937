"""Shared fixtures and fakes. Every test runs with its own cache, config and data dirs, so nothing touches the
user's; a test that needs a fake part (speech engine, audio output, keys, clock) builds its own dependencies with
`deps()` and passes them to `run_cli`."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from coach.catalog import builtin_sources
from coach.cli.deps import Clock, Deps
from coach.defaults import DEFAULT_ENGINE, DEFAULT_PACE, DEFAULT_VOICE
from coach.errors import SpeechError
from coach.routine import Routine, parse_routine
from coach.speech.cache import BEAT_PACE, Speaker, SpeechCache
from coach.speech.engine import Voice
from coach.speech.factory import EngineSpec


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl-C reaches the processes the tests start, as it does from a terminal. A shell starts a background job
    (as make test runs the other Pythons, side by side) with SIGINT ignored, and an ignored signal stays ignored
    across exec: coach would never see the Ctrl-C the signal tests send. A handler, unlike SIG_IGN, is reset to
    the default in a child."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("COACH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COACH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))  # where systemd user units go
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)  # a test that wants a bus starts its own
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "runtime"))  # no desktop's bus or user systemd either
    yield


class FakeEngine:
    """A deterministic engine: each text becomes a tone whose length follows the text (100 samples a letter)."""

    name = "fake"
    sample_rate = 22050

    def __init__(self) -> None:
        self.spoken: list[str] = []

    def voices(self) -> list[Voice]:
        return [Voice("fake/one", "One", ("en",)), Voice(DEFAULT_VOICE, "The default", ("en",))]

    def synthesize(self, text: str, voice: str, pace: float) -> np.ndarray:
        self.spoken.append(text)
        n = 100 * len(text)
        return np.full(n, 8000, dtype=np.int16)


class CalmEngine(FakeEngine):
    """A fake engine whose clips last as long as a calm natural voice takes at pace 1: 80 ms a character and 100 ms
    more (about 130 words a minute on coach's lines); a pace p divides that by p, as Piper's does (the beat words,
    at 1.25 x pace, take 64 ms a character and 80 ms more)."""

    name = "fake-calm"

    def synthesize(self, text: str, voice: str, pace: float) -> np.ndarray:
        self.spoken.append(text)
        return np.full(round((80 * len(text) + 100) * self.sample_rate / 1000 / pace), 8000, dtype=np.int16)


@pytest.fixture
def fake_engine() -> FakeEngine:
    return FakeEngine()


@dataclass(frozen=True)
class FakeEngines:
    """An engine factory that hands out one fake engine, so a test can hear what it was asked to say; as `Deps`'
    engines, it stands for every kind. `built` counts the engines handed out."""

    engine: FakeEngine
    built: list[int] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.engine.name

    def voice_key(self, voice: str) -> str:
        if voice not in {v.id for v in self.engine.voices()}:
            raise SpeechError(f"Unknown voice {voice!r}: 'coach voices' lists the voices you can use.")
        return voice

    def build(self, threads: int = 0) -> FakeEngine:
        self.built.append(threads)
        return self.engine

    def __call__(self, kind: str) -> FakeEngines:
        return self


class FakeClock:
    """Time that moves only when slept: monotonic seconds start at a realistic 8_000_000, and the wall clock at
    9:30 on 21 November 2026, moving with them."""

    def __init__(self, wall: datetime = datetime(2026, 11, 21, 9, 30)) -> None:
        self.wall = wall
        self.start = self.seconds = 8_000_000.0

    def now(self) -> datetime:
        return self.wall + timedelta(seconds=self.seconds - self.start)

    def monotonic(self) -> float:
        return self.seconds

    def sleep(self, seconds: float) -> None:
        self.seconds += seconds

    def clock(self) -> Clock:
        return Clock(now=self.now, monotonic=self.monotonic, sleep=self.sleep)


class InstantOutput:
    """An audio output that has played each buffer as soon as it is handed over."""

    def play(self, pcm: np.ndarray, sample_rate: int) -> InstantOutput:
        return self

    def is_playing(self) -> bool:
        return False

    def stop(self) -> None:
        pass


class ClockedOutput:
    """An audio output whose buffers play for their length by the fake clock; `handed` keeps (clock, buffer)."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.handed: list[tuple[float, np.ndarray]] = []

    def play(self, pcm: np.ndarray, rate: int) -> object:
        clock, ends = self.clock, self.clock.monotonic() + len(pcm) / rate
        self.handed.append((clock.monotonic(), pcm))

        class Handle:
            def is_playing(self) -> bool:
                return clock.monotonic() < ends

            def stop(self) -> None:
                pass

        return Handle()


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[[str, str], Path]]:
    """Mount small file systems of their own (tmpfs, `tmpfs(name, "64k")`), as root; a test that asks for one is
    skipped, with the reason, where mounting is not allowed. All are unmounted at the end."""
    mounted: list[Path] = []

    def mount(name: str, size: str) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
        mounted.append(folder)
        return folder

    yield mount
    for folder in reversed(mounted):
        subprocess.run(["umount", "-l", str(folder)], check=True)


def deps(**fakes: object) -> Deps:
    """This test's dependencies: its own directories, as the hermetic environment sets them, and the real parts
    except those given (dirs, engine, audio, keys, clock, bus, run, coach)."""
    return replace(Deps.from_environment(), **fakes)  # type: ignore[arg-type]


@pytest.fixture
def psoas() -> Routine:
    return next(s for s in builtin_sources() if s.name == "psoas").load()


MINI = """
title = "Mini"
description = "A tiny routine for tests."

[strokes]
default = 2
range = [1, 3]
tempo = "medium"
bpm = { slow = 30, medium = 60, fast = 90 }
count = "Stroke {n}."
three_more = "Three to go, {n}."
last = "Last, {n}."
count_in = 1
# each count is said just before its stroke's accent

[[strokes.steps]]
name = "press"
beats = 1
cue = "Press in."
short = "Press."

[[strokes.steps]]
name = "slide"
beats = 2
cue = "Slide away."
short = "Slide."

[[phases]]
title = "Start"
pause = 1
lines = ["Hello, {sides}."]

[[phases]]
title = "Place, {side}"
each_side = true
lines = [{ text = "Knees to your {other}, for your {side}.", pause = 0.5 }]

[[phases]]
title = "Work, {side}"
each_side = true
strokes = true
lines = ["Go."]

[switch]
title = "Switch"
lines = ["Now your {side}."]

[summary]
one_side = "Did {strokes} on your {side}; now your {other}."
both_sides = "Did {strokes} a side."

[[phases]]
title = "End"
lines = ["Done."]
"""


@pytest.fixture
def mini() -> Routine:
    return parse_routine(MINI, "mini.toml", "mini")


def fill_cache(cache_dir: Path, texts: list[str], kind: str = DEFAULT_ENGINE, voice: str | None = None) -> None:
    """Put a fake clip for each text into the speech cache, under the real engine's name and voice key (for Piper,
    the voice's digest), at the default pace and the beat words' pace, so the CLI runs the real pipeline without
    synthesizing anything."""
    from coach.defaults import DEFAULT_VOICES

    spec = EngineSpec(kind, cache_dir, cache_dir / "no-voices")
    cache = SpeechCache(cache_dir)
    key = spec.voice_key(DEFAULT_VOICES[kind] if voice is None else voice)
    for text in texts:
        for pace in (DEFAULT_PACE, DEFAULT_PACE * BEAT_PACE):
            cache.put(spec.name, key, pace, text, np.full(100 * len(text), 8000, np.int16), 22050)


def fake_speaker(engine: FakeEngine, cache: Path, voice: str = "fake/one", pace: float = 1.0) -> Speaker:
    """A speaker over the fake engine and a cache folder."""
    return Speaker(FakeEngines(engine), voice, pace, SpeechCache(cache))


def install_routine(home: Path, text: str = MINI, name: str = "mini", extra: tuple[str, ...] = ()) -> Routine:
    """A routine in the config dir under `home`, with the speech of every side and guidance level in the cache."""
    from coach.kinds import Guidance, Side
    from coach.script import Options, build_script

    folder = home / "config" / "routines"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.toml").write_text(text)
    routine = parse_routine(text, f"{name}.toml", name)
    texts = [
        spoken
        for side in Side
        for guidance in Guidance
        for spoken in build_script(routine, Options(side, guidance=guidance)).texts()
    ]
    fill_cache(home / "cache", [*texts, *extra])
    return routine


def process_env(home: Path) -> dict[str, str]:
    """The environment of a coach process of its own: this test's folders under `home` (HOME too)."""
    import os

    return {
        **os.environ,
        "COACH_CACHE_DIR": str(home / "cache"),
        "COACH_CONFIG_DIR": str(home / "config"),
        "COACH_DATA_DIR": str(home / "data"),
        "HOME": str(home),
    }


@pytest.fixture
def mini_env(tmp_path: Path) -> dict[str, str]:
    """The mini routine in the config dir (its speech not cached), and the environment of a coach process."""
    folder = tmp_path / "config" / "routines"
    folder.mkdir(parents=True)
    (folder / "mini.toml").write_text(MINI)
    return process_env(tmp_path)


def run_cli(*args: str, deps: Deps | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """Run the command line in this process; `deps` replaces the dependencies it would build for itself, `env`
    sets environment variables for the run."""
    from click.testing import CliRunner

    from coach.cli import cli

    return CliRunner().invoke(cli, list(args), prog_name="coach", obj=deps, env=env)
