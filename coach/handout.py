"""A routine's printed handout, as values (pure): what goes on the page, all of it from the routine's own data.

The position and the stroke are the teaching session's lines of each side's phases (its safety lines apart), one
numbered step a phase, headed by the phase's title, with the stroke's steps (each step's full words) under the
phase that has the strokes. The safety words are every safety line of the teaching session, in full, and the
program's reminder. The tick sheet is the program's days by its sessions a day, for each side worked. The ways to
play a session are the routine's command and the names of the files `coach export` writes.

Nothing here is worded twice: a routine that changes its lines or its program changes its handout.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from coach.kinds import Shape, Side
from coach.library import session_file
from coach.program import DONE_AT_MOST, DONE_DAYS
from coach.routine import Line, Phase, Program, Routine
from coach.script import SIDES_SAID
from coach.template import counted, fill, plural


@dataclass(frozen=True)
class Step:
    """A numbered step: a heading (the phase's title), what to do (its lines), and for the phase with the
    strokes, the words of each step of a stroke under a heading of their own."""

    heading: str
    text: str
    stroke_heading: str = ""
    stroke: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sheet:
    """The tick sheet: a row for each day of the program (dated from the start, when one is given), a box for each
    session of the day and a tenderness column, for each side worked."""

    sides: tuple[Side, ...]
    per_day: int
    days: tuple[tuple[int, date | None], ...]  # the day's number, and its date
    how: tuple[str, ...]  # how to fill it in: the program and when a side is done


@dataclass(frozen=True, kw_only=True)
class Handout:
    routine: str
    title: str  # "Psoas release, right side"
    description: str
    side: Side
    steps: tuple[Step, ...]
    safety: tuple[str, ...]
    sheet: Sheet | None  # None for a routine with no program
    play: tuple[tuple[str, str], ...]  # (how, what): the command, and the files of the library's export


def handout(routine: Routine, side: Side, command: str, start: date | None = None) -> Handout:
    """The handout of `routine` for `side` (right, left or both); `command` is how the routine is named on the
    command line, `start` the first day of the program, to date the tick sheet."""
    return Handout(
        routine=routine.name,
        title=f"{routine.title}, {side.words}",
        description=routine.description,
        side=side,
        steps=steps(routine, side),
        safety=safety(routine, side),
        sheet=None if routine.program is None else sheet(routine.program, side, start),
        play=play(routine, side, command),
    )


def values(routine: Routine, worked: Side, side: Side) -> dict[str, object]:
    """The placeholders of a teaching session's lines, on one side of those worked."""
    strokes = routine.stroke.default
    return {"strokes": strokes, "s": plural(strokes), "sides": SIDES_SAID[worked], "side": side, "other": side.other}


def taught(line: Line) -> bool:
    return Shape.TEACH in line.shapes


def in_teaching(phase: Phase) -> bool:
    """Whether a teaching session has the phase: a strokes phase always, another where it has lines to say."""
    return phase.strokes or (Shape.TEACH in phase.shapes and any(taught(line) for line in phase.lines))


def steps(routine: Routine, side: Side) -> tuple[Step, ...]:
    """A step for each side's phase of the teaching session, on the first side worked; for both sides, a last
    step from the switch to the second."""
    first = side.sides[0]
    filled = values(routine, side, first)
    out = [phase_step(routine, phase, filled) for phase in routine.phases if phase.each_side and in_teaching(phase)]
    if side is Side.BOTH:
        second = side.sides[1]
        switch = phase_step(routine, routine.switch, values(routine, side, second))
        again = f"Then steps 1 to {len(out)} again on your {second} side, with right and left the other way round."
        out.append(Step(switch.heading, f"{switch.text} {again}".strip()))
    return tuple(out)


def phase_step(routine: Routine, phase: Phase, filled: Mapping[str, object]) -> Step:
    """One phase of the teaching session as a step: its lines but the safety lines, and the stroke's steps."""
    text = " ".join(fill(line.text, filled) for line in phase.lines if taught(line) and not line.safety)
    if not phase.strokes:
        return Step(fill(phase.title, filled), text)
    low, high = routine.stroke.recommended
    heading = f"Each stroke ({counted(routine.stroke.default)} a side, {low} to {high} advised):"
    stroke = tuple(fill(step.cue, filled) for step in phase.steps)
    return Step(fill(phase.title, filled), text, heading, stroke)


def safety(routine: Routine, side: Side) -> tuple[str, ...]:
    """Every safety line of the teaching session, in full, each once, in the order said; then the program's
    reminder, which is said before every later session."""
    filled = values(routine, side, side.sides[0])
    lines: list[str] = []
    for phase in (*routine.phases, routine.switch):
        if not in_teaching(phase):
            continue
        for line in phase.lines:
            text = fill(line.text, filled)
            if line.safety and taught(line) and text not in lines:
                lines.append(text)
    reminder = "" if routine.program is None else fill(routine.program.reminder, filled)
    if reminder and reminder not in lines:
        lines.append(f"Before each session: {reminder}")
    return tuple(lines)


def sheet(program: Program, side: Side, start: date | None) -> Sheet:
    days = tuple((n, None if start is None else start + timedelta(days=n - 1)) for n in range(1, program.days + 1))
    per_day = counted(program.sessions_per_day, "session")
    how = (
        f"The program: {per_day} a day for {program.days} days, until {program.until}.",
        f"Tick a box for each session. Tenderness: how tender the spot was, 0 (not at all) to 10, after the day's "
        f"last session. A side is done once it is at {DONE_AT_MOST} or less on {DONE_DAYS} days in a row.",
    )
    return Sheet(side.sides, program.sessions_per_day, days, how)


def play(routine: Routine, side: Side, command: str) -> tuple[tuple[str, str], ...]:
    """How to play each session: the command, which picks each session's shape from the log, and the files."""
    first, later = (session_file(routine.name, side, shape) for shape in (Shape.TEACH, Shape.QUICK))
    return (
        (
            "Each session",
            f"coach {command} --side {side} (the first session teaches everything, the first of each later day "
            "repeats the safety words, and the others that day are quick)",
        ),
        ("On a phone", f"{first} for the day's first session, {later} for the others (files of coach export)"),
    )
