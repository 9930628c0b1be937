"""Media keys: coach as an MPRIS media player on the session bus, so headphone buttons, keyboard media keys, the
desktop's media widget, `playerctl` and a phone (KDE Connect, GSConnect) control a live session as its keys do.

The bus is a convenience beside the keyboard, and lives in a thread of its own with its own asyncio loop
(coach.desktop.mpris, dbus-fast), started in the background so the sound never waits for it. Across the thread:
- calls from the bus are queued as MPRIS method names; `read()`, in the live loop, turns them into the
  controller's inputs, in order: PlayPause = space; Play and Pause are the controller's intents, which it applies
  against its own state as each comes (Play resumes only when paused; Pause pauses only when playing, the
  countdown included); Next = n; Previous = b; Stop = q;
- `publish()` hands the bus thread an immutable `PlayerState` made from the controller's `Where`; the bus thread
  answers property reads from it and signals what changed.
No session bus, one that cannot be reached, or one that goes away: nothing is read, nothing is said.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from coach.control import Input, Intent, Key, State, Where

TRACK = "/coach/session"  # the session is one track; its phases are the album (the spec reserves /org/mpris)
NO_TRACK = "/org/mpris/MediaPlayer2/TrackList/NoTrack"
PLAYING_, PAUSED_, STOPPED_ = "Playing", "Paused", "Stopped"  # MPRIS's PlaybackStatus values
SEEKED_US = 100_000  # a position this far from where it was flowing to is a jump, signalled as Seeked
STOP_WAIT_S = 2.0  # the longest `close` waits for the bus thread


@dataclass(frozen=True)
class PlayerState:
    """The session in MPRIS terms. Times in microseconds, MPRIS's unit; `at` is the clock when `position_us` held."""

    status: str = STOPPED_
    title: str = ""
    album: str = ""  # the phase, and the stroke in a strokes phase
    phase: int = 0  # the phase's number, from 1 (xesam:trackNumber)
    length_us: int = 0
    position_us: int = 0
    at: float = 0.0
    moving: bool = False  # the position flows with the clock (playing, not counting down)
    can_go_next: bool = False
    can_go_previous: bool = False

    def position_now(self, now: float) -> int:
        if not self.moving:
            return self.position_us
        return max(0, min(self.position_us + round((now - self.at) * 1e6), self.length_us))

    def metadata(self) -> dict[str, tuple[str, object]]:
        """The Metadata map, each value with its D-Bus signature."""
        if self.status == STOPPED_:
            return {"mpris:trackid": ("o", NO_TRACK)}
        return {
            "mpris:trackid": ("o", TRACK),
            "mpris:length": ("x", self.length_us),
            "xesam:title": ("s", self.title),
            "xesam:album": ("s", self.album),
            "xesam:artist": ("as", ["coach"]),
            "xesam:trackNumber": ("i", self.phase),
        }

    def changes(self, old: PlayerState) -> dict[str, object]:
        """The properties that differ from `old`, by name (Position never: MPRIS clients ask for it)."""
        changed: dict[str, object] = {}
        if self.status != old.status:
            changed["PlaybackStatus"] = self.status
        if self.metadata() != old.metadata():
            changed["Metadata"] = self.metadata()
        if self.can_go_next != old.can_go_next:
            changed["CanGoNext"] = self.can_go_next
        if self.can_go_previous != old.can_go_previous:
            changed["CanGoPrevious"] = self.can_go_previous
        return changed

    def jumped(self, old: PlayerState) -> bool:
        """Whether the position moved other than by playing on (a skip, a repeat, a pause's step back)."""
        return self.status != STOPPED_ and abs(self.position_us - old.position_now(self.at)) > SEEKED_US


def player_state(title: str, where: Where, now: float) -> PlayerState:
    """What the media widget shows: the session's title, its phase (and stroke) as the album, its position."""
    if where.state == State.ENDED:
        return PlayerState(title=title, at=now)
    us = 1_000_000 / where.sample_rate
    album = where.title if not where.strokes else f"{where.title}: stroke {where.stroke} of {where.strokes}"
    return PlayerState(
        status=PAUSED_ if where.state == State.PAUSED else PLAYING_,  # the countdown is the start of playing again
        title=title,
        album=album,
        phase=where.phase + 1,
        length_us=round(where.length * us),
        position_us=round(where.position * us),
        at=now,
        moving=where.state not in (State.PAUSED, State.COUNTDOWN),
        can_go_next=True,  # n past the last phase ends the session, as Next does
        can_go_previous=where.can_go_back,
    )


CALLS: dict[str, Input] = {
    "PlayPause": Key.PAUSE,
    "Play": Intent.PLAY,
    "Pause": Intent.PAUSE,
    "Next": Key.NEXT,
    "Previous": Key.BACK,
    "Stop": Key.QUIT,
}  # the other calls (Seek, SetPosition, ...) ask nothing of a session


def inputs_for(calls: list[str]) -> tuple[Input, ...]:
    """The controller's inputs for MPRIS calls, in order. Whether Play or Pause changes anything is the
    controller's to say, from its own state when it applies each: never from a state published earlier, which a
    burst of calls would outrun."""
    return tuple(CALLS[call] for call in calls if call in CALLS)


class Media(Protocol):
    """Keys from the desktop, and the session's state to it (a source of keys for the live loop,
    coach.live.Source)."""

    def read(self) -> tuple[Input, ...]:
        """The inputs for the calls received since the last read, in order (may be none)."""
        ...

    def publish(self, where: Where, now: float) -> None: ...


class NoMedia:
    """No session bus (ssh, a console, CI), or --no-media-keys: nothing to read, nothing to publish."""

    def read(self) -> tuple[Input, ...]:
        return ()

    def publish(self, where: Where, now: float) -> None:
        pass


class Service(Protocol):
    """What the bus thread's exported player offers this side (coach.desktop.mpris)."""

    def changed(self, properties: dict[str, object], seeked: int | None) -> None: ...


@dataclass(eq=False)
class MediaKeys:
    """The MPRIS player in its thread. `read` and `publish` belong to the live loop's thread."""

    address: str
    title: str
    clock: Callable[[], float]  # the live loop's monotonic clock, also used to place calls and positions
    state: PlayerState = field(default_factory=PlayerState)  # replaced whole, never changed: read by the bus thread
    bus_name: str | None = None  # the name owned, once the player is on the bus
    received: list[tuple[str, float]] = field(default_factory=list)  # every call read: (method, clock when queued)
    errors: list[object] = field(default_factory=list)  # what ended the thread or failed in it, kept quiet
    _calls: queue.SimpleQueue[tuple[str, float]] = field(default_factory=queue.SimpleQueue)
    _loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _service: Service | None = None
    _thread: threading.Thread | None = None
    _ready: threading.Event = field(default_factory=threading.Event)
    gone: threading.Event = field(default_factory=threading.Event)  # set once the bus thread has ended

    # -- the live loop's thread -------------------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="coach-mpris", daemon=True)
        self._thread.start()

    def wait_ready(self, timeout: float = 5.0) -> bool:
        """True once the player is on the bus; False if it never got there (for tests)."""
        self._ready.wait(timeout)
        return self.bus_name is not None

    def read(self) -> tuple[Input, ...]:
        calls: list[str] = []
        while True:
            try:
                call, at = self._calls.get_nowait()
            except queue.Empty:
                break
            calls.append(call)
            self.received.append((call, at))
        return inputs_for(calls)

    def publish(self, where: Where, now: float) -> None:
        self.show(player_state(self.title, where, now))

    def show(self, new: PlayerState) -> None:
        """Hand the bus a new state: it signals what changed, and Seeked when the position jumped."""
        old, self.state = self.state, new
        service = self._service
        if service is None:
            return
        changed = new.changes(old)
        seeked = new.position_us if new.jumped(old) else None
        if changed or seeked is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: the bus went away
                self._loop.call_soon_threadsafe(service.changed, changed, seeked)

    def close(self) -> None:
        """Leave the bus (after signalling the last state published)."""
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(STOP_WAIT_S)

    def call(self, method: str) -> None:
        """A call from the bus (any thread): queued for the next read."""
        self._calls.put((method, self.clock()))

    # -- the bus thread ---------------------------------------------------------------------------------------------

    def _run(self) -> None:
        loop = self._loop
        loop.set_exception_handler(lambda _, context: self.errors.append(context.get("exception", context)))
        try:
            from coach.desktop import mpris  # dbus-fast is imported here, off the live loop's thread

            loop.run_until_complete(mpris.serve(self, self._stop, self._on_bus))
        except Exception as exc:  # no bus, one that went away, a refused name: media keys are a convenience
            self.errors.append(exc)
        finally:
            self._service = None
            self._ready.set()
            loop.close()
            self.gone.set()

    def _on_bus(self, name: str, service: Service) -> None:  # service: a coach.desktop.mpris.Player
        self.bus_name, self._service = name, service
        self._ready.set()


@contextlib.contextmanager
def media_keys(address: str | None, title: str, clock: Callable[[], float]) -> Iterator[Media]:
    """The MPRIS player while a live session plays (NoMedia when `address` is None: no bus, or --no-media-keys)."""
    if address is None:
        yield NoMedia()
        return
    media = MediaKeys(address, title, clock)
    media.start()
    try:
        yield media
    finally:
        media.close()
