"""Routine definitions: parse and validate a routine's TOML text into a `Routine` (pure: text in, value out).

Here are the records, each table's spec and what one key means for another; the kinds of value a key holds are in
keyspec.py, the placeholders in template.py, and each key's line in tomllines.py. Every problem is a `RoutineError`
naming the file, the line where it can be found, the key and the problem.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from coach.errors import RoutineError
from coach.keyspec import (
    PLACED,
    Bounds,
    ByCode,
    Choice,
    Fixed,
    Key,
    Of,
    Reader,
    Retired,
    Seconds,
    Spec,
    Sub,
    Table,
    Text,
    Unspoken,
    Whole,
    record,
    type_name,
)
from coach.kinds import Shape, Tempo, Tool
from coach.template import COUNT_FIELDS, NO_FIELDS, SESSION_FIELDS, SIDE_FIELDS, UNEVEN_FIELDS, fault
from coach.tomllines import BOM, KeyPath

MAX_STROKES = 30
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
    "redflags": "back pain with bladder or bowel changes, saddle numbness or a weak leg: a doctor first",
    "prepare": "an empty bladder, not straight after a meal; the knees fall only as far as is comfortable",
    "mass": "a broad pulsing lump under the fingers: stop, and see a doctor",
    "feel": "a tool cannot feel a pulse: feel the spot with the fingertips before the tool goes on it",
    "tip": "a tool's small tip concentrates the force: start very light, lighter than with the fingers",
}

# The rules said only with a tool (--tool cane or knobbler): a hands session has no line for them.
TOOL_RULES = ("feel", "tip")

# What a line asks the body to do, so the quiet after it can be checked (tests/teaching.py): a movement of the
# knees, hands, head or foot, or finding the spot; the fingers sinking in (the pressure starts); easing off.
ACTS = ("move", "press", "ease")

LIGHTER = "Press more gently than usual this time: a light pressure, well short of any pain."
UNEVEN = "That was {right} stroke{right_s} on your right side and {left} on your left."

_NAME = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


@dataclass(frozen=True, kw_only=True)
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
    act: str = ""  # what it asks the body to do (ACTS), "" for words only
    tools: frozenset[Tool] = frozenset(Tool)  # the tools it is said with (--tool): by default every one


@dataclass(frozen=True, kw_only=True)
class Program:
    """The routine's program: how many sessions a day, for how many days, and when to stop."""

    sessions_per_day: int
    days: int
    until: str  # the stop rule, as words: "the spot is no longer tender"
    reminder: str  # said instead of the intro phases' safety lines after the first session of the day
    lighter: str = LIGHTER  # said at the start of a session made lighter by a rise in tenderness (coach.dose)


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


@dataclass(frozen=True, kw_only=True)
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


@dataclass(frozen=True, kw_only=True)
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
    tools: frozenset[Tool] = frozenset({Tool.HANDS})  # what may press (--tool): the hands, and a tool or two


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


# -- what each table holds -----------------------------------------------------------------------------------------
#
# Each table's keys, listed once (coach/keyspec.py): name, kind, what it does, default. The validator reads a table's
# keys in this order; what one key means for another (a default within range, a step's breath starting like its
# short words) is code, in its method for that table. A key filling the record's field of its name needs no code:
# the record is built from the table's values by name. A new key is one line here, a field of its name on the
# record, and its words in docs/routines.md.


@dataclass(frozen=True)
class Members:
    """A list of an enum's members, each once: the session shapes a phase or a line is in, the tools a routine or
    a line takes."""

    kind: type[StrEnum]
    noun: str  # "shape": "'brisk' is not a shape (expected one of: teach, refresh, quick)"

    def read(self, check: Reader, data: Table, path: KeyPath, key: str, here: frozenset[str]) -> frozenset[Any]:
        listed: list[object] = check.get(data, path, key, list)
        every = ", ".join(self.kind)
        if not listed:
            raise check.fail((*path, key), f"expected one {self.noun} or more ({every}), found an empty list")
        names: list[StrEnum] = []
        for index, name in enumerate(listed):
            if not isinstance(name, str) or name not in tuple(self.kind):
                shown = repr(name) if isinstance(name, str) else type_name(type(name))
                raise check.fail((*path, key, index), f"{shown} is not a {self.noun} (expected one of: {every})")
            if name in names:
                raise check.fail((*path, key, index), f"{name!r} is listed twice")
            names.append(self.kind(name))
        return frozenset(names)


SHAPES = Members(Shape, "shape")
TOOLS = Members(Tool, "tool")


@dataclass(frozen=True)
class Safety:
    """A line's safety: true or false, a rule's name, or a list of them; gives (a safety line?, the rules it names)."""

    def read(
        self, check: Reader, data: Table, path: KeyPath, key: str, here: frozenset[str]
    ) -> tuple[bool, tuple[str, ...]]:
        raw: object = check.get(data, path, key, (bool, str, list))
        if isinstance(raw, bool):
            return raw, ()
        listed: list[object] = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list) else []
        if not listed:
            raise check.fail((*path, key), "expected a rule's name or a list of them, found an empty list")
        names: list[str] = []
        for index, name in enumerate(listed):
            at = (*path, key) if isinstance(raw, str) else (*path, key, index)
            if not isinstance(name, str) or name not in SAFETY_RULES:
                shown = repr(name) if isinstance(name, str) else type_name(type(name))
                raise check.fail(at, f"{shown} is not a safety rule (expected one of: {', '.join(SAFETY_RULES)})")
            names.append(name)
        return True, tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class PictureFile:
    """An SVG file's name, beside the routine's file; `{side}` in it stands for right or left."""

    def read(self, check: Reader, data: Table, path: KeyPath, key: str, here: frozenset[str]) -> str:
        value = check.get(data, path, key, str).strip()
        if not re.fullmatch(r"[^/\\\x00-\x1f]{1,200}\.svg", value, re.IGNORECASE) or value.startswith("."):
            raise check.fail(
                (*path, key), f"{value!r} is not an SVG file's name (such as my-routine.svg, beside the routine)"
            )
        problem = fault(value, frozenset({"side"}))
        if problem is not None:
            raise check.fail(
                (*path, key), problem.removesuffix("; {side} and {other} work only where each_side = true")
            )
        return value


PROGRAM = Spec(
    Key("sessions_per_day", Whole(1, 12), "how many sessions a day"),
    Key("days", Whole(1, 365), "for how many days"),
    Key("until", Text(NO_FIELDS), "the stop rule, as words"),
    Key("reminder", Text(SESSION_FIELDS), "said for the intro's safety lines after the day's first"),
    Key("lighter", Text(SESSION_FIELDS), "said when tenderness makes a session lighter", default=LIGHTER),
)
SUMMARY = Spec(
    Key("one_side", Text(SIDE_FIELDS), "the closing's first line, one side worked"),
    Key("both_sides", Text(SESSION_FIELDS), "the closing's first line, both sides worked"),
    Key("uneven", Text(UNEVEN_FIELDS), "both sides, when a side ended early", default=UNEVEN),
)
BPM = Spec(*(Key(tempo, Whole(*BPM_RANGE), f"beats a minute at the {tempo} tempo") for tempo in Tempo))
STEP = Spec(
    Key("name", Text(NO_FIELDS), "the step's name"),
    Key("beats", Whole(1, 16), "at least this many beats; more, in every stroke, where the words need them"),
    Key("cue", Text(SIDE_FIELDS), "the words with --guidance full"),
    Key("short", Text(SIDE_FIELDS), "the words with --guidance brief"),
    Key("breath", Text(SIDE_FIELDS), "brief's words on the breathing strokes; starts like short", default=""),
    Key(
        "sound",
        Choice(STEP_SOUNDS, "a step sound", {ACCENT_SOUND: "the accent marks only the first step"}),
        "the sound on the step's first beat",
        default=STEP_SOUNDS[0],
    ),
    Key("min_seconds", Seconds(30), "never shorter than this, whatever the tempo", default=0.0),
)
FIRST_STEP = STEP.but(
    Key(
        "sound",
        Fixed(ACCENT_SOUND, "the first step always has the accent, which starts a stroke"),
        "the accent, which starts a stroke",
        default=ACCENT_SOUND,
    )
)
STROKES = Spec(
    Key("default", Of(int), "strokes a side when --strokes is not given; within range"),
    Key("range", Bounds(1, MAX_STROKES), "the advised number of strokes, fewest first"),
    Key("tempo", Choice(Tempo, "a tempo"), "the default --tempo", default=Tempo.MEDIUM),
    Key("bpm", Sub(BPM), "beats a minute for each tempo, each faster than the one before"),
    Key("count", Text(COUNT_FIELDS), "said just before each stroke's accent"),
    Key("three_more", Text(COUNT_FIELDS), "said instead of count three strokes from the end (4 strokes or more)"),
    Key("last", Text(COUNT_FIELDS), "said instead of count on the last stroke (2 strokes or more)"),
    Key("count_in", Whole(0, 16), "at least this many ticks before the first stroke", default=2),
    Key("breath_every", Whole(1, MAX_STROKES), "a step's breath words come on strokes 1, 1 + this, ...", default=3),
    Key(
        "full_cues",
        Retired(
            "no longer used: brief guidance says each step's short words on every stroke, so every stroke is the "
            "same length; remove this key (the teaching goes in the strokes phase's lines)"
        ),
        "no longer used",
        default=None,
    ),
    Key("check_in", Text(SIDE_FIELDS), "said after every few strokes (not after the last)", default=""),
    Key("check_in_every", Whole(1, MAX_STROKES), "how many strokes apart", default=3, goes_with="check_in"),
    Key("steps", ByCode(list), "1 to 8 steps make one stroke"),
)
LINE = Spec(
    Key("text", Text(None), "what is said"),
    Key("pause", Seconds(), "seconds of quiet after it (default: its phase's)", default=PLACED),
    Key("safety", Safety(), "a safety line: the rule it states, or a list of them", default=(False, ())),
    Key("shapes", SHAPES, "the session shapes it is said in (default: its phase's)", default=PLACED),
    Key("once", Of(bool), "with --side both, said for the first side only", default=False),
    Key("again", Text(None), "with --side both, said instead of text for the second side", default=""),
    Key("act", Choice(ACTS, "an action"), "what it asks the body to do: move, press or ease", default=""),
    Key("tools", TOOLS, "the tools it is said with (default: every one its routine takes)", default=frozenset(Tool)),
)
SWITCH = Spec(
    Key("title", Text(None), "the phase's title, in the script and the chapters"),
    Key("lines", ByCode(list), "1 to 40 lines: text, or a table of a line's keys"),
    Key("pause", Seconds(), "seconds of quiet after each line", default=1.5),
    Key("shapes", SHAPES, "the session shapes it is in (with lines in that shape)", default=frozenset(Shape)),
)
PHASE = Spec(
    *SWITCH.keys,
    Key("each_side", Of(bool), "repeat this phase for each side worked", default=False),
    Key("strokes", Of(bool), "the strokes follow this phase's lines", default=False),
    Key("intro", Of(bool), "settling in and safety, skipped with --no-intro", default=False),
    Key("steps", ByCode(list), "steps of its own, for a strokes phase", default=None),
)
ROUTINE = Spec(
    Key("title", Text(NO_FIELDS), "shown in `coach list` and help"),
    Key("description", Text(NO_FIELDS), "shown in help"),
    Key("source", Unspoken(), "where the facts come from", default=""),
    Key("strokes", ByCode(dict), "the stroke: its counts, tempo, words and steps"),
    Key("phases", ByCode(list), "1 to 20 phases, in the order they are spoken"),
    Key("switch", ByCode(dict), "spoken between the sides with --side both"),
    Key("summary", Sub(SUMMARY, Summary), "the closing's first line"),
    Key("program", Sub(PROGRAM, Program), "the program: sessions a day, days, when to stop", default=None),
    Key(
        "picture", PictureFile(), "an SVG file beside the routine's, shown in its files; {side}: one a side", default=""
    ),
    Key("tools", TOOLS, "what may press (--tool): hands, and cane or knobbler", default=frozenset({Tool.HANDS})),
)


class _Validator(Reader):
    """Reads a routine's tables by their specs, and checks what one key means for another."""

    def routine(self, data: Table, name: str) -> Routine:
        self.known(data, (), ROUTINE)
        if not _NAME.match(name):
            raise RoutineError(
                self.file,
                f"{name!r} is not a usable routine name: name the file with lower-case letters, "
                "digits and dashes, starting with a letter (such as my-routine.toml)",
            )
        values = self.read(data, (), ROUTINE)
        self.tools: frozenset[Tool] = values["tools"]
        if Tool.HANDS not in self.tools:
            raise self.fail(("tools",), 'the hands are always a choice (--tool hands, the default): list "hands" too')
        raw_stroke = self.value(data, (), ROUTINE["strokes"])
        stroke = self.stroke(raw_stroke)
        phases = self.phases(self.value(data, (), ROUTINE["phases"]), stroke.steps)
        if "breath_every" in raw_stroke and not any(step.breath for p in phases for step in p.steps):
            raise self.fail(("strokes", "breath_every"), "goes with a step's breath, which no step has")
        switch = self.phase(self.value(data, (), ROUTINE["switch"]), ("switch",), stroke.steps, switch=True)
        return record(Routine, values, name=name, stroke=stroke, phases=phases, switch=switch)

    def stroke(self, data: Table) -> StrokePattern:
        path: KeyPath = ("strokes",)
        values = self.read(data, path, STROKES)
        (low, high), default = values["range"], values["default"]
        if not low <= default <= high:
            raise self.fail((*path, "default"), f"{default} is out of range ({low} to {high})")
        bpm = values["bpm"]
        if not bpm[Tempo.SLOW] < bpm[Tempo.MEDIUM] < bpm[Tempo.FAST]:
            raise self.fail((*path, "bpm"), "slow, medium and fast must each be faster than the one before")
        return record(
            StrokePattern,
            values,
            steps=self.steps(self.value(data, path, STROKES["steps"]), (*path, "steps")),
            recommended=(low, high),
            check_in_every=values["check_in_every"] if values["check_in"] else 0,
        )

    def steps(self, raw_steps: list[object], path: KeyPath) -> tuple[Step, ...]:
        if not 1 <= len(raw_steps) <= 8:
            raise self.fail(path, f"a stroke needs 1 to 8 steps, found {len(raw_steps)}")
        steps = []
        for index, raw in enumerate(raw_steps):
            where = (*path, index)
            values = self.read(self.entry(raw, where), where, STEP if index else FIRST_STEP)
            breath, short = values["breath"], values["short"]
            if breath and _first_word(breath).lower() != _first_word(short).lower():
                raise self.fail(
                    (*where, "breath"),
                    f"must start with {_first_word(short)!r}, like short, so the step's word still lands on its beat",
                )
            steps.append(record(Step, values))
        return tuple(steps)

    def phases(self, raw_phases: list[object], steps: tuple[Step, ...]) -> tuple[Phase, ...]:
        if not 1 <= len(raw_phases) <= 20:
            raise self.fail(("phases",), f"a routine needs 1 to 20 phases, found {len(raw_phases)}")
        phases = [self.phase(self.entry(raw, ("phases", i)), ("phases", i), steps) for i, raw in enumerate(raw_phases)]
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

    def phase(self, raw: Table, path: KeyPath, steps: tuple[Step, ...], switch: bool = False) -> Phase:
        spec = SWITCH if switch else PHASE
        self.known(raw, path, spec)
        each_side = switch or self.value(raw, path, PHASE["each_side"])
        fields = SIDE_FIELDS if each_side else SESSION_FIELDS
        values = self.read(raw, path, spec, fields)
        raw_lines = self.value(raw, path, spec["lines"])
        lines = self.lines(raw_lines, (*path, "lines"), values, fields, sided=each_side and not switch)
        if switch:
            return record(Phase, values, lines=lines, each_side=True)
        strokes = values["strokes"]
        if "steps" in raw and not strokes:
            raise self.fail((*path, "steps"), "steps go only in a phase with strokes = true")
        if strokes and values["shapes"] != frozenset(Shape):
            raise self.fail((*path, "shapes"), "a phase with strokes = true is in every shape: the strokes always run")
        own = self.steps(self.value(raw, path, PHASE["steps"]), (*path, "steps")) if "steps" in raw else steps
        return record(Phase, values, lines=lines, steps=own if strokes else ())

    def lines(
        self, raw_lines: list[object], path: KeyPath, phase: Mapping[str, Any], fields: frozenset[str], sided: bool
    ) -> tuple[Line, ...]:
        """A phase's lines: each a text, or a table of a line's keys (its pause and shapes by default its phase's).
        `sided`: the phase is one with each_side = true (not [switch]), where a line may be said once, or again."""
        if not 1 <= len(raw_lines) <= 40:
            raise self.fail(path, f"a phase needs 1 to 40 lines, found {len(raw_lines)}")
        lines = []
        for index, item in enumerate(raw_lines):
            where = (*path, index)
            if isinstance(item, str):
                text = self.check_text(item, where, fields)
                lines.append(Line(text=text, pause=phase["pause"], shapes=phase["shapes"]))
            elif isinstance(item, dict):
                values = self.read(item, where, LINE, fields, pause=phase["pause"], shapes=phase["shapes"])
                lines.append(self.line(values, where, phase["shapes"], sided, "tools" in item))
            else:
                raise self.fail(
                    where, f"expected text or a table {{ text = ..., pause = ... }}, found {type_name(type(item))}"
                )
        return tuple(lines)

    def line(
        self, values: Mapping[str, Any], where: KeyPath, shapes: frozenset[Shape], sided: bool, tools: bool = False
    ) -> Line:
        """A line from its table's values, in a phase of these shapes; `tools`: the line lists its tools."""
        if not values["shapes"] <= shapes:
            outside = ", ".join(s for s in Shape if s in values["shapes"] - shapes)
            raise self.fail((*where, "shapes"), f"{outside} is not among its phase's shapes")
        if tools and not values["tools"] <= self.tools:
            outside = ", ".join(t for t in Tool if t in values["tools"] - self.tools)
            taken = ", ".join(t for t in Tool if t in self.tools)
            raise self.fail((*where, "tools"), f"{outside} is not among its routine's tools ({taken})")
        once, again = values["once"], values["again"]
        if (once or again) and not sided:
            key = "once" if once else "again"
            raise self.fail((*where, key), "goes only in a phase with each_side = true (not in [switch])")
        if once and again:
            raise self.fail((*where, "again"), "cannot go with once = true: a line said once has no again")
        safety, rules = values["safety"]
        return record(Line, values, safety=safety, rules=rules)


def _first_word(text: str) -> str:
    """A text's first word, without punctuation: "Press, and breathe out." -> "Press"."""
    return re.split(r"[^\w'-]+", text.strip(), maxsplit=1)[0]
