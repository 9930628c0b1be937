"""Shared fixtures. Every test runs with its own cache and config dirs, so nothing touches the user's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from coach.catalog import builtin_sources
from coach.routine import Routine, parse_routine
from coach.speech.cache import SpeechCache
from coach.speech.engine import Voice

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("COACH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COACH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "data"))
    yield


class FakeEngine:
    """A deterministic engine: each text becomes a tone whose length follows the text (100 samples a letter)."""

    name = "fake"
    sample_rate = 22050

    def __init__(self) -> None:
        self.spoken: list[str] = []

    def voices(self) -> list[Voice]:
        return [Voice("fake/one", "One", ("en",))]

    def synthesize(self, text: str, voice: str, rate: int) -> np.ndarray:
        self.spoken.append(text)
        n = 100 * len(text)
        return np.full(n, 8000, dtype=np.int16)


@pytest.fixture
def fake_engine() -> FakeEngine:
    return FakeEngine()


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
full_cues = 1

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


def fill_cache(cache_dir: Path, texts: list[str], engine_name: str = "pyttsx3-espeak") -> None:
    """Put a fake clip for each text into the speech cache, so the CLI runs the real pipeline without espeak."""
    from coach.defaults import DEFAULT_RATE, DEFAULT_VOICE

    cache = SpeechCache(cache_dir)
    for text in texts:
        cache.put(engine_name, DEFAULT_VOICE, DEFAULT_RATE, text, np.full(100 * len(text), 8000, np.int16), 22050)


def install_routine(home: Path, text: str = MINI, name: str = "mini", extra: tuple[str, ...] = ()) -> Routine:
    """A routine in the config dir under `home`, with the speech of every side and guidance level in the cache."""
    from coach.script import Options, build_script

    folder = home / "config" / "routines"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.toml").write_text(text)
    routine = parse_routine(text, f"{name}.toml", name)
    texts = [
        spoken
        for side in ("right", "left", "both")
        for guidance in ("full", "brief", "minimal")
        for spoken in build_script(routine, Options(side, guidance=guidance)).texts()
    ]
    fill_cache(home / "cache", [*texts, *extra])
    return routine


def run_cli(*args: str):  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from coach.cli import cli

    return CliRunner().invoke(cli, list(args), prog_name="coach")
