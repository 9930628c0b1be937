"""Routine definitions: parse and validate a routine's TOML text into a `Routine` (pure: text in, value out).

Every problem is a `RoutineError` naming the file, the line where it can be found, the key and the problem.
"""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from coach.errors import RoutineError
from coach.kinds import Shape, Tempo

if TYPE_CHECKING:
    from tree_sitter import Node

MAX_STROKES = 30
MAX_TEXT = 400
MAX_FILE = 256 * 1024  # characters
BPM_RANGE = (20, 120)

# The sounds that may mark the start of a step: the accent is always the first step's (it starts a stroke); a later
# step has a tick (the default), a rising tone or a falling tone (the slide and the release of the shipped routines).
ACCENT_SOUND = "accent"
STEP_SOUNDS = ("tick", "rise", "fall")

# The safety rules a line may be tagged with (`safety = "pulse"`), so a test can find each one in every routine.
SAFETY_RULES = {
    "contraindications": "who should not do this massage at all",
    "medical": "with another medical condition, ask a doctor or physical therapist first",
    "pulse": "a pulse under the fingers is an artery: ease off and move away from it",
    "stop": "stop at once at sharp or intense pain, or at tingling, numbness or electric pain into the leg",
    "ache": "a dull ache is fine; the signs that mean stop are not",
    "persists": "see a doctor or physical therapist if the pain stays or gets worse",
}

# Which placeholders a text may use, by where it stands.
SESSION_FIELDS = frozenset({"strokes", "s", "sides"})  # s: "s" unless strokes is 1 ("stroke{s}")
SIDE_FIELDS = SESSION_FIELDS | {"side", "other"}
COUNT_FIELDS = SIDE_FIELDS | {"n"}
UNEVEN_FIELDS = frozenset({"right", "left", "right_s", "left_s"})  # [summary] uneven: the strokes done on each side
UNEVEN = "That was {right} stroke{right_s} on your right side and {left} on your left."

_NAME = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_PLACEHOLDER = re.compile(r"[a-z]+(?:_[a-z]+)*")  # the only thing braces may hold: a lower-case name
# characters a spoken text may not hold (Unicode categories), as the messages name them
_FORBIDDEN = {
    "Cc": "a control character",
    "Zl": "a line or paragraph separator",
    "Zp": "a line or paragraph separator",
    "Cf": "an invisible formatting character",
    "Co": "a private-use character",
    "Cs": "a lone surrogate",
}
BOM = "\ufeff"


@dataclass(frozen=True)
class Line:
    """One spoken line and the quiet, in seconds, that follows it.

    A safety line names the rules it states (`rules`, from SAFETY_RULES; none for a plain `safety = true`). Safety
    lines in the intro phases give way to the program's short reminder after the first session of the day.
    """

    text: str
    pause: float
    safety: bool = False
    rules: tuple[str, ...] = ()
    shapes: frozenset[Shape] = frozenset(Shape)  # the session shapes it is said in
    once: bool = False  # with --side both, said for the first side only
    again: str = ""  # with --side both, said instead of `text` for the second side


@dataclass(frozen=True)
class Program:
    """The routine's program: how many sessions a day, for how many days, and when to stop."""

    sessions_per_day: int
    days: int
    until: str  # the stop rule, as words: "the spot is no longer tender"
    reminder: str  # said instead of the intro phases' safety lines after the first session of the day


@dataclass(frozen=True, kw_only=True)
class Step:
    """One part of a stroke (press, slide, release): its least length in beats, the sound on its first beat, and
    what is said from that beat: `cue` with full guidance, `short` with brief guidance, or `breath` (when given) on
    brief guidance's breathing strokes.

    `min_seconds` keeps a step from being rushed: at a fast tempo it gets as many beats as that takes. The timeline
    may give a step more beats, the same in every stroke of a phase, so that its words fit.
    """

    name: str
    beats: int
    cue: str
    short: str
    min_seconds: float = 0.0
    sound: str = "tick"
    breath: str = ""

    def beats_at(self, bpm: int) -> int:
        return max(self.beats, math.ceil(self.min_seconds * bpm / 60 - 1e-9))


@dataclass(frozen=True)
class Phase:
    title: str
    lines: tuple[Line, ...]
    each_side: bool = False
    strokes: bool = False
    intro: bool = False  # settling in and safety: skipped with --no-intro
    steps: tuple[Step, ...] = ()  # for a strokes phase: the steps of each of its strokes
    shapes: frozenset[Shape] = frozenset(Shape)  # the session shapes it is in (with lines in that shape)


@dataclass(frozen=True, kw_only=True)
class StrokePattern:
    steps: tuple[Step, ...]  # the steps of a stroke, for strokes phases that name none of their own
    count: str  # said just before each stroke's accent ("Stroke {n}."); three from the end and at the last one
    three_more: str
    last: str
    default: int  # strokes a side
    recommended: tuple[int, int]
    tempo: Tempo  # the routine's own
    bpm: Mapping[Tempo, int]  # beats a minute at each tempo
    count_in: int  # least ticks before the first stroke
    breath_every: int = 3  # with brief guidance, a step's `breath` words come on strokes 1, 1 + this, ...
    check_in: str = ""
    check_in_every: int = 0


@dataclass(frozen=True)
class Summary:
    one_side: str
    both_sides: str
    uneven: str = UNEVEN  # both sides, when they had different numbers of strokes (a session ended early)


@dataclass(frozen=True)
class Routine:
    name: str
    title: str
    description: str
    phases: tuple[Phase, ...]
    stroke: StrokePattern
    switch: Phase
    summary: Summary
    source: str = ""
    program: Program | None = None
    picture: str = ""  # an SVG file beside the routine's file; "{side}" in its name: one for each side


def parse_routine(text: str, file: str, name: str) -> Routine:
    """Parse a routine from TOML text; `name` is its command name (the file's name), `file` names it in messages."""
    if len(text) > MAX_FILE:
        raise RoutineError(file, f"too large ({len(text)} characters; a routine file holds at most {MAX_FILE})")
    text = text.removeprefix(BOM)  # a byte-order mark, as some editors save UTF-8
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise RoutineError(file, "not valid TOML: nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(match.group(1)) if match else None
        problem = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
        raise RoutineError(file, f"not valid TOML: {problem}", line=line) from None
    return _Validator(file, text).routine(data, name)


class PlaceholderError(ValueError):
    """A brace that is neither a placeholder (a bare name in braces) nor an escaped brace."""


def _pieces(text: str) -> list[tuple[str, bool]]:
    """A text as (literal, False) and (placeholder name, True) pieces: `{{` and `}}` are literal braces, and a
    placeholder is a lower-case name alone in braces, with no format, conversion, attribute or index (str.format
    would act on those). Raises PlaceholderError for anything else in braces and for an unpaired brace."""
    pieces: list[tuple[str, bool]] = []
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
            pieces += [("".join(literal), False), (name, True)]
            literal = []
            at = end + 1
        elif char == "}":
            raise PlaceholderError("a } with no { before it; write }} for a brace")
        else:
            literal.append(char)
            at += 1
    pieces.append(("".join(literal), False))
    return [(piece, name) for piece, name in pieces if piece or name]


def placeholders(text: str) -> list[str]:
    """The placeholder names a text uses; raises PlaceholderError for a malformed brace."""
    return [piece for piece, name in _pieces(text) if name]


def fill(text: str, values: Mapping[str, object]) -> str:
    """Put values into a text's placeholders (the text has been validated): each name becomes its value as text,
    and nothing else is interpreted (no format specs, conversions or attribute access, unlike str.format)."""
    return "".join(str(values[piece]) if name else piece for piece, name in _pieces(text))


def plural(count: int) -> str:
    """What the {s} placeholder becomes: "s" after a count other than one ("1 stroke", "0 strokes")."""
    return "" if count == 1 else "s"


def counted(count: int, noun: str = "stroke") -> str:
    """A count and its noun, agreeing: "1 stroke", "8 strokes"."""
    return f"{count} {noun}{plural(count)}"


def said_by(template: str, spoken: str) -> bool:
    """Whether a spoken text says this template, alone or as part of a longer phrase (a count and a cue)."""
    try:
        pattern = "".join(".*?" if name else re.escape(piece) for piece, name in _pieces(template))  # {s} may be ""
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

    def strings(value: object, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, dict):
            for key, item in value.items():
                yield from strings(item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from strings(item, (*path, index))

    for path, template in strings(data, ()):
        if template.strip() and said_by(template.strip(), spoken):
            return _Validator(file, toml).fail(path, problem)
    return RoutineError(file, problem)


KeyPath = tuple[str | int, ...]
Table = Mapping[str, object]  # a TOML table, as tomllib reads it
T = TypeVar("T")


def key_lines(text: str) -> dict[KeyPath, int]:
    """Map key paths, such as ("phases", 1, "lines", 2), to the line they start on.

    Positions come from tree-sitter's TOML syntax tree (tomllib gives the values but no positions): table headers,
    arrays of tables (nested too), keys (quoted and dotted), array elements and inline tables, with strings,
    comments and multi-line arrays read as TOML reads them. They are used only to point at a line in error
    messages: should the grammar find an error in a document tomllib accepted, the map is empty, and messages go
    without a line rather than with a wrong one.
    """
    import tree_sitter_toml
    from tree_sitter import Language, Parser

    root = Parser(Language(tree_sitter_toml.language())).parse(text.encode("utf-8")).root_node
    if root.has_error:
        return {}
    lines: dict[KeyPath, int] = {}
    counts: dict[KeyPath, int] = {}  # arrays of tables: how many elements so far

    def resolve(parts: list[str], line: int) -> KeyPath:
        """A header's key path, each array of tables on the way standing for its newest element."""
        path: KeyPath = ()
        for part in parts:
            path = (*path, part)
            lines.setdefault(path, line)
            if path in counts:
                path = (*path, counts[path] - 1)
        return path

    def value(node: Node, path: KeyPath) -> None:
        if node.type == "array":
            items = [child for child in node.named_children if child.type != "comment"]
            for index, item in enumerate(items):
                lines.setdefault((*path, index), item.start_point.row + 1)
                value(item, (*path, index))
        elif node.type == "inline_table":
            for pair in node.named_children:
                if pair.type == "pair":
                    assign(pair, path)

    def assign(pair: Node, table: KeyPath) -> None:
        key, content = (child for child in pair.named_children if child.type != "comment")
        path = table
        for part in _key_parts(key):
            path = (*path, part)
            lines.setdefault(path, key.start_point.row + 1)
        value(content, path)

    def walk() -> None:
        for node in root.named_children:
            line = node.start_point.row + 1
            if node.type == "pair":
                assign(node, ())
            elif node.type in ("table", "table_array_element"):
                header = next(child for child in node.named_children if child.type.endswith("key"))
                *outer, last = _key_parts(header)
                if node.type == "table":
                    table = resolve([*outer, last], line)
                else:
                    name = (*resolve(outer, line), last)
                    lines.setdefault(name, line)
                    counts[name] = counts.get(name, 0) + 1
                    table = (*name, counts[name] - 1)
                    lines.setdefault(table, line)
                for pair in node.named_children:
                    if pair.type == "pair":
                        assign(pair, table)

    try:
        walk()
    except RecursionError:  # values nested deeper than the walk can follow: no lines rather than a traceback
        return {}
    return lines


def _key_parts(node: Node) -> list[str]:
    """The parts of a key node as TOML reads them: a dotted key's parts, quoted ones unescaped."""
    if node.type == "dotted_key":
        return [part for child in node.named_children for part in _key_parts(child)]
    raw = node.text.decode("utf-8") if node.text is not None else ""
    if node.type == "quoted_key":
        return list(tomllib.loads(f"{raw} = 0"))  # one key: tomllib undoes the escapes exactly as it did for values
    return [raw]


def _dotted(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class _Validator:
    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.toml = text

    def fail(self, path: KeyPath, problem: str) -> RoutineError:
        """The error for a key path, at the line of the key or of the nearest table or array holding it."""
        lines = key_lines(self.toml)  # found only when needed: a routine that loads never pays for it
        line = None
        for end in range(len(path), 0, -1):
            line = lines.get(path[:end])
            if line is not None:
                break
        return RoutineError(self.file, problem, key=_dotted(path) or None, line=line)

    # -- typed getters --------------------------------------------------------------------------------------

    def table(self, data: Table, path: KeyPath, allowed: Iterable[str]) -> None:
        allowed = tuple(allowed)
        for key in data:
            if key not in allowed:
                raise self.fail((*path, key), f"unknown key (expected one of: {', '.join(allowed)})")

    def get(
        self,
        data: Table,
        path: KeyPath,
        key: str,
        kind: type[T] | tuple[type[T], ...],
        default: T | None = None,
    ) -> T:
        """The value at `key`, which must be of `kind` (true and false are not numbers); required unless there is a
        default."""
        where = (*path, key)
        if key not in data:
            if default is None:
                raise self.fail(where, "missing (this key is required)")
            return default
        value = data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            names = " or ".join(_type_name(k) for k in kinds)
            raise self.fail(where, f"expected {names}, found {_type_name(type(value))}")
        return value

    def integer(
        self,
        data: Table,
        path: KeyPath,
        key: str,
        low: int,
        high: int,
        default: int | None = None,
    ) -> int:
        value = self.get(data, path, key, int, default)
        if not low <= value <= high:
            raise self.fail((*path, key), f"{value} is out of range ({low} to {high})")
        return value

    def seconds(self, data: Table, path: KeyPath, key: str, default: float, most: int = 60) -> float:
        value = float(self.get(data, path, key, (int, float), default))
        if not 0 <= value <= most:
            raise self.fail((*path, key), f"{value:g} is out of range (0 to {most} seconds)")
        return value

    def text(
        self,
        data: Table,
        path: KeyPath,
        key: str,
        fields: frozenset[str],
        default: str | None = None,
    ) -> str:
        value: str = self.get(data, path, key, str, default)
        return self.check_text(value, (*path, key), fields)

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
        try:
            pieces = _pieces(value)
        except PlaceholderError as exc:
            raise self.fail(where, f"malformed placeholder{'' if str(exc).startswith('{') else ':'} {exc}") from None
        for field in (piece for piece, name in pieces if name):
            if field not in fields:
                known = ", ".join("{" + f + "}" for f in sorted(fields))
                hint = "; {side} and {other} work only where each_side = true" if field in ("side", "other") else ""
                raise self.fail(where, f"unknown placeholder {{{field}}} (here you may use: {known}{hint})")
        if not any(name or any(char.isalnum() for char in piece) for piece, name in pieces):
            raise self.fail(where, "text has nothing to say (it needs a word: a letter or a digit)")
        return value

    # -- the routine ------------------------------------------------------------------------------------------

    def routine(self, data: Table, default_name: str) -> Routine:
        self.table(
            data, (), ("title", "description", "source", "strokes", "phases", "switch", "summary", "program", "picture")
        )
        name = default_name
        if not _NAME.match(name):
            raise RoutineError(
                self.file,
                f"{name!r} is not a usable routine name: name the file with lower-case letters, "
                "digits and dashes, starting with a letter (such as my-routine.toml)",
            )
        title = self.text(data, (), "title", frozenset())
        description = self.text(data, (), "description", frozenset())
        source = self.get(data, (), "source", str, "").strip()
        raw_stroke = self.get(data, (), "strokes", dict)
        stroke = self.stroke(raw_stroke)
        phases = self.phases(self.get(data, (), "phases", list), stroke.steps)
        if "breath_every" in raw_stroke and not any(step.breath for p in phases for step in p.steps):
            raise self.fail(("strokes", "breath_every"), "goes with a step's breath, which no step has")
        switch = self.phase(self.get(data, (), "switch", dict), ("switch",), stroke.steps, switch=True)
        raw_summary = self.get(data, (), "summary", dict)
        self.table(raw_summary, ("summary",), ("one_side", "both_sides", "uneven"))
        summary = Summary(
            one_side=self.text(raw_summary, ("summary",), "one_side", SIDE_FIELDS),
            both_sides=self.text(raw_summary, ("summary",), "both_sides", SESSION_FIELDS),
            uneven=self.text(raw_summary, ("summary",), "uneven", UNEVEN_FIELDS, UNEVEN),
        )
        program = self.program(data["program"]) if "program" in data else None
        picture = self.picture(data) if "picture" in data else ""
        return Routine(name, title, description, phases, stroke, switch, summary, source, program, picture)

    def picture(self, data: Table) -> str:
        """An SVG file's name, beside the routine's file; `{side}` in it stands for right or left."""
        value = self.get(data, (), "picture", str).strip()
        if not re.fullmatch(r"[^/\\\x00-\x1f]{1,200}\.svg", value, re.IGNORECASE) or value.startswith("."):
            raise self.fail(
                ("picture",), f"{value!r} is not an SVG file's name (such as my-routine.svg, beside the routine)"
            )
        try:
            fields = set(placeholders(value))
        except PlaceholderError as exc:
            raise self.fail(("picture",), f"malformed placeholder: {exc}") from None
        if fields - {"side"}:
            raise self.fail(
                ("picture",), f"unknown placeholder {{{sorted(fields - {'side'})[0]}}} (here you may use: {{side}})"
            )
        return value

    def program(self, raw: object) -> Program:
        path: KeyPath = ("program",)
        if not isinstance(raw, dict):
            raise self.fail(path, f"expected a table, found {_type_name(type(raw))}")
        self.table(raw, path, ("sessions_per_day", "days", "until", "reminder"))
        return Program(
            sessions_per_day=self.integer(raw, path, "sessions_per_day", 1, 12),
            days=self.integer(raw, path, "days", 1, 365),
            until=self.text(raw, path, "until", frozenset()),
            reminder=self.text(raw, path, "reminder", SESSION_FIELDS),
        )

    def stroke(self, data: Table) -> StrokePattern:
        path: KeyPath = ("strokes",)
        self.table(
            data,
            path,
            (
                "default",
                "range",
                "tempo",
                "bpm",
                "count",
                "three_more",
                "last",
                "count_in",
                "breath_every",
                "full_cues",
                "check_in",
                "check_in_every",
                "steps",
            ),
        )
        bounds = self.get(data, path, "range", list)
        if len(bounds) != 2 or not all(isinstance(b, int) and not isinstance(b, bool) for b in bounds):
            raise self.fail((*path, "range"), "expected two whole numbers, [fewest, most]")
        low, high = bounds
        if not 1 <= low <= high <= MAX_STROKES:
            raise self.fail((*path, "range"), f"[{low}, {high}] is out of range (1 to {MAX_STROKES}, fewest first)")
        default = self.integer(data, path, "default", low, high)
        bpm_table = self.get(data, path, "bpm", dict)
        self.table(bpm_table, (*path, "bpm"), Tempo)
        bpm = {tempo: self.integer(bpm_table, (*path, "bpm"), tempo, *BPM_RANGE) for tempo in Tempo}
        if not bpm[Tempo.SLOW] < bpm[Tempo.MEDIUM] < bpm[Tempo.FAST]:
            raise self.fail((*path, "bpm"), "slow, medium and fast must each be faster than the one before")
        tempo = self.get(data, path, "tempo", str, Tempo.MEDIUM)
        if tempo not in tuple(Tempo):
            raise self.fail((*path, "tempo"), f"{tempo!r} is not a tempo (expected one of: {', '.join(Tempo)})")
        count = self.text(data, path, "count", COUNT_FIELDS)
        three_more = self.text(data, path, "three_more", COUNT_FIELDS)
        last = self.text(data, path, "last", COUNT_FIELDS)
        count_in = self.integer(data, path, "count_in", 0, 16, 2)
        if "full_cues" in data:
            raise self.fail(
                (*path, "full_cues"),
                "no longer used: brief guidance says each step's short words on every stroke, so every stroke is "
                "the same length; remove this key (the teaching goes in the strokes phase's lines)",
            )
        check_in = self.text(data, path, "check_in", SIDE_FIELDS) if "check_in" in data else ""
        check_in_every = self.integer(data, path, "check_in_every", 1, MAX_STROKES, 3) if check_in else 0
        if "check_in_every" in data and not check_in:
            raise self.fail((*path, "check_in_every"), "goes with check_in, which is missing")
        steps = self.steps(self.get(data, path, "steps", list), (*path, "steps"))
        breath_every = self.integer(data, path, "breath_every", 1, MAX_STROKES, 3)
        return StrokePattern(
            steps=steps,
            count=count,
            three_more=three_more,
            last=last,
            default=default,
            recommended=(low, high),
            tempo=Tempo(tempo),
            bpm=bpm,
            count_in=count_in,
            breath_every=breath_every,
            check_in=check_in,
            check_in_every=check_in_every,
        )

    def steps(self, raw_steps: list[object], path: KeyPath) -> tuple[Step, ...]:
        if not 1 <= len(raw_steps) <= 8:
            raise self.fail(path, f"a stroke needs 1 to 8 steps, found {len(raw_steps)}")
        steps = []
        for index, raw in enumerate(raw_steps):
            where = (*path, index)
            if not isinstance(raw, dict):
                raise self.fail(where, f"expected a table, found {_type_name(type(raw))}")
            self.table(raw, where, ("name", "beats", "cue", "short", "breath", "sound", "min_seconds"))
            short = self.text(raw, where, "short", SIDE_FIELDS)
            breath = self.text(raw, where, "breath", SIDE_FIELDS) if "breath" in raw else ""
            if breath and _first_word(breath).lower() != _first_word(short).lower():
                raise self.fail(
                    (*where, "breath"),
                    f"must start with {_first_word(short)!r}, like short, so the step's word still lands on its beat",
                )
            steps.append(
                Step(
                    name=self.text(raw, where, "name", frozenset()),
                    beats=self.integer(raw, where, "beats", 1, 16),
                    cue=self.text(raw, where, "cue", SIDE_FIELDS),
                    short=short,
                    breath=breath,
                    sound=self.step_sound(raw, where, first=index == 0),
                    min_seconds=self.seconds(raw, where, "min_seconds", 0.0, most=30),
                )
            )
        return tuple(steps)

    def step_sound(self, raw: Table, where: KeyPath, first: bool) -> str:
        """The sound on a step's first beat: the accent for the first step, which starts the stroke; a tick (by
        default), a rising or a falling tone for the others."""
        if first:
            sound = self.get(raw, where, "sound", str, ACCENT_SOUND)
            if sound != ACCENT_SOUND:
                raise self.fail((*where, "sound"), "the first step always has the accent, which starts a stroke")
            return sound
        sound = self.get(raw, where, "sound", str, STEP_SOUNDS[0])
        if sound not in STEP_SOUNDS:
            hint = " (the accent marks only the first step)" if sound == ACCENT_SOUND else ""
            raise self.fail(
                (*where, "sound"), f"{sound!r} is not a step sound (expected one of: {', '.join(STEP_SOUNDS)}){hint}"
            )
        return sound

    def phases(self, raw_phases: list[object], steps: tuple[Step, ...]) -> tuple[Phase, ...]:
        if not 1 <= len(raw_phases) <= 20:
            raise self.fail(("phases",), f"a routine needs 1 to 20 phases, found {len(raw_phases)}")
        phases = []
        for index, raw in enumerate(raw_phases):
            if not isinstance(raw, dict):
                raise self.fail(("phases", index), f"expected a table, found {_type_name(type(raw))}")
            phases.append(self.phase(raw, ("phases", index), steps))
        if not any(p.strokes for p in phases):
            raise self.fail(("phases",), "one phase or more must have strokes = true; none has")
        for index, phase in enumerate(phases):
            if phase.strokes and not phase.each_side:
                raise self.fail(
                    ("phases", index, "each_side"), "a phase with strokes = true must have each_side = true"
                )
            if phase.intro and phase.each_side:
                raise self.fail(("phases", index, "intro"), "a phase with intro = true cannot have each_side = true")
        sided = [i for i, p in enumerate(phases) if p.each_side]
        if sided != list(range(sided[0], sided[-1] + 1)):
            raise self.fail(("phases",), "the phases with each_side = true must follow one another")
        return tuple(phases)

    def safety(self, item: Table, where: KeyPath) -> tuple[bool, tuple[str, ...]]:
        """A line's `safety`: true or false, a rule's name, or a list of them; gives (a safety line?, its rules)."""
        raw = self.get(item, where, "safety", (bool, str, list), False)
        if isinstance(raw, bool):
            return raw, ()
        listed: list[object] = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list) else []
        if not listed:
            raise self.fail((*where, "safety"), "expected a rule's name or a list of them, found an empty list")
        names: list[str] = []
        for index, name in enumerate(listed):
            at = (*where, "safety") if isinstance(raw, str) else (*where, "safety", index)
            if not isinstance(name, str) or name not in SAFETY_RULES:
                shown = repr(name) if isinstance(name, str) else _type_name(type(name))
                raise self.fail(at, f"{shown} is not a safety rule (expected one of: {', '.join(SAFETY_RULES)})")
            names.append(name)
        return True, tuple(dict.fromkeys(names))

    def phase(self, raw: Table, path: KeyPath, steps: tuple[Step, ...], switch: bool = False) -> Phase:
        keys: tuple[str, ...] = ("title", "lines", "pause", "shapes")
        if not switch:
            keys += ("each_side", "strokes", "intro", "steps")
        self.table(raw, path, keys)
        each_side = switch or bool(self.get(raw, path, "each_side", bool, False))
        fields = SIDE_FIELDS if each_side else SESSION_FIELDS
        title = self.text(raw, path, "title", fields)
        pause = self.seconds(raw, path, "pause", 1.5)
        shapes = self.shapes(raw, path, frozenset(Shape))
        raw_lines = self.get(raw, path, "lines", list)
        if not 1 <= len(raw_lines) <= 40:
            raise self.fail((*path, "lines"), f"a phase needs 1 to 40 lines, found {len(raw_lines)}")
        lines = []
        for index, item in enumerate(raw_lines):
            where = (*path, "lines", index)
            if isinstance(item, str):
                lines.append(Line(self.check_text(item, where, fields), pause, shapes=shapes))
            elif isinstance(item, dict):
                self.table(item, where, ("text", "pause", "safety", "shapes", "once", "again"))
                text = self.text(item, where, "text", fields)
                safety, rules = self.safety(item, where)
                line_shapes = self.shapes(item, where, shapes)
                if not line_shapes <= shapes:
                    outside = ", ".join(s for s in Shape if s in line_shapes - shapes)
                    raise self.fail((*where, "shapes"), f"{outside} is not among its phase's shapes")
                once = bool(self.get(item, where, "once", bool, False))
                again = self.text(item, where, "again", fields) if "again" in item else ""
                if (once or again) and (switch or not each_side):
                    key = "once" if once else "again"
                    raise self.fail((*where, key), "goes only in a phase with each_side = true (not in [switch])")
                if once and again:
                    raise self.fail((*where, "again"), "cannot go with once = true: a line said once has no again")
                lines.append(
                    Line(text, self.seconds(item, where, "pause", pause), safety, rules, line_shapes, once, again)
                )
            else:
                raise self.fail(
                    where,
                    f"expected text or a table {{ text = ..., pause = ... }}, found {_type_name(type(item))}",
                )
        if switch:
            return Phase(title, tuple(lines), each_side=True, shapes=shapes)
        strokes = bool(self.get(raw, path, "strokes", bool, False))
        intro = bool(self.get(raw, path, "intro", bool, False))
        if "steps" in raw and not strokes:
            raise self.fail((*path, "steps"), "steps go only in a phase with strokes = true")
        if strokes and shapes != frozenset(Shape):
            raise self.fail((*path, "shapes"), "a phase with strokes = true is in every shape: the strokes always run")
        own = self.steps(self.get(raw, path, "steps", list), (*path, "steps")) if "steps" in raw else steps
        return Phase(title, tuple(lines), each_side, strokes, intro, own if strokes else (), shapes)

    def shapes(self, raw: Table, where: KeyPath, default: frozenset[Shape]) -> frozenset[Shape]:
        """A `shapes` list: the session shapes a phase or a line is in (`default` when it has none)."""
        if "shapes" not in raw:
            return default
        listed = self.get(raw, where, "shapes", list)
        if not listed:
            raise self.fail((*where, "shapes"), f"expected one shape or more ({', '.join(Shape)}), found an empty list")
        names: list[Shape] = []
        for index, name in enumerate(listed):
            if not isinstance(name, str) or name not in tuple(Shape):
                shown = repr(name) if isinstance(name, str) else _type_name(type(name))
                raise self.fail(
                    (*where, "shapes", index), f"{shown} is not a shape (expected one of: {', '.join(Shape)})"
                )
            if name in names:
                raise self.fail((*where, "shapes", index), f"{name!r} is listed twice")
            names.append(Shape(name))
        return frozenset(names)


def _first_word(text: str) -> str:
    """A text's first word, without punctuation: "Press, and breathe out." -> "Press"."""
    return re.split(r"[^\w'-]+", text.strip(), maxsplit=1)[0]


def _type_name(kind: type) -> str:
    return {
        str: "text",
        int: "a whole number",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }.get(kind, kind.__name__)
