"""Media keys: coach as an MPRIS player, through a private dbus-daemon, with a dbus-fast client and playerctl."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
from dbus_fast import DBusError
from desktop_bus import call, listening, private_bus

from coach.control import Controller, Intent, Key, State, Where
from coach.desktop.media import NO_TRACK, TRACK, MediaKeys, NoMedia, PlayerState, inputs_for, media_keys, player_state
from coach.desktop.mpris import BUS_NAME, OBJECT_PATH
from coach.kinds import Side

PLAYER = "org.mpris.MediaPlayer2.Player"
PROPERTIES = "org.freedesktop.DBus.Properties"
TITLE = "Psoas release, right side"
RATE = 22050
# 95 s into a 217 s session, stroke 3 of 8 of the fourth phase
STROKES = Where(State.PLAYING, 95 * RATE, 217 * RATE, RATE, 3, 5, "Strokes, right side", 3, 8)


class Clock:
    """A clock the test moves by hand, starting where a monotonic clock does."""

    def __init__(self) -> None:
        self.now = 8_000_000.0

    def __call__(self) -> float:
        return self.now


# -- without a bus -------------------------------------------------------------------------------------------------


def controller_in(state: State, mini) -> Controller:
    from test_timeline import lengths_for

    from coach.script import Options, build_script
    from coach.timeline import build_timeline

    script = build_script(mini, Options(Side.RIGHT))
    controller = Controller(build_timeline(script, lengths_for(script), RATE))
    controller.start(8_000_000.0)
    presses = {State.PLAYING: 0, State.PAUSED: 1, State.COUNTDOWN: 2}[state]
    for _ in range(presses):
        controller.key(Key.PAUSE, 8_000_001.0)
    assert controller.state == state
    return controller


@pytest.mark.parametrize(
    ("calls", "state", "keys"),
    [
        (["PlayPause"], State.PLAYING, " "),
        (["PlayPause"], State.PAUSED, " "),
        (["Play"], State.PLAYING, ""),
        (["Play"], State.PAUSED, " "),
        (["Play"], State.COUNTDOWN, ""),  # counting down is playing
        (["Pause"], State.PLAYING, " "),
        (["Pause"], State.PAUSED, ""),
        (["Pause"], State.COUNTDOWN, " "),  # stays paused, as space does
        (["Play", "Play"], State.PAUSED, " "),  # the second Play finds it counting down
        (["Pause", "Play", "PlayPause"], State.PLAYING, "   "),
        (["Pause", "Pause", "Play", "Play", "Pause"], State.PLAYING, "   "),
        (["PlayPause"] * 50, State.PLAYING, " " * 50),  # a burst: counting down at the end
        (["Next", "Previous", "Stop"], State.PLAYING, "nbq"),
        (["Seek", "Raise"], State.PLAYING, ""),
    ],
)
def test_calls_do_what_the_keys_a_person_would_press_do_from_the_controllers_own_state(mini, calls, state, keys):
    """Each call is applied in turn against the state the calls before it left, never a state published earlier."""
    by_calls, by_keys = controller_in(state, mini), controller_in(state, mini)
    done = [command for given in inputs_for(calls) for command in by_calls.key(given, 8_000_002.0)]
    pressed = [command for key in Key.typed(keys) for command in by_keys.key(key, 8_000_002.0)]
    assert (done, by_calls.state, by_calls.position(8_000_003.0)) == (
        pressed, by_keys.state, by_keys.position(8_000_003.0)
    )  # fmt: skip


def test_the_state_shown_is_the_controllers():
    assert player_state(TITLE, STROKES, 8_000_000.0) == PlayerState(
        status="Playing", title=TITLE, album="Strokes, right side: stroke 3 of 8", phase=4, length_us=217_000_000,
        position_us=95_000_000, at=8_000_000.0, moving=True, can_go_next=True, can_go_previous=True,
    )  # fmt: skip
    first = Where(State.COUNTDOWN, 2 * RATE, 217 * RATE, RATE, 0, 5, "Settling in", 0, 0)
    assert player_state(TITLE, first, 1.0) == PlayerState(
        status="Playing", title=TITLE, album="Settling in", phase=1, length_us=217_000_000, position_us=2_000_000,
        at=1.0, moving=False, can_go_next=True, can_go_previous=False,
    )  # fmt: skip
    paused = player_state(TITLE, Where(State.PAUSED, RATE, 217 * RATE, RATE, 1, 5, "Positioning", 0, 0), 1.0)
    assert (paused.status, paused.moving, paused.can_go_previous) == ("Paused", False, True)
    ended = player_state(TITLE, Where(State.ENDED, RATE, 217 * RATE, RATE, 1, 5, "Positioning", 0, 0), 1.0)
    assert (ended.status, ended.metadata(), ended.can_go_next) == ("Stopped", {"mpris:trackid": ("o", NO_TRACK)}, False)


def test_the_position_flows_only_while_playing_and_a_jump_is_a_seek():
    state = player_state(TITLE, STROKES, 100.0)
    assert [state.position_now(t) for t in (100.0, 100.5, 500.0)] == [95_000_000, 95_500_000, 217_000_000]
    on = player_state(TITLE, Where(State.PLAYING, 95 * RATE + RATE // 100, 217 * RATE, RATE, 3, 5, "S", 3, 8), 100.01)
    assert not on.jumped(state)  # 10 ms later, 10 ms on
    back = player_state(TITLE, Where(State.PLAYING, 90 * RATE, 217 * RATE, RATE, 3, 5, "S", 3, 8), 100.01)
    assert back.jumped(state)
    assert back.changes(state) == {"Metadata": back.metadata()}  # the album: "S: stroke 3 of 8"
    paused = player_state(
        TITLE, Where(State.PAUSED, 95 * RATE, 217 * RATE, RATE, 3, 5, "Strokes, right side", 3, 8), 100.5
    )
    assert paused.changes(state) == {"PlaybackStatus": "Paused"}
    assert paused.position_now(105.0) == 95_000_000


def test_no_bus_means_nothing_to_read_and_no_thread(capfd):
    before = threading.active_count()
    with media_keys(None, TITLE, Clock()) as media:
        assert isinstance(media, NoMedia)
        assert threading.active_count() == before
        media.publish(STROKES, 1.0)
        assert media.read() == ()
    assert capfd.readouterr() == ("", "")


# -- through a private bus ---------------------------------------------------------------------------------------


@pytest.fixture
def bus() -> Iterator[str]:
    with private_bus() as address:
        yield address


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def media(bus: str, clock: Clock) -> Iterator[MediaKeys]:
    with media_keys(bus, TITLE, clock) as keys:
        assert isinstance(keys, MediaKeys)
        assert keys.wait_ready()
        keys.publish(STROKES, clock.now)
        # a call to the player is answered after the signals of that publish (its thread takes both in turn), so a
        # test that starts listening next does not hear them late (it did once, on a loaded machine)
        assert get_all(bus)["PlaybackStatus"] == "Playing"
        yield keys
    assert keys.errors == []


def player(bus: str, member: str, signature: str = "", body: list | None = None, name: str = BUS_NAME):
    return call(bus, name, OBJECT_PATH, PLAYER, member, signature, body)


def get_all(bus: str, interface: str = PLAYER) -> dict:
    from desktop_bus import plain

    return plain(call(bus, BUS_NAME, OBJECT_PATH, PROPERTIES, "GetAll", "s", [interface])[0])


def read_soon(media: MediaKeys, calls: int = 1, timeout: float = 5.0) -> tuple:
    """What the live loop reads once `calls` calls have arrived."""
    inputs, deadline = (), time.monotonic() + timeout
    while len(media.received) < calls and time.monotonic() < deadline:
        inputs += media.read()
        time.sleep(0.002)
    return inputs


def playerctl(bus: str, *args: str) -> str:
    if shutil.which("playerctl") is None:
        pytest.skip("playerctl is not installed (Debian's playerctl package; make installs it)")
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": bus}
    done = subprocess.run(["playerctl", "-p", "coach", *args], env=env, capture_output=True, text=True, timeout=20)
    assert (done.returncode, done.stderr) == (0, ""), done
    return done.stdout.strip()


def test_both_interfaces_say_exactly_what_coach_is(bus, media, clock):
    assert get_all(bus, "org.mpris.MediaPlayer2") == {
        "CanQuit": False, "CanRaise": False, "HasTrackList": False, "Identity": "coach", "SupportedUriSchemes": [],
        "SupportedMimeTypes": [],
    }  # fmt: skip
    clock.now += 0.25  # a quarter of a second played since the state was published
    assert get_all(bus) == {
        "PlaybackStatus": "Playing",
        "Metadata": {
            "mpris:trackid": TRACK, "mpris:length": 217_000_000, "xesam:title": TITLE,
            "xesam:album": "Strokes, right side: stroke 3 of 8", "xesam:artist": ["coach"], "xesam:trackNumber": 4,
        },
        "Position": 95_250_000,
        "Rate": 1.0, "Volume": 1.0, "MinimumRate": 1.0, "MaximumRate": 1.0,
        "CanGoNext": True, "CanGoPrevious": True, "CanPlay": True, "CanPause": True, "CanSeek": False,
        "CanControl": True,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("method", "given"),
    [
        ("PlayPause", Key.PAUSE),
        ("Play", Intent.PLAY),  # whatever was published: the controller applies it to its own state
        ("Pause", Intent.PAUSE),
        ("Next", Key.NEXT),
        ("Previous", Key.BACK),
        ("Stop", Key.QUIT),
    ],
)
def test_each_method_is_the_key_or_intent_it_stands_for(bus, media, clock, method, given):
    clock.now += 1.5
    assert player(bus, method) == []
    assert read_soon(media) == (given,)
    assert media.received == [(method, clock.now)]  # queued at once, stamped by the live loop's clock


def test_seeking_does_nothing_and_open_uri_is_refused_with_a_named_error(bus, media):
    assert player(bus, "Seek", "x", [5_000_000]) == []
    assert player(bus, "SetPosition", "ox", [TRACK, 5_000_000]) == []
    with pytest.raises(DBusError) as refused:
        player(bus, "OpenUri", "s", ["file:///tmp/x.mp3"])
    assert (refused.value.type, refused.value.text) == (
        f"{BUS_NAME}.Error.NotSupported",
        "coach plays its own sessions only.",
    )
    assert (media.read(), media.received) == ((), [])


def test_playerctl_reads_and_drives_it(bus, media, clock):
    assert playerctl(bus, "status") == "Playing"
    assert playerctl(bus, "metadata", "--format", "{{artist}} | {{title}} | {{album}} | {{mpris:length}}") == (
        f"coach | {TITLE} | Strokes, right side: stroke 3 of 8 | 217000000"
    )
    assert 95.0 <= float(playerctl(bus, "position")) < 95.01  # playerctl adds the time since it asked
    inputs = ()
    for n, command in enumerate(("play-pause", "next", "previous", "stop"), start=1):
        playerctl(bus, command)
        inputs += read_soon(media, n)
    assert inputs == (Key.PAUSE, Key.NEXT, Key.BACK, Key.QUIT)


def test_a_client_sees_each_change_once_and_a_jump_as_seeked(bus, media, clock):
    rules = [f"type='signal',path='{OBJECT_PATH}'"]
    with listening(bus, rules) as signals:
        clock.now += 1.0
        paused = Where(State.PAUSED, 96 * RATE, 217 * RATE, RATE, 3, 5, "Strokes, right side", 3, 8)
        media.publish(paused, clock.now)
        media.publish(paused, clock.now + 0.01)  # nothing changed: no signal
        closing = Where(State.PLAYING, 200 * RATE, 217 * RATE, RATE, 4, 5, "Closing", 0, 0)
        media.publish(closing, clock.now + 1.0)
        media.publish(Where(State.ENDED, 201 * RATE, 217 * RATE, RATE, 4, 5, "Closing", 0, 0), clock.now + 2.0)
        assert signals.wait_for(lambda member, body: member == "PropertiesChanged" and "Stopped" in str(body))
    assert signals.seen == [
        ("PropertiesChanged", [PLAYER, {"PlaybackStatus": "Paused"}, []]),  # at 96 s: where playing had got to
        ("PropertiesChanged", [PLAYER, {"PlaybackStatus": "Playing", "Metadata": {
            "mpris:trackid": TRACK, "mpris:length": 217_000_000, "xesam:title": TITLE, "xesam:album": "Closing",
            "xesam:artist": ["coach"], "xesam:trackNumber": 5}}, []]),
        ("Seeked", [200_000_000]),
        ("PropertiesChanged", [PLAYER, {"PlaybackStatus": "Stopped", "Metadata": {"mpris:trackid": NO_TRACK},
                                        "CanGoNext": False, "CanGoPrevious": False}, []]),
    ]  # fmt: skip


def test_a_second_coach_takes_an_instance_name(bus, media, clock):
    with media_keys(bus, "Iliacus release, left side", clock) as second:
        assert isinstance(second, MediaKeys) and second.wait_ready()
        assert (media.bus_name, second.bus_name) == (BUS_NAME, f"{BUS_NAME}.instance{os.getpid()}")
        assert call(bus, second.bus_name, OBJECT_PATH, PROPERTIES, "Get", "ss", [PLAYER, "PlaybackStatus"])[
            0
        ].value == (
            "Stopped"  # nothing published yet
        )
    assert second.errors == []


def test_leaving_signals_the_end_before_the_name_goes(bus, clock):
    rules = [f"type='signal',path='{OBJECT_PATH}'", "type='signal',member='NameOwnerChanged'"]
    with listening(bus, rules) as signals:
        with media_keys(bus, TITLE, clock) as media:
            assert isinstance(media, MediaKeys) and media.wait_ready()
            media.publish(STROKES, clock.now)
            media.publish(Where(State.ENDED, 96 * RATE, 217 * RATE, RATE, 3, 5, "Strokes, right side", 3, 8), clock.now)
        assert signals.wait_for(
            lambda member, body: member == "NameOwnerChanged" and body[0] == BUS_NAME and not body[2]
        )
    changes = [(m, b[1]["PlaybackStatus"]) for m, b in signals.seen if m == "PropertiesChanged"]
    assert changes == [("PropertiesChanged", "Playing"), ("PropertiesChanged", "Stopped")]
    names = [b for m, b in signals.seen if m == "NameOwnerChanged" and b[0] == BUS_NAME]
    assert [bool(new) for _, _, new in names] == [True, False]
    last_change = max(i for i, (m, _) in enumerate(signals.seen) if m == "PropertiesChanged")
    name_gone = next(
        i for i, (m, b) in enumerate(signals.seen) if m == "NameOwnerChanged" and b[0] == BUS_NAME and not b[2]
    )
    assert last_change < name_gone
    assert media.errors == []


def test_an_unreachable_bus_is_silent(tmp_path, clock, capfd):
    with media_keys(f"unix:path={tmp_path}/no-bus", TITLE, clock) as media:
        assert isinstance(media, MediaKeys)
        assert not media.wait_ready()
        media.publish(STROKES, clock.now)
        assert media.read() == ()
    assert capfd.readouterr() == ("", "")
    assert [type(e).__name__ for e in media.errors] == ["NoBus"]


def test_the_bus_going_away_mid_session_is_silent(clock, capfd):
    daemon = contextlib.ExitStack()
    address = daemon.enter_context(private_bus())
    with media_keys(address, TITLE, clock) as media:
        assert isinstance(media, MediaKeys) and media.wait_ready()
        media.publish(STROKES, clock.now)
        daemon.close()  # the bus ends under the running session
        assert media.gone.wait(5)
        media.publish(
            Where(State.PAUSED, 96 * RATE, 217 * RATE, RATE, 3, 5, "Strokes, right side", 3, 8), clock.now + 1
        )
        assert media.read() == ()
    assert capfd.readouterr() == ("", "")


class Watch:
    """Keys that, on the live loop's first turn, note the threads and the names on the bus (waiting for coach's
    name to come when it should)."""

    def __init__(self, bus: str, expect: bool) -> None:
        self.bus, self.expect = bus, expect
        self.names: list[str] = []
        self.threads: list[str] = []

    def read(self) -> str:
        deadline = time.monotonic() + 5
        while not self.names or (self.expect and BUS_NAME not in self.names and time.monotonic() < deadline):
            self.names = call(self.bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                              "ListNames")[0]  # fmt: skip
        self.threads = [thread.name for thread in threading.enumerate()]
        return ""


@pytest.mark.parametrize("flag", [(), ("--no-media-keys",)])
def test_a_live_session_is_on_the_bus_unless_told_not_to_be(bus, tmp_path, flag):
    from conftest import FakeClock, InstantOutput, deps, install_routine, run_cli

    from coach.cli.deps import buffers

    install_routine(tmp_path, extra=("Paused.", "Three.", "Two.", "One."))
    watch = Watch(bus, expect=not flag)
    fakes = deps(
        bus=bus, audio=buffers(InstantOutput), clock=FakeClock().clock(), keys=lambda: contextlib.nullcontext(watch)
    )
    result = run_cli("mini", "--side", "right", "--no-log", *flag, deps=fakes)
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (0, "Session complete."), result.output
    assert (BUS_NAME in watch.names, "coach-mpris" in watch.threads) == ((True, True) if not flag else (False, False))
    assert "coach-mpris" not in [thread.name for thread in threading.enumerate()]  # gone with the session
