"""Strict readers of the formats coach writes where no reader is at hand to run, written from each format's own
description, for the tests to read coach's files back: systemd unit files (systemd.syntax(7), systemd.service(5)
and systemd.exec(5): quoting, C escapes, specifiers, `$` in command lines), extended M3U (RFC 8216, section 4.1),
LRC lyrics (the de facto format: ID tags and time tags), and the body markup of the Desktop Notifications
specification (section "Markup": b, i, u, a and img in an XML fragment)."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET


class Unreadable(ValueError):
    """What a strict reader refuses."""


# -- systemd ---------------------------------------------------------------------------------------------------

SIMPLE_ESCAPES = {"a": b"\a", "b": b"\b", "f": b"\f", "n": b"\n", "r": b"\r", "t": b"\t", "v": b"\v", "\\": b"\\",
                  '"': b'"', "'": b"'", "s": b" "}  # fmt: skip


def unit_values(text: str) -> dict[str, list[str]]:
    """Every assignment of a unit file, by key (in order), as the parser joins its lines: comments and section
    headers left out, a line ending in a backslash continued, the value stripped."""
    values: dict[str, list[str]] = {}
    lines = iter(text.split("\n"))
    for line in lines:
        while line.endswith("\\"):
            line = line[:-1] + " " + next(lines, "")
        stripped = line.strip()
        if not stripped or stripped[0] in "#;" or stripped.startswith("["):
            continue
        if "=" not in stripped:
            raise Unreadable(f"not an assignment: {line!r}")
        key, value = stripped.split("=", 1)
        values.setdefault(key.strip(), []).append(value.strip())
    return values


def unit_words(value: str) -> list[bytes]:
    """A value's words as systemd's extract_first_word(EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE) takes them: separated
    by white space, each in double or single quotes or none, with C escapes anywhere."""
    words: list[bytes] = []
    at = 0
    while True:
        while at < len(value) and value[at] in " \t":
            at += 1
        if at == len(value):
            return words
        word, quote = bytearray(), None
        while at < len(value) and (quote is not None or value[at] not in " \t"):
            char = value[at]
            if char == "\\":
                escaped, at = _escape(value, at + 1)
                word += escaped
                continue
            if quote is None and char in "\"'":
                quote = char
            elif char == quote:
                quote = None
            else:
                word += char.encode("utf-8")
            at += 1
        if quote is not None:
            raise Unreadable(f"an unclosed quote in {value!r}")
        words.append(bytes(word))


def _escape(value: str, at: int) -> tuple[bytes, int]:
    if at >= len(value):
        raise Unreadable("a backslash at the end")
    char = value[at]
    if char in SIMPLE_ESCAPES:
        return SIMPLE_ESCAPES[char], at + 1
    if char == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", value[at + 1 : at + 3]):
        byte = int(value[at + 1 : at + 3], 16)
        if byte == 0:
            raise Unreadable("\\x00")
        return bytes([byte]), at + 3
    for letter, digits in (("u", 4), ("U", 8)):
        if char == letter and re.fullmatch(f"[0-9a-fA-F]{{{digits}}}", value[at + 1 : at + 1 + digits]):
            return chr(int(value[at + 1 : at + 1 + digits], 16)).encode("utf-8"), at + 1 + digits
    raise Unreadable(f"an unknown escape \\{char}")


def specifiers(word: bytes) -> bytes:
    """%% is %; any other specifier is not what coach means to write."""
    return _doubled(word, b"%", "a specifier")


def dollars(word: bytes) -> bytes:
    """$$ is $ in a command's arguments; $NAME or ${NAME} would be a variable."""
    return _doubled(word, b"$", "a variable")


def _doubled(word: bytes, mark: bytes, what: str) -> bytes:
    out = bytearray()
    for part in re.split(rb"(" + re.escape(mark) + rb".?)", word):
        if part == mark * 2:
            out += mark
        elif part.startswith(mark):
            raise Unreadable(f"{what} {part!r}")
        else:
            out += part
    return bytes(out)


def exec_start(value: str) -> list[str]:
    """ExecStart='s command: the program's path (specifiers resolved, `$` as it is, no prefix such as - or @) and
    its arguments (specifiers resolved, then $$ as $), as the str os.fsdecode gives."""
    words = unit_words(value)
    if not words or words[0][:1] != b"/":
        raise Unreadable(f"the program's path is not absolute: {words[:1]!r}")
    program = specifiers(words[0])
    return [os.fsdecode(program), *(os.fsdecode(dollars(specifiers(word))) for word in words[1:])]


def environment(values: list[str]) -> dict[str, str]:
    """Environment= assignments: each word KEY=VALUE, specifiers resolved, no variables (a $ is a $), UTF-8."""
    found = {}
    for value in values:
        for word in unit_words(value):
            key, _, text = specifiers(word).partition(b"=")
            found[key.decode("ascii")] = text.decode("utf-8")
    return found


# -- M3U, LRC ---------------------------------------------------------------------------------------------------


def m3u_entries(text: str) -> list[tuple[int, str, str]]:
    """An extended M3U playlist's entries: (seconds, title, URI). Lines end with LF or CRLF; the first is #EXTM3U;
    an #EXTINF:<duration>,<title> tag applies to the next URI line; other lines starting with # are comments."""
    lines = re.split(r"\r?\n", text.removesuffix("\n"))
    if lines[0] != "#EXTM3U":
        raise Unreadable("no #EXTM3U header")
    entries, info = [], None
    for line in lines[1:]:
        if line.startswith("#EXTINF:"):
            seconds, comma, title = line[len("#EXTINF:") :].partition(",")
            if not comma or not re.fullmatch(r"[0-9]+", seconds) or info is not None:
                raise Unreadable(f"a bad #EXTINF: {line!r}")
            info = (int(seconds), title)
        elif line.startswith("#") or not line:
            continue
        else:
            if info is None:
                raise Unreadable(f"a URI with no #EXTINF: {line!r}")
            entries.append((*info, line))
            info = None
    return entries


TIME_TAG = re.compile(r"\[(\d+):(\d\d)\.(\d\d)\]")
ID_TAG = re.compile(r"\[([a-z]+):(.*)\]")


def lrc_lines(text: str) -> tuple[dict[str, str], list[tuple[int, str]]]:
    """LRC lyrics: ID tags ([ti:...], a whole line each) and lines of text, each after one or more time tags
    [mm:ss.xx] (each tag a time the text is shown); times in hundredths."""
    tags, lines = {}, []
    for line in text.removesuffix("\n").split("\n"):
        times = []
        while match := TIME_TAG.match(line):
            times.append(int(match[1]) * 6000 + int(match[2]) * 100 + int(match[3]))
            line = line[match.end() :]
        if times:
            lines += [(at, line) for at in times]
        elif match := ID_TAG.fullmatch(line):
            tags[match[1]] = match[2]
        else:
            raise Unreadable(f"neither a tag nor a timed line: {line!r}")
    return tags, sorted(lines, key=lambda line: line[0])


# -- notification body markup -------------------------------------------------------------------------------------

MARKUP = {"b", "i", "u", "a", "img"}


def body_text(body: str) -> str:
    """The text a notification server that takes body markup shows for `body`: an XML fragment of the spec's
    elements; refused where it is not well-formed or holds another element."""
    try:
        root = ET.fromstring(f"<body>{body}</body>")
    except ET.ParseError as exc:
        raise Unreadable(f"not well-formed: {exc}") from None
    for element in root.iter():
        if element is not root and element.tag not in MARKUP:
            raise Unreadable(f"an element the spec does not have: {element.tag}")
    return "".join(root.itertext())
