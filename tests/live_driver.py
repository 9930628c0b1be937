"""A live session through the real loop, the real audio output (simpleaudio into whatever ALSA's default device is)
and, when a bus address is given, the real MPRIS player on it, on a fake clock; run as a process of its own so ALSA
reads the test's ~/.asoundrc:

    python tests/live_driver.py SPEC.json RESULT.json

SPEC: {"bus": address or null, "actions": [[seconds, kind, argument], ...], "probes": [seconds, ...]}. An action
is ["key", keys] (typed), ["call", method] (a D-Bus client calls the player) or ["playerctl", command]; each is
done once the clock reaches its time, and the live loop reads its keys on its next turn. A probe reads every
Player property there. The session: psoas, right side, 3 strokes, its speech a fixed noise (100 samples a letter).
RESULT: the outcome, the phases, the probes, the calls the player received and the signals a client saw.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
from desktop_bus import call, listening, plain

from coach.audio import SAMPLE_RATE, to_float
from coach.catalog import builtin_sources
from coach.desktop.media import MediaKeys, media_keys
from coach.desktop.mpris import BUS_NAME, OBJECT_PATH
from coach.kinds import Side
from coach.live import PROMPT_TEXTS, Keyboard, prompt_clips, run_live
from coach.output.playback import Player, SimpleaudioBackend
from coach.report import title
from coach.script import Options, build_script
from coach.session import Session, load_sounds
from coach.timeline import SOUND, SPEECH, build_timeline

START = 8_000_000.0  # a monotonic clock reads large numbers
PLAYER = "org.mpris.MediaPlayer2.Player"


def session() -> tuple[Session, dict[str, Any]]:
    """psoas, right side, 3 strokes, with noise for speech, so every stretch of the audio is unique."""
    routine = next(s for s in builtin_sources() if s.name == "psoas").load()
    script = build_script(routine, Options(Side.RIGHT, strokes=3))
    rng = np.random.default_rng(14)
    texts = list(dict.fromkeys([*script.texts(), *PROMPT_TEXTS]))
    speech = {t: to_float(rng.integers(-8000, 8000, 100 * len(t)).astype(np.int16)) for t in texts}
    clips = {(SPEECH, t): speech[t] for t in script.texts()}
    clips.update({(SOUND, name): clip for name, clip in load_sounds().items()})
    timeline = build_timeline(script, {k: len(v) for k, v in clips.items()}, SAMPLE_RATE)
    return Session(timeline, clips), prompt_clips(speech, SAMPLE_RATE)


class Clock:
    """Moves only when slept, in whole milliseconds (so times add up exactly); at each step it does what has come
    due (a typed key, a bus call, playerctl, a probe)."""

    def __init__(self, due: list[tuple[float, str, str]], bus: str | None) -> None:
        self.now, self.ms = START, 0
        self.due = sorted(due)
        self.bus = bus
        self.typed = ""  # keys typed and not yet read
        self.probes: list[dict[str, Any]] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.ms += round(seconds * 1000)
        self.now = START + self.ms / 1000
        while self.due and START + self.due[0][0] <= self.now:
            at, kind, argument = self.due.pop(0)
            self.act(at, kind, argument)

    def act(self, at: float, kind: str, argument: str) -> None:
        if kind == "key":
            self.typed += argument
        elif kind == "call":
            assert self.bus is not None
            call(self.bus, BUS_NAME, OBJECT_PATH, PLAYER, argument)  # returns once the player has queued it
        elif kind == "playerctl":
            env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": self.bus or ""}
            done = subprocess.run(["playerctl", "-p", "coach", argument], env=env, capture_output=True, text=True)
            assert (done.returncode, done.stderr) == (0, ""), done
        elif kind == "probe":
            assert self.bus is not None
            got = call(self.bus, BUS_NAME, OBJECT_PATH, "org.freedesktop.DBus.Properties", "GetAll", "s", [PLAYER])
            self.probes.append({"at": at, **plain(got[0])})


class TypedKeys:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def read(self) -> str:
        keys, self.clock.typed = self.clock.typed, ""
        return keys


class OnTheClock:
    """The real output; ALSA's null device takes each buffer at once, so "playing" follows the fake clock."""

    def __init__(self, clock: Clock) -> None:
        self.real = SimpleaudioBackend()
        self.clock = clock

    def play(self, pcm: np.ndarray, rate: int) -> Any:
        self.real.play(pcm, rate).wait_done()
        clock, ends = self.clock, self.clock.now + len(pcm) / rate

        class Handle:
            def is_playing(self) -> bool:
                return clock.now < ends

            def stop(self) -> None:
                pass

        return Handle()


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text())
    live, prompts = session()
    timeline = live.timeline
    bus = spec["bus"]
    due = [(at, kind, arg) for at, kind, arg in spec["actions"]] + [(at, "probe", "") for at in spec["probes"]]
    clock = Clock(due, bus)
    rules = [f"type='signal',path='{OBJECT_PATH}'", f"type='signal',member='NameOwnerChanged',arg0='{BUS_NAME}'"]
    with listening(bus, rules) if bus else contextlib.nullcontext() as signals:
        with media_keys(bus, title(timeline), clock) as media:
            if isinstance(media, MediaKeys):
                assert media.wait_ready(), media.errors
            player = Player(OnTheClock(clock), clock, clock.sleep)
            outcome = run_live(live, prompts, player, [Keyboard(TypedKeys(clock)), media], clock, clock.sleep)
        if signals is not None:  # the player has left the bus once the signal of its name going has come
            assert signals.wait_for(lambda member, body: member == "NameOwnerChanged" and not body[2])
    result = {
        "outcome": [outcome.finished, outcome.strokes_done, outcome.strokes_planned, outcome.position],
        "probes": clock.probes,
        "received": [[method, round(at - START, 6)] for method, at in getattr(media, "received", [])],
        "signals": signals.seen if signals is not None else [],
        "errors": [repr(e) for e in getattr(media, "errors", [])],
    }
    Path(sys.argv[2]).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
