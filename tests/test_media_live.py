"""Media keys through the real live loop: a D-Bus client and playerctl control a session as its keys do, on a
private bus, while the real player writes into ALSA's file capture (tests/live_driver.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from desktop_bus import private_bus
from live_driver import session

pytestmark = pytest.mark.e2e

DRIVER = Path(__file__).resolve().parent / "live_driver.py"
RATE = 22050
# the same session driven twice: from the bus (a client and playerctl), and by the keys they stand for
BY_BUS = [
    [5.5, "call", "PlayPause"],
    [8.0, "playerctl", "play"],
    [13.0, "call", "Next"],
    [15.0, "playerctl", "previous"],
    [17.0, "call", "Next"],
    [17.0, "playerctl", "next"],
    [19.0, "playerctl", "pause"],
    [20.0, "call", "Pause"],  # already paused: nothing
    [21.0, "call", "PlayPause"],
    [23.0, "call", "Play"],  # counting down, which is playing: nothing
    [27.0, "playerctl", "stop"],
]
BY_KEYS = [[5.5, "key", " "], [8.0, "key", " "], [13.0, "key", "n"], [15.0, "key", "b"], [17.0, "key", "nn"],
           [19.0, "key", " "], [21.0, "key", " "], [27.0, "key", "q"]]  # fmt: skip
PROBES = [4.0, 6.0, 9.0, 12.0, 14.0, 16.0, 18.0, 20.5, 22.0, 26.0]


def drive(tmp_path: Path, name: str, actions: list, bus: str | None, probes: list[float]) -> tuple[dict, np.ndarray]:
    """Run the live driver with ALSA's file capture: its result, and the audio the player handed to ALSA."""
    home = tmp_path / name
    home.mkdir()
    capture = home / "capture.raw"
    (home / ".asoundrc").write_text(
        f'pcm.!default {{\n  type file\n  slave.pcm "null"\n  file "{capture}"\n  format "raw"\n  truncate false\n}}\n'
    )
    (home / "spec.json").write_text(json.dumps({"bus": bus, "actions": actions, "probes": probes}))
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(DRIVER.parent)}
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    done = subprocess.run([sys.executable, str(DRIVER), str(home / "spec.json"), str(home / "result.json")], env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    parts = sorted(home.glob("capture.raw*"), key=lambda p: (len(p.name), p.name))
    return json.loads((home / "result.json").read_text()), np.concatenate([np.fromfile(p, "<i2") for p in parts])


def find_all(audio: np.ndarray, clip: np.ndarray) -> list[int]:
    """Every sample at which `clip` starts in `audio`, exactly."""
    hits = np.flatnonzero(audio[: len(audio) - len(clip) + 1] == clip[0])
    return [int(i) for i in hits if np.array_equal(audio[i : i + len(clip)], clip)]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("media-live")
    with private_bus() as bus:
        by_bus = drive(tmp_path, "bus", BY_BUS, bus, PROBES)
    with private_bus() as bus:
        by_keys = drive(tmp_path, "keys", BY_KEYS, bus, PROBES)
    return by_bus, by_keys


def test_the_bus_plays_exactly_what_the_keys_play(runs):
    (by_bus, heard), (by_keys, heard_by_keys) = runs
    assert np.array_equal(heard, heard_by_keys)
    assert by_bus["outcome"] == by_keys["outcome"]
    assert by_bus["errors"] == by_keys["errors"] == []


def held_at(timeline, at: int) -> int:
    """Where a pause at sample `at` holds the session: the start of the words playing then (they are said again
    whole on resuming), or `at` itself between words."""
    return next((e.start for e in timeline.events if e.kind == "speech" and e.start <= at < e.end), at)


def us(samples: int) -> int:
    return round(samples * 1_000_000 / RATE)


def test_the_properties_after_each_call_are_the_sessions(runs):
    (by_bus, _), (by_keys, _) = runs
    live, _ = session()
    phases = [p.start for p in live.timeline.phases]
    assert [p.title for p in live.timeline.phases][:3] == [
        "Settling in", "Position and spot, right side", "Strokes, right side",
    ]  # fmt: skip
    albums = {1: "Settling in", 2: "Position and spot, right side", 3: "Strokes, right side: stroke 1 of 3"}
    second = RATE
    held = held_at(live.timeline, round(5.5 * second))  # paused at 5.5 s, in the settling in's fourth line
    expected = [  # (at, status, phase, position in samples) where each probe reads them
        (4.0, "Playing", 1, 4 * second),
        (6.0, "Paused", 1, held),  # paused at 5.5 s: held at the start of the words it cut
        (9.0, "Playing", 1, held),  # counting down from 8 s: playing, the position held
        (12.0, "Playing", 1, held + second),  # playing again from 11 s
        (14.0, "Playing", 2, phases[1] + second),  # Next at 13 s
        (16.0, "Playing", 1, 1 * second),  # Previous at 15 s: back to the phase before
        (18.0, "Playing", 3, phases[2] + second),  # Next twice at 17 s
        (20.5, "Paused", 3, phases[2] + 2 * second),  # paused at 19 s; Pause at 20 s changes nothing
        (22.0, "Playing", 3, phases[2] + 2 * second),  # counting down from 21 s; Play at 23 s changes nothing
        (26.0, "Playing", 3, phases[2] + 4 * second),  # playing again from 24 s
    ]
    assert by_keys["probes"] == by_bus["probes"]
    for probe, (at, status, phase, position) in zip(by_bus["probes"], expected, strict=True):
        probe = dict(probe)
        # Position: the audio heard, which the segment player's hand-overs set back by up to a turn of the loop
        # (10 ms) each: at most two since a play began, here
        assert -20_000 - us(1) <= probe.pop("Position") - us(position) <= us(1), at
        assert probe == {
            "at": at, "PlaybackStatus": status,
            "Metadata": {"mpris:trackid": "/coach/session", "mpris:length": us(live.timeline.length),
                         "xesam:title": "Psoas release, right side", "xesam:album": albums[phase],
                         "xesam:artist": ["coach"], "xesam:trackNumber": phase},
            "CanGoNext": True, "CanGoPrevious": phase > 1, "CanPlay": True, "CanPause": True, "CanSeek": False,
            "CanControl": True, "Rate": 1.0, "Volume": 1.0, "MinimumRate": 1.0, "MaximumRate": 1.0,
        }, at  # fmt: skip
    finished, done, planned, reached = by_bus["outcome"]
    assert (finished, done, planned) == (False, 0, 3)  # stopped at 27 s, before any stroke
    assert -20 * RATE // 1000 <= reached - (phases[2] + 5 * second) <= 0
    methods = ["PlayPause", "Play", "Next", "Previous", "Next", "Next", "Pause", "Pause", "PlayPause", "Play", "Stop"]
    assert by_bus["received"] == [[m, at] for m, (at, _, _) in zip(methods, BY_BUS, strict=True)]  # queued at once


def test_a_client_sees_every_change_signalled(runs):
    (by_bus, _), (by_keys, _) = runs
    live, _ = session()
    phases = [p.start for p in live.timeline.phases]
    player = "org.mpris.MediaPlayer2.Player"

    def metadata(phase: int, album: str) -> dict:
        return {"mpris:trackid": "/coach/session", "mpris:length": us(live.timeline.length),
                "xesam:title": "Psoas release, right side", "xesam:album": album, "xesam:artist": ["coach"],
                "xesam:trackNumber": phase}  # fmt: skip

    def seen(result: dict) -> list:
        kept = [(m, b) for m, b in result["signals"] if m in ("PropertiesChanged", "Seeked", "NameOwnerChanged")]
        return [(m, [b[0], bool(b[1]), bool(b[2])] if m == "NameOwnerChanged" else b) for m, b in kept]

    assert seen(by_bus) == [
        ("NameOwnerChanged", ["org.mpris.MediaPlayer2.coach", False, True]),
        ("PropertiesChanged", [player, {"PlaybackStatus": "Playing", "Metadata": metadata(1, "Settling in"),
                                        "CanGoNext": True}, []]),
        ("PropertiesChanged", [player, {"PlaybackStatus": "Paused"}, []]),
        ("PropertiesChanged", [player, {"PlaybackStatus": "Playing"}, []]),  # the countdown
        ("PropertiesChanged", [player, {"Metadata": metadata(2, "Position and spot, right side"),
                                        "CanGoPrevious": True}, []]),
        ("Seeked", [us(phases[1])]),
        ("PropertiesChanged", [player, {"Metadata": metadata(1, "Settling in"), "CanGoPrevious": False}, []]),
        ("Seeked", [0]),
        ("PropertiesChanged", [player, {"Metadata": metadata(3, "Strokes, right side: stroke 1 of 3"),
                                        "CanGoPrevious": True}, []]),  # both Nexts read on one turn of the loop
        ("Seeked", [us(phases[2])]),
        ("PropertiesChanged", [player, {"PlaybackStatus": "Paused"}, []]),
        ("PropertiesChanged", [player, {"PlaybackStatus": "Playing"}, []]),
        ("PropertiesChanged", [player, {"PlaybackStatus": "Stopped",
                                        "Metadata": {"mpris:trackid": "/org/mpris/MediaPlayer2/TrackList/NoTrack"},
                                        "CanGoNext": False, "CanGoPrevious": False}, []]),
        ("NameOwnerChanged", ["org.mpris.MediaPlayer2.coach", True, False]),  # gone once the session ended
    ]  # fmt: skip
    assert seen(by_keys) == seen(by_bus)


def test_the_audio_has_the_pause_the_countdown_and_the_resume(runs):
    from coach.mixer import render_all

    (_, heard), _ = runs
    live, prompts = session()
    paused, countdown = find_all(heard, prompts["paused"]), find_all(heard, prompts["countdown"])
    assert len(paused) == len(countdown) == 2  # two pauses, each "Paused." and then, on play, the countdown
    assert [c - p for p, c in zip(paused, countdown, strict=True)] == [len(prompts["paused"])] * 2
    # after each countdown the session again, from where it was paused (between words: where the audio had got to,
    # as the player said then and the bus showed while paused)
    by_bus, _ = runs[0]
    paused_at = [p["Position"] for p in by_bus["probes"] if p["PlaybackStatus"] == "Paused"]
    for at, resume_us in zip(countdown, paused_at, strict=True):
        after = at + len(prompts["countdown"])
        resume = round(resume_us * RATE / 1_000_000)
        expected = [render_all(live.timeline, live.clips, r, r + 2 * RATE) for r in (resume - 1, resume, resume + 1)]
        assert any(np.array_equal(heard[after : after + 2 * RATE], e) for e in expected)


def play_mini(home: Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    """`coach mini --side right --no-log` in a process of its own, its audio into ALSA's file capture (through
    simpleaudio: ALSA's null device takes buffers as fast as they come, and a stream would race through it)."""
    (home / ".asoundrc").write_text(
        f'pcm.!default {{\n  type file\n  slave.pcm "null"\n  file "{home}/capture.raw"\n  format "raw"\n'
        "  truncate false\n}\n"
    )
    env = {**os.environ, "HOME": str(home), "COACH_CACHE_DIR": str(home / "cache"),
           "COACH_CONFIG_DIR": str(home / "config"), "COACH_AUDIO": "simpleaudio", **env}  # fmt: skip
    return subprocess.run([sys.executable, "-m", "coach", "mini", "--side", "right", "--no-log", *extra], env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


@pytest.mark.parametrize("bus", [None, "unix:path={home}/no-bus", "unix:abstract=coach-nobody"])
def test_with_no_bus_the_session_plays_and_nothing_is_said_about_it(tmp_path, bus):
    from conftest import install_routine

    install_routine(tmp_path, extra=("Paused.", "Three.", "Two.", "One."))
    env = {"XDG_RUNTIME_DIR": str(tmp_path)}  # holds no bus socket
    if bus is not None:
        env["DBUS_SESSION_BUS_ADDRESS"] = bus.format(home=tmp_path)
    done = play_mini(tmp_path, env)
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr == (
        "Playing Mini, right side: 2 strokes a side at 60 beats a minute (medium), brief guidance, 0:25 in all. "
        "Ctrl-C stops.\nSee where to press: coach show mini --side right --picture\nSession complete.\n"
    )
    played = sum(p.stat().st_size for p in tmp_path.glob("capture.raw*")) // 4  # stereo frames of 2 x 16 bits
    assert played == 560850  # the whole session


def test_a_burst_of_playpause_is_applied_in_order_heard_once_and_stop_still_ends_it(tmp_path):
    """50 PlayPause calls at once (a client's burst, read on one turn of the loop), then Stop: each is applied in
    turn to the controller's own state (playing, paused, counting down, paused, ...: the 50th leaves it counting
    down), the audio output is told only what they come to (the countdown, once: before, each call's prompt was
    played and cut, 50 streams opened and aborted), the bus says what is heard all along, and Stop ends it."""
    from coach.mixer import render_all

    burst = [[5.5, "call", "PlayPause"]] * 50 + [[12.0, "call", "Stop"]]
    with private_bus() as bus:
        result, heard = drive(tmp_path, "burst", burst, bus, [5.0, 6.0, 8.0, 9.0, 11.5])
    assert result["errors"] == []
    assert result["received"] == [["PlayPause", 5.5]] * 50 + [["Stop", 12.0]]
    live, prompts = session()
    paused_at = held_at(live.timeline, round(5.5 * RATE))  # the start of the words the pause cut
    expected = [  # (at, position in samples): Playing throughout, the countdown included (its position held)
        (5.0, 5 * RATE), (6.0, paused_at), (8.0, paused_at), (9.0, paused_at + RATE // 2),
        (11.5, paused_at + 3 * RATE),
    ]  # fmt: skip
    assert [(p["at"], p["PlaybackStatus"]) for p in result["probes"]] == [(at, "Playing") for at, _ in expected]
    for probe, (at, position) in zip(result["probes"], expected, strict=True):
        assert -20_000 - us(1) <= probe["Position"] - us(position) <= us(1), at
    assert find_all(heard, prompts["paused"]) == []
    countdown = find_all(heard, prompts["countdown"])
    assert len(countdown) == 1
    after = countdown[0] + len(prompts["countdown"])
    held = round(result["probes"][1]["Position"] * RATE / 1_000_000)  # where the audio had got to, as the bus said
    again = [render_all(live.timeline, live.clips, r, r + 2 * RATE) for r in (held - 1, held, held + 1)]
    assert any(np.array_equal(heard[after : after + 2 * RATE], e) for e in again)  # then the session, from there
    finished, done, planned, reached = result["outcome"]
    assert (finished, done, planned) == (False, 0, 3)  # Stop ended it, at 12 s: 3.5 s after the countdown
    assert -20 * RATE // 1000 <= reached - (paused_at + round(3.5 * RATE)) <= 0
    statuses = [body[1]["PlaybackStatus"] for member, body in result["signals"]
                if member == "PropertiesChanged" and "PlaybackStatus" in body[1]]  # fmt: skip
    assert statuses == ["Playing", "Stopped"]  # no Paused for a pause nobody heard
