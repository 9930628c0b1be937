"""A private session bus for tests, and a notification service on it that records what it is asked to show.

(No `from __future__ import annotations` here: dbus-fast reads the annotations of an exported interface's methods
as values, and strings would not do.)"""

import asyncio
import contextlib
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import pytest
from dbus_fast import DBusError, Message, MessageType, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusInt32, DBusSignature, DBusStr, DBusUInt32
from dbus_fast.service import ServiceInterface, dbus_method

from coach.desktop.notify import NAME, PATH


@contextlib.contextmanager
def private_bus(folder: Path | None = None) -> Iterator[str]:
    """A dbus-daemon of the test's own, as a child process: yields its address, and ends it afterwards. In a
    `folder` given, its socket is always at the same address: a bus that goes away and comes back."""
    if shutil.which("dbus-daemon") is None:
        pytest.skip("dbus-daemon is not installed (Debian's dbus package; make installs it)")
    own = folder is None
    folder = Path(tempfile.mkdtemp(prefix="coach-bus-")) if folder is None else folder
    daemon = subprocess.Popen(
        [
            "dbus-daemon",
            "--session",
            "--nofork",
            "--nopidfile",
            "--print-address=1",
            f"--address=unix:path={folder}/bus",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert daemon.stdout is not None
        address = daemon.stdout.readline().strip()  # printed once the socket listens
        assert address, daemon.stderr.read() if daemon.stderr else "dbus-daemon did not start"
        yield address
    finally:
        daemon.terminate()
        daemon.wait(10)
        for stream in (daemon.stdout, daemon.stderr):
            if stream is not None:
                stream.close()
        if own:
            shutil.rmtree(folder, ignore_errors=True)


CLOSE = "close"  # an answer: the user closes the notification without choosing an action
DISMISSED = 2  # NotificationClosed's reason: dismissed by the user


class Notifications(ServiceInterface):
    """org.freedesktop.Notifications as a desktop offers it, keeping every notification it is sent. A test that
    adds "actions" to its capabilities can answer each notification in turn (`answers`): an action's key, which it
    signals as ActionInvoked, CLOSE for NotificationClosed, or None for no answer at all; each is signalled a moment
    after Notify has replied, as a person would answer it. `closed` keeps the ids CloseNotification closed."""

    def __init__(self) -> None:
        super().__init__(NAME)
        self.received: list[dict[str, Any]] = []
        self.capabilities = ["body"]  # what GetCapabilities answers (a test may add "body-markup", "actions")
        self.answers: list[str | None] = []
        self.closed: list[int] = []
        self.bus: MessageBus | None = None

    @dbus_method()
    def Notify(  # D-Bus names
        self,
        app_name: DBusStr,
        replaces_id: DBusUInt32,
        app_icon: DBusStr,
        summary: DBusStr,
        body: DBusStr,
        actions: Annotated[list[str], DBusSignature("as")],
        hints: Annotated[dict[str, Variant], DBusSignature("a{sv}")],
        expire_timeout: DBusInt32,
    ) -> DBusUInt32:
        self.received.append(
            {
                "app": app_name,
                "replaces": replaces_id,
                "icon": app_icon,
                "summary": summary,
                "body": body,
                "actions": actions,
                "hints": {key: value.value for key, value in hints.items()},
                "expire": expire_timeout,
            }
        )
        number = len(self.received)
        if self.answers:
            answer = self.answers.pop(0)
            if answer is not None:
                asyncio.get_running_loop().call_later(0.05, self._answer, number, answer)
        return number

    def _answer(self, number: int, answer: str) -> None:
        assert self.bus is not None
        if answer == CLOSE:
            signal = Message.new_signal(PATH, NAME, "NotificationClosed", "uu", [number, DISMISSED])
        else:
            signal = Message.new_signal(PATH, NAME, "ActionInvoked", "us", [number, answer])
        self.bus.send(signal)

    @dbus_method()
    def GetCapabilities(self) -> Annotated[list[str], DBusSignature("as")]:
        return list(self.capabilities)

    @dbus_method()
    def CloseNotification(self, notification: DBusUInt32) -> None:
        self.closed.append(notification)


@contextlib.contextmanager
def on_the_bus(address: str, setup: Callable[[MessageBus], Awaitable[None]]) -> Iterator[None]:
    """A connection to the bus at `address`, in a thread of its own with its own event loop, set up by `setup`,
    for as long as the block runs. A failure to connect or set up is raised here, not lost in the thread."""
    ready, stop = threading.Event(), threading.Event()
    failed: list[BaseException] = []

    async def serve() -> None:
        bus = await MessageBus(bus_address=address).connect()
        await setup(bus)
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.005)
        bus.disconnect()

    def run() -> None:
        try:
            asyncio.run(serve())
        except BaseException as exc:
            failed.append(exc)
            ready.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(10) and not failed, failed
    try:
        yield
    finally:
        stop.set()
        thread.join(10)


@contextlib.contextmanager
def notification_service(address: str) -> Iterator[Notifications]:
    """Own org.freedesktop.Notifications on the bus at `address`, from a thread of its own, while the block runs."""
    service = Notifications()

    async def setup(bus: MessageBus) -> None:
        service.bus = bus
        bus.export(PATH, service)
        await bus.request_name(NAME)

    with on_the_bus(address, setup):
        yield service


def call(address: str, destination: str, path: str, interface: str, member: str, signature: str = "",
         body: list[Any] | None = None) -> Any:  # fmt: skip
    """One method call from a client connection of its own: the reply's body, or DBusError for an error reply."""

    async def run() -> Any:
        bus = await MessageBus(bus_address=address).connect()
        try:
            message = Message(destination=destination, path=path, interface=interface, member=member,
                              signature=signature, body=body or [])  # fmt: skip
            return await bus.call(message)
        finally:
            bus.disconnect()

    reply = asyncio.run(run())
    if reply.message_type == MessageType.ERROR:
        raise DBusError(reply.error_name, reply.body[0] if reply.body else "")
    return reply.body


def plain(value: Any) -> Any:
    """A D-Bus value with its Variants unwrapped, all the way down."""
    if isinstance(value, Variant):
        return plain(value.value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


class Signals:
    """The signals a client sees, in order, as (member, body with Variants unwrapped)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, Any]] = []
        self._changed = threading.Condition()

    def add(self, member: str, body: Any) -> None:
        with self._changed:
            self.seen.append((member, body))
            self._changed.notify_all()

    def wait_for(self, test: Any, timeout: float = 10.0) -> bool:
        """Until a signal passes `test` (or the time runs out)."""
        with self._changed:
            return self._changed.wait_for(lambda: any(test(m, b) for m, b in self.seen), timeout)


@contextlib.contextmanager
def listening(address: str, rules: list[str]) -> Iterator[Signals]:
    """A client on the bus at `address`, in a thread of its own, that keeps every signal matching the rules."""
    signals = Signals()

    async def setup(bus: MessageBus) -> None:
        def keep(message: Message) -> None:
            # broadcast signals only: the daemon's NameAcquired, sent to this client alone as it connects, can
            # arrive after the handler is added (it did on a loaded machine); no rule asked for it
            if message.message_type == MessageType.SIGNAL and message.member and not message.destination:
                signals.add(message.member, plain(message.body))

        bus.add_message_handler(keep)
        for rule in rules:
            add = Message(destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
                          interface="org.freedesktop.DBus", member="AddMatch", signature="s", body=[rule])  # fmt: skip
            await bus.call(add)

    with on_the_bus(address, setup):
        yield signals


class PositionLog:
    """Reads an MPRIS player's PlaybackStatus and Position every `every` seconds, from a thread of its own, as a
    media widget would: (monotonic time halfway through the call, status, position in samples) each time."""

    def __init__(self, address: str, name: str, rate: int, every: float = 0.02) -> None:
        self.address, self.name, self.rate, self.every = address, name, rate, every
        self.entries: list[tuple[float, str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._poll()), daemon=True)
        self._thread.start()

    async def _poll(self) -> None:
        import time

        bus = await MessageBus(bus_address=self.address).connect()
        get_all = Message(destination=self.name, path="/org/mpris/MediaPlayer2", member="GetAll",
                          interface="org.freedesktop.DBus.Properties", signature="s",
                          body=["org.mpris.MediaPlayer2.Player"])  # fmt: skip
        try:
            while not self._stop.is_set():
                sent = time.monotonic()
                reply = await bus.call(get_all)
                back = time.monotonic()
                if reply is not None and reply.message_type == MessageType.METHOD_RETURN:
                    values = plain(reply.body[0])
                    position = round(values["Position"] * self.rate / 1_000_000)
                    self.entries.append(((sent + back) / 2, values["PlaybackStatus"], position))
                await asyncio.sleep(self.every)
        finally:
            bus.disconnect()

    def stop(self) -> list[tuple[float, str, int]]:
        self._stop.set()
        self._thread.join(10)
        return self.entries
