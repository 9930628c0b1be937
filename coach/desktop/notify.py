"""Desktop notifications: one call to org.freedesktop.Notifications on the session bus (which starts the desktop's
notification service on demand where it has one), and, where the server says it shows actions (GetCapabilities
lists "actions"), buttons whose answer is waited for: the server's ActionInvoked signal names the one pressed, its
NotificationClosed says the notification went without one. The wait is bounded: once it is over, the notification
is closed (CloseNotification), so no button is left that nothing answers.

The body is written in the language the server reads it in: where the server says it takes body markup
(GetCapabilities lists "body-markup"), the Desktop Notifications specification's XML subset, so `&`, `<` and `>` are
escaped and a "<b>" in a routine's path shows as written; elsewhere plain text, as the specification asks. The
summary is always plain text. D-Bus strings are UTF-8 without NUL: anything else is not sent (NotShown)."""

from __future__ import annotations

import asyncio
import contextlib
import xml.sax.saxutils
from collections.abc import Sequence
from dataclasses import dataclass

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from coach.desktop.bus import CONNECT_TIMEOUT, NoBus, connect
from coach.quoting import shown

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
APP = "coach"
NORMAL = 1  # the urgency hint: low 0, normal 1, critical 2
ACTIONS = "actions"  # the capability of a server that shows a notification's actions
SERVER_DEFAULT, NEVER = -1, 0  # expiry: the server's own; never (a notification with buttons stays until answered)
CLOSED, NO_ANSWER, BUS_GONE = "it was closed without an answer", "no answer in time", "the session bus went away"


class NotShown(NoBus):
    """The notification could not be shown: no session bus, or nothing on it that shows notifications."""


@dataclass(frozen=True)
class Shown:
    """A notification shown: its id, whether it offered actions (the server shows them), and the answer: the key of
    the action chosen, or None with `why`: CLOSED, NO_ANSWER (then coach closed it) or BUS_GONE."""

    id: int
    offered: bool = False
    answer: str | None = None
    why: str = ""


def notify(address: str | None, summary: str, body: str, timeout: float = CONNECT_TIMEOUT) -> int:
    """Show a notification through the session bus at `address`; its id. NotShown with the reason otherwise."""
    return ask(address, summary, body, (), 0.0, timeout).id


def ask(
    address: str | None,
    summary: str,
    body: str,
    actions: Sequence[tuple[str, str]],
    wait: float,
    timeout: float = CONNECT_TIMEOUT,
) -> Shown:
    """Show a notification with `actions` (key, label) where the server shows them, and wait up to `wait` seconds
    for the one chosen; without actions (none given, or a server that shows none) it is shown plain and not waited
    for. NotShown with the reason when it could not be shown."""
    try:
        return asyncio.run(_ask(address, summary, body, actions, wait, timeout))
    except NotShown:
        raise
    except NoBus as exc:
        raise NotShown(str(exc)) from None


def markup(text: str) -> str:
    """Plain text as the body markup of the Desktop Notifications specification shows it: an XML fragment, with the
    three characters XML gives meaning to escaped (the text is checked first: `_check`)."""
    return xml.sax.saxutils.escape(text)


def _check(text: str) -> None:
    """NotShown for what a notification cannot carry: what is not a D-Bus string (UTF-8, without NUL), and a control
    character other than a tab or a newline, which XML (the body markup) cannot hold or reads as another."""
    if "\0" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise NotShown(f"{shown(text)} cannot be sent on the bus (D-Bus strings are UTF-8, without NUL)")
    if any((ord(c) < 0x20 and c not in "\t\n") or c in "\ufffe\uffff" for c in text):
        raise NotShown(f"{shown(text)} holds a control character a notification cannot show")


async def _capabilities(bus: MessageBus, timeout: float) -> list[str]:
    """What the server says it can do; none where it does not answer GetCapabilities."""
    message = Message(destination=NAME, path=PATH, interface=NAME, member="GetCapabilities")
    try:
        reply = await asyncio.wait_for(bus.call(message), timeout)
    except TimeoutError:
        return []
    if reply is None or reply.message_type == MessageType.ERROR or reply.signature != "as":
        return []
    return [str(capability) for capability in reply.body[0]]


class _Answers:
    """The servers' ActionInvoked and NotificationClosed signals, kept from before the notification's id is known (a
    quick answer can come before the reply that names it) and picked out by id and sender once it is."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, int, object]] = []  # (member, sender, id, action key or closing reason)
        self.changed = asyncio.Event()

    def __call__(self, message: Message) -> None:
        if message.message_type != MessageType.SIGNAL or message.interface != NAME or len(message.body) != 2:
            return
        if message.member in ("ActionInvoked", "NotificationClosed") and isinstance(message.body[0], int):
            self.seen.append((message.member, message.sender or "", message.body[0], message.body[1]))
            self.changed.set()

    def answer(self, sender: str, notification: int) -> Shown | None:
        for member, by, number, value in self.seen:
            if (by, number) != (sender, notification):
                continue
            if member == "ActionInvoked":
                return Shown(notification, True, str(value))
            return Shown(notification, True, None, CLOSED)
        return None

    async def wait(self, bus: MessageBus, sender: str, notification: int, wait: float) -> Shown:
        """The answer, or none once `wait` seconds are over or the bus is gone."""
        gone = asyncio.ensure_future(bus.wait_for_disconnect())  # type: ignore[no-untyped-call]
        loop = asyncio.get_running_loop()
        end = loop.time() + wait
        try:
            while (found := self.answer(sender, notification)) is None:
                left = end - loop.time()
                if left <= 0:
                    return Shown(notification, True, None, NO_ANSWER)
                self.changed.clear()
                changed = asyncio.ensure_future(self.changed.wait())
                await asyncio.wait({changed, gone}, timeout=left, return_when=asyncio.FIRST_COMPLETED)
                changed.cancel()
                if gone.done():
                    return Shown(notification, True, None, BUS_GONE)
            return found
        finally:
            if gone.done() and not gone.cancelled():
                gone.exception()  # why the bus went: known already, and not to be reported again by asyncio
            gone.cancel()


async def _listen(bus: MessageBus, timeout: float) -> _Answers:
    """Ask the bus for the notification server's answers, before the notification is shown."""
    answers = _Answers()
    bus.add_message_handler(answers)
    for member in ("ActionInvoked", "NotificationClosed"):
        rule = f"type='signal',interface='{NAME}',member='{member}',path='{PATH}'"
        add = Message(destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
                      interface="org.freedesktop.DBus", member="AddMatch", signature="s", body=[rule])  # fmt: skip
        await asyncio.wait_for(bus.call(add), timeout)
    return answers


async def _close(bus: MessageBus, notification: int, timeout: float) -> None:
    """Close a notification whose answer is no longer waited for (if the bus is still there)."""
    message = Message(destination=NAME, path=PATH, interface=NAME, member="CloseNotification", signature="u",
                      body=[notification])  # fmt: skip
    with contextlib.suppress(Exception):  # gone already, or the bus with it: nothing is left to answer
        await asyncio.wait_for(bus.call(message), timeout)


async def _ask(
    address: str | None, summary: str, body: str, actions: Sequence[tuple[str, str]], wait: float, timeout: float
) -> Shown:
    _check(summary)
    _check(body)
    bus = await connect(address, timeout)
    try:
        capabilities = await _capabilities(bus, timeout)
        if "body-markup" in capabilities:
            body = markup(body)
        offered = [word for pair in actions for word in pair] if ACTIONS in capabilities and wait > 0 else []
        answers = await _listen(bus, timeout) if offered else None
        reply = await _show(bus, summary, body, offered, timeout)
        notification = int(reply.body[0])
        if answers is None:
            return Shown(notification)
        shown = await answers.wait(bus, reply.sender or "", notification, wait)
        if shown.why == NO_ANSWER:
            await _close(bus, notification, timeout)
        return shown
    except TimeoutError:
        raise NotShown(f"the notification service did not answer within {timeout:g} s") from None
    finally:
        bus.disconnect()


async def _show(bus: MessageBus, summary: str, body: str, actions: list[str], timeout: float) -> Message:
    """The Notify call's reply; NotShown for an error."""
    message = Message(
        destination=NAME,
        path=PATH,
        interface=NAME,
        member="Notify",
        signature="susssasa{sv}i",
        # app name, id to replace (none), icon (none), summary, body, actions (key, label, ...), hints, expiry
        body=[APP, 0, "", summary, body, actions, {"urgency": Variant("y", NORMAL)},
              NEVER if actions else SERVER_DEFAULT],
    )  # fmt: skip
    reply = await asyncio.wait_for(bus.call(message), timeout)
    if reply is None or reply.message_type == MessageType.ERROR:
        error = reply.error_name if reply is not None else "no reply"
        if error == "org.freedesktop.DBus.Error.ServiceUnknown":
            raise NotShown("nothing on the session bus shows notifications")
        raise NotShown(f"the notification service answered {error}")
    return reply
