"""A value the user typed, shown in a message exactly and unmistakably (a leaf).

Both give the value as a POSIX shell would take it back: in single quotes, and where it holds what cannot be shown
(a control character, an invisible formatting character, a byte that is not UTF-8 in a file name) in bash's $'...'
quoting, with escapes. So "gmw/en-us; rm -rf /" is shown as 'gmw/en-us; rm -rf /', and a name holding a newline or
an escape sequence can neither break the message's line nor act on the terminal. `quoted` always quotes (a name, a
voice, a word: "Unknown voice 'nobody'"); `shown` leaves a plain value as it is (letters of any script, digits and
`@%+=:,./-_`: most paths, which read best bare: "Cannot write /tmp/s.mp3: ...").
"""

from __future__ import annotations

import os
import re
import shlex

ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\a": "\\a", "\b": "\\b", "\f": "\\f",
           "\v": "\\v", "\x1b": "\\E"}  # fmt: skip


PLAIN = re.compile(r"[\w@%+=:,./-]+")  # nothing a shell reads specially: letters of any script, digits and these


def shown(value: str | os.PathLike[str]) -> str:
    text = os.fspath(value)
    if not text.isprintable() or any(_surrogate(char) for char in text):
        return "$'" + "".join(_escaped(char) for char in text) + "'"
    return text if PLAIN.fullmatch(text) else shlex.quote(text)


def quoted(value: str | os.PathLike[str]) -> str:
    text = shown(value)
    return text if text.startswith(("'", "$'")) else f"'{text}'"


def _surrogate(char: str) -> bool:
    return 0xD800 <= ord(char) <= 0xDFFF


def _escaped(char: str) -> str:
    if char in ESCAPES:
        return ESCAPES[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if char.isprintable() and not _surrogate(char):
        return char
    return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
