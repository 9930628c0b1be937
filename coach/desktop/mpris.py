"""The MPRIS player coach exports on the session bus (org.mpris.MediaPlayer2 and its Player interface), through
dbus-fast, served from coach.desktop.media's bus thread. dbus-fast implements Properties (Get, GetAll,
PropertiesChanged), Introspect and Peer from these typed classes.

(No `from __future__ import annotations` here: dbus-fast reads the annotations of exported members as values, and
with deferred annotations `-> None` would reach it as the string "None".)
"""

import asyncio
import contextlib
import os
from collections.abc import Callable
from typing import Annotated, Protocol

from dbus_fast import DBusError, Message, NameFlag, PropertyAccess, RequestNameReply, Variant
from dbus_fast.annotations import DBusBool, DBusDouble, DBusInt64, DBusObjectPath, DBusSignature, DBusStr
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property, dbus_signal

from coach.desktop.bus import connect

BUS_NAME = "org.mpris.MediaPlayer2.coach"
OBJECT_PATH = "/org/mpris/MediaPlayer2"
DBusStrList = Annotated[list[str], DBusSignature("as")]
DBusMetadata = Annotated[dict[str, Variant], DBusSignature("a{sv}")]
FLUSH_S = 1.0  # the longest leaving waits for the last signals to reach the bus
NOT_SUPPORTED = f"{BUS_NAME}.Error.NotSupported"


class State(Protocol):
    """What the player shows (coach.desktop.media.PlayerState)."""

    @property
    def status(self) -> str: ...

    @property
    def can_go_next(self) -> bool: ...

    @property
    def can_go_previous(self) -> bool: ...

    def position_now(self, now: float) -> int: ...

    def metadata(self) -> dict[str, tuple[str, object]]: ...


class Owner(Protocol):
    """The side of coach.desktop.media.MediaKeys the bus thread uses."""

    address: str

    @property
    def clock(self) -> Callable[[], float]: ...

    @property
    def state(self) -> State: ...

    def call(self, method: str) -> None: ...


def variants(metadata: dict[str, tuple[str, object]]) -> dict[str, Variant]:
    return {key: Variant(signature, value) for key, (signature, value) in metadata.items()}


class Root(ServiceInterface):
    """org.mpris.MediaPlayer2: who the player is. coach has no window to raise and is not quit from the bus."""

    def __init__(self) -> None:
        super().__init__("org.mpris.MediaPlayer2")

    @dbus_method()
    def Raise(self) -> None:
        pass

    @dbus_method()
    def Quit(self) -> None:
        pass

    @dbus_property(access=PropertyAccess.READ)
    def CanQuit(self) -> DBusBool:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def CanRaise(self) -> DBusBool:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def HasTrackList(self) -> DBusBool:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def Identity(self) -> DBusStr:
        return "coach"

    @dbus_property(access=PropertyAccess.READ)
    def SupportedUriSchemes(self) -> DBusStrList:
        return []

    @dbus_property(access=PropertyAccess.READ)
    def SupportedMimeTypes(self) -> DBusStrList:
        return []


class Player(ServiceInterface):
    """org.mpris.MediaPlayer2.Player: calls are queued for the live loop; properties come from the last state it
    published. Seeking is not offered (CanSeek false): Seek and SetPosition do nothing, as the specification asks."""

    def __init__(self, owner: Owner) -> None:
        super().__init__("org.mpris.MediaPlayer2.Player")
        self.owner = owner

    def changed(self, properties: dict[str, object], seeked: int | None) -> None:
        """Signal a new state (on the bus thread): PropertiesChanged with what changed, Seeked after a jump."""
        if properties:  # Metadata comes as (signature, value) pairs: the only map among them
            self.emit_properties_changed({k: variants(v) if isinstance(v, dict) else v for k, v in properties.items()})
        if seeked is not None:
            self.Seeked(seeked)

    @dbus_method()
    def PlayPause(self) -> None:
        self.owner.call("PlayPause")

    @dbus_method()
    def Play(self) -> None:
        self.owner.call("Play")

    @dbus_method()
    def Pause(self) -> None:
        self.owner.call("Pause")

    @dbus_method()
    def Stop(self) -> None:
        self.owner.call("Stop")

    @dbus_method()
    def Next(self) -> None:
        self.owner.call("Next")

    @dbus_method()
    def Previous(self) -> None:
        self.owner.call("Previous")

    @dbus_method()
    def Seek(self, offset: DBusInt64) -> None:
        pass

    @dbus_method()
    def SetPosition(self, track: DBusObjectPath, position: DBusInt64) -> None:
        pass

    @dbus_method()
    def OpenUri(self, uri: DBusStr) -> None:
        raise DBusError(NOT_SUPPORTED, "coach plays its own sessions only.")

    @dbus_signal()
    def Seeked(self, position: DBusInt64) -> DBusInt64:
        return position

    @dbus_property(access=PropertyAccess.READ)
    def PlaybackStatus(self) -> DBusStr:
        return self.owner.state.status

    @dbus_property(access=PropertyAccess.READ)
    def Metadata(self) -> DBusMetadata:
        return variants(self.owner.state.metadata())

    @dbus_property(access=PropertyAccess.READ)
    def Position(self) -> DBusInt64:
        return self.owner.state.position_now(self.owner.clock())

    @dbus_property()
    def Rate(self) -> DBusDouble:
        return 1.0

    @Rate.setter  # type: ignore[no-redef]
    def Rate(self, value: DBusDouble) -> None:
        pass  # MinimumRate = MaximumRate = 1.0

    @dbus_property()
    def Volume(self) -> DBusDouble:
        return 1.0

    @Volume.setter  # type: ignore[no-redef]
    def Volume(self, value: DBusDouble) -> None:
        pass  # the desktop's own volume control applies

    @dbus_property(access=PropertyAccess.READ)
    def MinimumRate(self) -> DBusDouble:
        return 1.0

    @dbus_property(access=PropertyAccess.READ)
    def MaximumRate(self) -> DBusDouble:
        return 1.0

    @dbus_property(access=PropertyAccess.READ)
    def CanGoNext(self) -> DBusBool:
        return self.owner.state.can_go_next

    @dbus_property(access=PropertyAccess.READ)
    def CanGoPrevious(self) -> DBusBool:
        return self.owner.state.can_go_previous

    @dbus_property(access=PropertyAccess.READ)
    def CanPlay(self) -> DBusBool:
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanPause(self) -> DBusBool:
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanSeek(self) -> DBusBool:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def CanControl(self) -> DBusBool:
        return True


async def serve(owner: Owner, stop: asyncio.Event, ready: Callable[[str, Player], None]) -> None:
    """Be the player on the bus at `owner.address` until `stop` is set or the bus goes away. The name is
    org.mpris.MediaPlayer2.coach, or .coach.instance<pid> while another coach has it. Errors (no bus, a refused
    name) go to the caller."""
    stopping = asyncio.ensure_future(stop.wait())
    connecting = asyncio.ensure_future(connect(owner.address))
    try:
        await asyncio.wait([stopping, connecting], return_when=asyncio.FIRST_COMPLETED)
        if not connecting.done():
            connecting.cancel()
            return
        bus = connecting.result()
    finally:
        if not stopping.done():
            stopping.cancel()
    stopping = asyncio.ensure_future(stop.wait())
    gone = asyncio.ensure_future(bus.wait_for_disconnect())  # type: ignore[no-untyped-call]
    try:
        player = Player(owner)
        bus.export(OBJECT_PATH, Root())
        bus.export(OBJECT_PATH, player)
        for name in (BUS_NAME, f"{BUS_NAME}.instance{os.getpid()}"):
            reply = await bus.request_name(name, NameFlag.DO_NOT_QUEUE)
            if reply in (RequestNameReply.PRIMARY_OWNER, RequestNameReply.ALREADY_OWNER):
                ready(name, player)
                break
        else:
            return
        await asyncio.wait([stopping, gone], return_when=asyncio.FIRST_COMPLETED)
        if not gone.done():  # leaving: the last signals go out before the name does
            ping = Message(destination="org.freedesktop.DBus", path="/org/freedesktop/DBus", member="GetId",
                           interface="org.freedesktop.DBus")  # fmt: skip
            with contextlib.suppress(Exception):
                await asyncio.wait_for(bus.call(ping), FLUSH_S)
    finally:
        stopping.cancel()
        bus.disconnect()
        with contextlib.suppress(Exception):  # how a lost connection ended, if it did: nothing to say
            await asyncio.wait_for(gone, FLUSH_S)
