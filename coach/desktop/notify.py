"""Desktop notifications: one call to org.freedesktop.Notifications on the session bus (which starts the desktop's
notification service on demand where it has one)."""

from __future__ import annotations

import asyncio

from dbus_fast import Message, MessageType, Variant

from coach.desktop.bus import CONNECT_TIMEOUT, NoBus, connect

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


async def _notify(address: str | None, summary: str, body: str, timeout: float) -> int:
    bus = await connect(address, timeout)
    message = Message(
        destination=NAME,
        path=PATH,
        interface=NAME,
        member="Notify",
        signature="susssasa{sv}i",
        # app name, id to replace (none), icon (none), summary, body, actions (none), hints, expiry (the server's)
        body=[APP, 0, "", summary, body, [], {"urgency": Variant("y", NORMAL)}, -1],
    )
    try:
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
