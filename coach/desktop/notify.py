"""Desktop notifications: one call to org.freedesktop.Notifications on the session bus (which starts the desktop's
notification service on demand where it has one).

The body is written in the language the server reads it in: where the server says it takes body markup
(GetCapabilities lists "body-markup"), the Desktop Notifications specification's XML subset, so `&`, `<` and `>` are
escaped and a "<b>" in a routine's path shows as written; elsewhere plain text, as the specification asks. The
summary is always plain text. D-Bus strings are UTF-8 without NUL: anything else is not sent (NotShown)."""

from __future__ import annotations

import asyncio
import xml.sax.saxutils

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from coach.desktop.bus import CONNECT_TIMEOUT, NoBus, connect
from coach.quoting import shown

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
APP = "coach"
NORMAL = 1  # the urgency hint: low 0, normal 1, critical 2


class NotShown(NoBus):
    """The notification could not be shown: no session bus, or nothing on it that shows notifications."""


def notify(address: str | None, summary: str, body: str, timeout: float = CONNECT_TIMEOUT) -> int:
    """Show a notification through the session bus at `address`; its id. NotShown with the reason otherwise."""
    try:
        return asyncio.run(_notify(address, summary, body, timeout))
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


async def _notify(address: str | None, summary: str, body: str, timeout: float) -> int:
    _check(summary)
    _check(body)
    bus = await connect(address, timeout)
    try:
        if "body-markup" in await _capabilities(bus, timeout):
            body = markup(body)
        message = Message(
            destination=NAME,
            path=PATH,
            interface=NAME,
            member="Notify",
            signature="susssasa{sv}i",
            # app name, id to replace (none), icon (none), summary, body, actions (none), hints, expiry (the server's)
            body=[APP, 0, "", summary, body, [], {"urgency": Variant("y", NORMAL)}, -1],
        )
        reply = await asyncio.wait_for(bus.call(message), timeout)
    except TimeoutError:
        raise NotShown(f"the notification service did not answer within {timeout:g} s") from None
    finally:
        bus.disconnect()
    if reply is None or reply.message_type == MessageType.ERROR:
        error = reply.error_name if reply is not None else "no reply"
        if error == "org.freedesktop.DBus.Error.ServiceUnknown":
            raise NotShown("nothing on the session bus shows notifications")
        raise NotShown(f"the notification service answered {error}")
    return int(reply.body[0])
