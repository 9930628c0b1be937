"""The template language of routine texts (pure): placeholders such as {side}, which ones a text may use where it
stands, filling them in, and finding the routine text that says a spoken line.

A placeholder is a lower-case name alone in braces; `{{` and `}}` are literal braces. Nothing else in braces is
read: no format, conversion, attribute or index, as str.format would.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping

from coach.errors import RoutineError
from coach.tomllines import BOM, KeyPath, error_at

# Which placeholders a text may use, by where it stands.
SESSION_FIELDS = frozenset({"strokes", "s", "sides"})  # s: "s" unless strokes is 1 ("stroke{s}")
SIDE_FIELDS = SESSION_FIELDS | {"side", "other"}
COUNT_FIELDS = SIDE_FIELDS | {"n"}
UNEVEN_FIELDS = frozenset({"right", "left", "right_s", "left_s"})  # [summary] uneven: the strokes done on each side
NO_FIELDS: frozenset[str] = frozenset()

_PLACEHOLDER = re.compile(r"[a-z]+(?:_[a-z]+)*")  # the only thing braces may hold: a lower-case name

Pieces = list[tuple[str, bool]]  # (literal text, False) and (placeholder name, True), in order


class PlaceholderError(ValueError):
    """A brace that is neither a placeholder (a bare name in braces) nor an escaped brace."""


def pieces(text: str) -> Pieces:
    """A text as (literal, False) and (placeholder name, True) pieces: `{{` and `}}` are literal braces, and a
    placeholder is a lower-case name alone in braces, with no format, conversion, attribute or index (str.format
    would act on those). Raises PlaceholderError for anything else in braces and for an unpaired brace."""
    found: Pieces = []
    literal = []
    at = 0
    while at < len(text):
        char = text[at]
        if char in "{}" and text.startswith(char * 2, at):
            literal.append(char)
            at += 2
        elif char == "{":
            end = text.find("}", at + 1)
            if end < 0:
                raise PlaceholderError("a { that is never closed; write {{ for a brace")
            name = text[at + 1 : end]
            if not _PLACEHOLDER.fullmatch(name):
                raise PlaceholderError(
                    f"{{{name}}}: a placeholder is a name alone in braces, such as {{side}}, with no format, "
                    "conversion or index; write {{ or }} for a brace"
                )
            found += [("".join(literal), False), (name, True)]
            literal = []
            at = end + 1
        elif char == "}":
            raise PlaceholderError("a } with no { before it; write }} for a brace")
        else:
            literal.append(char)
            at += 1
    found.append(("".join(literal), False))
    return [(piece, name) for piece, name in found if piece or name]


def fault(text: str, fields: frozenset[str]) -> str | None:
    """What is wrong with a text as a template where `fields` are the placeholders it may use (a malformed brace,
    an unknown placeholder, nothing to say), or None."""
    try:
        parts = pieces(text)
    except PlaceholderError as exc:
        return f"malformed placeholder{'' if str(exc).startswith('{') else ':'} {exc}"
    for field in (piece for piece, name in parts if name):
        if field not in fields:
            known = ", ".join("{" + f + "}" for f in sorted(fields))
            hint = "; {side} and {other} work only where each_side = true" if field in ("side", "other") else ""
            return f"unknown placeholder {{{field}}} (here you may use: {known}{hint})"
    if not any(name or any(char.isalnum() for char in piece) for piece, name in parts):
        return "text has nothing to say (it needs a word: a letter or a digit)"
    return None


def fill(text: str, values: Mapping[str, object]) -> str:
    """Put values into a text's placeholders (the text has been validated): each name becomes its value as text,
    and nothing else is interpreted (no format specs, conversions or attribute access, unlike str.format)."""
    return "".join(str(values[piece]) if name else piece for piece, name in pieces(text))


def plural(count: int) -> str:
    """What the {s} placeholder becomes: "s" after a count other than one ("1 stroke", "0 strokes")."""
    return "" if count == 1 else "s"


def counted(count: int, noun: str = "stroke") -> str:
    """A count and its noun, agreeing: "1 stroke", "8 strokes"."""
    return f"{count} {noun}{plural(count)}"


def said_by(template: str, spoken: str) -> bool:
    """Whether a spoken text says this template, alone or as part of a longer phrase (a count and a cue)."""
    try:
        pattern = "".join(".*?" if name else re.escape(piece) for piece, name in pieces(template))  # {s} may be ""
    except PlaceholderError:
        return False
    return re.search(pattern, spoken, re.DOTALL) is not None


def locate(toml: str, file: str, spoken: str, problem: str) -> RoutineError:
    """The error for a problem with a spoken text, at the key and line of the routine's text that says it (the
    first in the file), or naming the file alone if none does."""
    try:
        data = tomllib.loads(toml.removeprefix(BOM))
    except (tomllib.TOMLDecodeError, RecursionError):
        return RoutineError(file, problem)
    for path, template in _strings(data, ()):
        if template.strip() and said_by(template.strip(), spoken):
            return error_at(file, toml, path, problem)
    return RoutineError(file, problem)


def _strings(value: object, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    """Every string in a TOML document's values, with its key path, in the document's order."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))
