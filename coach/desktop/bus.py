"""The session bus (D-Bus), through dbus-fast: where it is, and a connection to it. Everything that talks to the
desktop over D-Bus connects here; a missing or unreachable bus is one `NoBus` with a reason fit for a sentence."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from coach.errors import CoachError

if TYPE_CHECKING:
    from dbus_fast.aio import MessageBus

CONNECT_TIMEOUT = 5.0  # seconds


class NoBus(CoachError):
    """No session bus, or none that answers."""


def session_bus_address(environ: Mapping[str, str]) -> str | None:
    """The session bus's address: $DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus where that socket exists
    (as under a systemd user instance), else None. Never X11's autolaunch, which could start a bus of its own."""
    address = environ.get("DBUS_SESSION_BUS_ADDRESS")
    if address:
        return address
    runtime = environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.exists(os.path.join(runtime, "bus")):
        return f"unix:path={os.path.join(runtime, 'bus')}"
    return None


async def connect(address: str | None, timeout: float = CONNECT_TIMEOUT) -> MessageBus:
    """A connection to the session bus at `address` (disconnect it when done). NoBus when there is none, or it
    cannot be reached within `timeout` seconds."""
    from dbus_fast.aio import MessageBus  # here, so that finding the address costs nothing

    if address is None:
        raise NoBus("no session bus")
    try:
        return await asyncio.wait_for(MessageBus(bus_address=address).connect(), timeout)
    except TimeoutError:
        raise NoBus(f"the session bus did not answer within {timeout:g} s") from None
    except Exception as exc:  # dbus-fast raises plain errors of many kinds: a bad address, a refused socket, auth
        raise NoBus(f"the session bus cannot be reached ({exc or type(exc).__name__})") from None
