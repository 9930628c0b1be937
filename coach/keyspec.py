"""What each key of a routine's tables holds, declared once (pure): a table's spec lists its keys, each with its
kind (what it holds, and so how it is checked), its default and what it does, and a Reader reads a table by it.

Every fault is a RoutineError naming the file, the key and the line where it can be found.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from coach import template
from coach.errors import RoutineError
from coach.template import NO_FIELDS
from coach.tomllines import KeyPath, error_at

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

MAX_TEXT = 400  # characters of a spoken text
# characters a spoken text may not hold (Unicode categories), as the messages name them
_FORBIDDEN = {
    "Cc": "a control character",
    "Zl": "a line or paragraph separator",
    "Zp": "a line or paragraph separator",
    "Cf": "an invisible formatting character",
    "Co": "a private-use character",
    "Cs": "a lone surrogate",
}

Table = Mapping[str, object]  # a TOML table, as tomllib reads it
T = TypeVar("T")
R = TypeVar("R", bound="DataclassInstance")


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


REQUIRED = _Marker("REQUIRED")  # a key's default when it has none: it must be given
PLACED = _Marker("PLACED")  # a key's default given by where its table stands (a line's pause is its phase's)


class Kind(Protocol):
    """What a key holds: reads its value, present in `data`, and checks it."""

    def read(self, check: Reader, data: Table, path: KeyPath, key: str, here: frozenset[str]) -> Any: ...


@dataclass(frozen=True)
class Key:
    """A key of a routine's table: its name, what it holds, what it does (in short: docs/routines.md says it in
    full), its default when left out (REQUIRED: none), and the key it needs beside it, if any."""

    name: str
    kind: Kind
    doc: str
    default: object = REQUIRED
    goes_with: str = ""


class Spec:
    """The keys a table may hold, in the order they are read and the messages list them."""

    def __init__(self, *keys: Key) -> None:
        self.keys = keys
        self.names = tuple(key.name for key in keys)

    def __getitem__(self, name: str) -> Key:
        return self.keys[self.names.index(name)]

    def but(self, *changed: Key) -> Spec:
        """The same keys, each of `changed` in place of the key of its name."""
        new = {key.name: key for key in changed}
        return Spec(*(new.get(key.name, key) for key in self.keys))


class Reader:
    """Reads the tables of a TOML text by their specs; every fault is a RoutineError at the key's line."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.toml = text

    def fail(self, path: KeyPath, problem: str) -> RoutineError:
        """The error for a key path, at the line of the key or of the nearest table or array holding it."""
        return error_at(self.file, self.toml, path, problem)

    # -- a table by its spec ----------------------------------------------------------------------------------

    def read(
        self, data: Table, path: KeyPath, spec: Spec, here: frozenset[str] = NO_FIELDS, **placed: object
    ) -> dict[str, Any]:
        """A table's values by name, each key read by its spec in turn, but those left to the table's code.
        `here`: the placeholders its texts may use where the spec leaves them to the table's place; `placed`: the
        defaults that the place gives (a line's pause, when it has none, is its phase's)."""
        self.known(data, path, spec)
        values: dict[str, Any] = {}
        for key in spec.keys:
            if isinstance(key.kind, ByCode):
                continue
            if key.default is PLACED:
                key = replace(key, default=placed[key.name])
            values[key.name] = self.value(data, path, key, here)
        return values

    def known(self, data: Table, path: KeyPath, spec: Spec) -> None:
        """Refuses a key the spec does not name, saying those it does."""
        for key in data:
            if key not in spec.names:
                raise self.fail((*path, key), f"unknown key (expected one of: {', '.join(spec.names)})")

    def value(self, data: Table, path: KeyPath, key: Key, here: frozenset[str] = NO_FIELDS) -> Any:
        """A key's value, checked by its kind, or its default when it is left out."""
        if key.name not in data:
            if key.default is REQUIRED:
                raise self.fail((*path, key.name), "missing (this key is required)")
            return key.default
        if key.goes_with and key.goes_with not in data:
            raise self.fail((*path, key.name), f"goes with {key.goes_with}, which is missing")
        return key.kind.read(self, data, path, key.name, here)

    # -- typed getters ---------------------------------------------------------------------------------------

    def get(self, data: Table, path: KeyPath, key: str, kind: type[T] | tuple[type[T], ...]) -> T:
        """The value at `key`, which must be of `kind` (true and false are not numbers)."""
        value = data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            names = " or ".join(type_name(k) for k in kinds)
            raise self.fail((*path, key), f"expected {names}, found {type_name(type(value))}")
        return value

    def entry(self, raw: object, where: KeyPath) -> Table:
        """An element of an array of tables, which must be a table."""
        if not isinstance(raw, dict):
            raise self.fail(where, f"expected a table, found {type_name(type(raw))}")
        return raw

    def check_text(self, value: str, where: KeyPath, fields: frozenset[str]) -> str:
        value = value.strip()
        if not value:
            raise self.fail(where, "missing text (the value is empty)")
        if len(value) > MAX_TEXT:
            raise self.fail(where, f"text is too long ({len(value)} characters; at most {MAX_TEXT})")
        for char in value:
            kind = _FORBIDDEN.get(unicodedata.category(char))
            if kind is not None:
                raise self.fail(where, f"text holds {kind} (U+{ord(char):04X})")
        fault = template.fault(value, fields)
        if fault is not None:
            raise self.fail(where, fault)
        return value


# -- the kinds of value a key may hold -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Of:
    """A value of a type, as it stands: a flag, or a table or a list read by the table's code."""

    type: type

    def read(self, check: Reader, data: Table, path: KeyPath, key: str, here: frozenset[str]) -> Any:
        return check.get(data, path, key, self.type)


@dataclass(frozen=True)
class ByCode(Of):
    """A table or a list read by its table's own code, where other keys need it: Reader.read leaves it out."""


@dataclass(frozen=True)
class Whole:
    """A whole number from `low` to `high`."""

    low: int
    high: int

    def read(self, check: Reader, data: Table, path: KeyPath, key: str, here: frozenset[str]) -> int:
        value = check.get(data, path, key, int)
        if not self.low <= value <= self.high:
            raise check.fail((*path, key), f"{value} is out of range ({self.low} to {self.high})")
        return value


@dataclass(frozen=True)
class Seconds:
    """Seconds, from 0 to `most`: a whole number or not."""

    most: int = 60

    def read(self, check: Reader, data: Table, path: KeyPath, key: str, here: frozenset[str]) -> float:
        value = float(check.get(data, path, key, (int, float)))
        if not 0 <= value <= self.most:
            raise check.fail((*path, key), f"{value:g} is out of range (0 to {self.most} seconds)")
        return value


@dataclass(frozen=True)
class Text:
    """A spoken text, with the placeholders it may use: `fields`, or (None) those of where its table stands."""

    fields: frozenset[str] | None

    def read(self, check: Reader, data: Table, path: KeyPath, key: str, here: frozenset[str]) -> str:
        fields = here if self.fields is None else self.fields
        return check.check_text(check.get(data, path, key, str), (*path, key), fields)


@dataclass(frozen=True)
class Unspoken:
    """A text never spoken (the routine's source): any text, its placeholders not read."""

    def read(self, check: Reader, data: Table, path: KeyPath, key: str, here: frozenset[str]) -> str:
        return check.get(data, path, key, str).strip()


@dataclass(frozen=True)
class Choice:
    """One of a few names: the one given (a member of `options`, where they are an enum's)."""

    options: Iterable[str]
    noun: str  # "a tempo": "'brisk' is not a tempo (expected one of: slow, medium, fast)"
    hints: Mapping[str, str] = field(default_factory=dict)  # said after the message for a name not allowed here

    def read(self, check: Reader, data: Table, path: KeyPath, key: str, here: frozenset[str]) -> str:
        value = check.get(data, path, key, str)
        for option in self.options:
            if option == value:
                return option
        hint = f" ({self.hints[value]})" if value in self.hints else ""
        expected = ", ".join(self.options)
        raise check.fail((*path, key), f"{value!r} is not {self.noun} (expected one of: {expected}){hint}")


@dataclass(frozen=True)
class Fixed:
    """A name that may only be one: `value`; `problem` says why when it is another."""

    value: str
    problem: str

    def read(self, check: Reader, data: Table, path: KeyPath, key: str, here: frozenset[str]) -> str:
        if check.get(data, path, key, str) != self.value:
            raise check.fail((*path, key), self.problem)
        return self.value


@dataclass(frozen=True)
class Bounds:
    """Two whole numbers, [fewest, most], from `low` to `high`: a (fewest, most) pair."""

    low: int
    high: int

    def read(self, check: Reader, data: Table, path: KeyPath, key: str, here: frozenset[str]) -> tuple[int, int]:
        bounds: list[object] = check.get(data, path, key, list)
        numbers = [b for b in bounds if isinstance(b, int) and not isinstance(b, bool)]
        if len(bounds) != 2 or len(numbers) != 2:
            raise check.fail((*path, key), "expected two whole numbers, [fewest, most]")
        low, high = numbers
        if not self.low <= low <= high <= self.high:
            raise check.fail((*path, key), f"[{low}, {high}] is out of range ({self.low} to {self.high}, fewest first)")
        return low, high


@dataclass(frozen=True)
class Sub:
    """A table of keys of its own, read by its spec: a record (of `record`), or its values by name."""

    spec: Spec
    record: type[DataclassInstance] | None = None

    def read(self, check: Reader, data: Table, path: KeyPath, key: str, here: frozenset[str]) -> Any:
        values = check.read(check.get(data, path, key, dict), (*path, key), self.spec)
        return values if self.record is None else record(self.record, values)


@dataclass(frozen=True)
class Retired:
    """A key no longer used: refused, with `problem` saying what to do instead."""

    problem: str

    def read(self, check: Reader, data: Table, path: KeyPath, key: str, here: frozenset[str]) -> Any:
        raise check.fail((*path, key), self.problem)


def record(of: type[R], values: Mapping[str, Any], **given: Any) -> R:
    """A record from a table's values: each of its fields from the key of its name, or from `given`."""
    names = {f.name for f in dataclasses.fields(of)}
    return of(**{**{name: value for name, value in values.items() if name in names}, **given})


def type_name(kind: type) -> str:
    return {
        str: "text",
        int: "a whole number",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }.get(kind, kind.__name__)
