"""The script engine (pure): a routine and the user's options become an ordered script of cues.

A script says what is said and sounded, in what order, with what pauses and on which beats; it knows nothing of
how long speech takes. The timeline turns it into exact sample positions once the speech is synthesized.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from coach.errors import CoachError
from coach.kinds import Guidance, Shape, Side, Tempo, Tool
from coach.routine import BPM_RANGE, Line, Phase, Routine, Step
from coach.template import fill, plural

LEAD_IN_MS = 2000  # a near-silent lead-in before the first word, so wireless headphones are awake for it
TAIL_MS = 1500  # quiet after the last chime
CHIME_WAIT_MS = 2000  # from a phase-end chime to whatever follows
SUMMARY_PAUSE_MS = 2000
QUICK_SUMMARY_PAUSE_MS = 1000  # a quick session gets to its closing line sooner
CHECK_IN_BEATS = 2  # quiet beats after a check-in, for the answer, before the next stroke's count
STANDING_PAUSE_MS = 1000
QUICK_STANDING_PAUSE_MS = 500  # a quick session gets to its strokes sooner
BRIEF_FULL_STROKES = 2  # brief guidance says the steps' full words on the first strokes, then their short words
REMINDER = "reminder"  # the rule a quick session's reminder states: the program's line of who should not do this

TICK, ACCENT, RISE, FALL, CHIME, LEAD_IN = "tick", "accent", "rise", "fall", "chime", "lead-in"
SOUNDS = (TICK, ACCENT, RISE, FALL, CHIME, LEAD_IN)

SIDES_SAID = {Side.RIGHT: "right side", Side.LEFT: "left side", Side.BOTH: "right side, then the left"}  # {sides}


@dataclass(frozen=True, kw_only=True)
class Options:
    side: Side
    strokes: int | None = None  # None: the routine's default
    tempo: Tempo | None = None  # None: the routine's default
    bpm: int | None = None  # overrides the tempo's beats a minute
    guidance: Guidance = Guidance.BRIEF
    intro: bool = True  # False skips the phases marked intro (settling in, safety)
    short_intro: bool = False  # the safety lines give way to the program's one-line reminder
    standing: str | None = None  # where the user stands in the program, said after the welcome
    done: tuple[int, ...] | None = None  # strokes done on each side worked, for the summary; None: as planned
    shape: Shape = Shape.TEACH  # the session's shape: which phases and lines it says
    advice: tuple[str, ...] = ()  # said after `standing`: why the program makes this session lighter, or not now
    tool: Tool = Tool.HANDS  # what presses: the lines said are those for it


@dataclass(frozen=True)
class Say:
    """Speak a text, then keep quiet for `pause_ms` before the next cue."""

    text: str
    pause_ms: int
    act: str = ""  # what the line asks the body to do (coach.routine.ACTS)
    rules: tuple[str, ...] = ()  # the safety rules it states (coach.routine.SAFETY_RULES)


@dataclass(frozen=True)
class Sound:
    """Play a sound, and start the next cue `wait_ms` after it starts."""

    name: str
    wait_ms: int


@dataclass(frozen=True)
class Rest:
    ms: int


@dataclass(frozen=True)
class GridStep:
    """A step of every stroke on a grid: its least number of beats at the grid's tempo, and its first beat's sound."""

    name: str
    beats: int
    sound: str


@dataclass(frozen=True)
class Stroke:
    """What one stroke says: its count, just before its accent; each step's words, from the step's first beat; and
    a check-in after it, where the routine has one. None says nothing."""

    count: str | None
    words: tuple[str | None, ...]  # one for each step
    check_in: str | None = None


@dataclass(frozen=True, kw_only=True)
class Grid:
    """Strokes on a metronome grid at a steady tempo, after a count-in of at least `count_in` ticks.

    The timeline gives each step the same whole number of beats in every stroke, enough for its longest words, so
    every stroke of the grid lasts the same time; a check-in gets a pause of its own between two strokes.
    """

    bpm: int
    count_in: int
    steps: tuple[GridStep, ...]
    strokes: tuple[Stroke, ...]
    answer_beats: int = CHECK_IN_BEATS  # quiet beats after a check-in

    def texts(self) -> list[str]:
        """The words said on the grid, in order."""
        out: list[str] = []
        for stroke in self.strokes:
            out.extend(text for text in (stroke.count, *stroke.words, stroke.check_in) if text)
        return out


Cue = Say | Sound | Rest | Grid


@dataclass(frozen=True)
class ScriptPhase:
    title: str
    cues: tuple[Cue, ...]
    side: Side | None = None  # the side it works, or is about to (the switch); None before and after the sides
    switch: bool = False  # the switch between the sides (--side both): `side` is the side it goes to


@dataclass(frozen=True, kw_only=True)
class Script:
    routine: str
    title: str
    side: Side
    strokes: int
    tempo: Tempo | None  # None: a beats-a-minute of the user's own (--bpm)
    bpm: int
    guidance: Guidance
    phases: tuple[ScriptPhase, ...]
    shape: Shape = Shape.TEACH
    tool: Tool = Tool.HANDS

    def texts(self) -> list[str]:
        """Every text spoken, in order, with repeats."""
        out = []
        for phase in self.phases:
            for cue in phase.cues:
                if isinstance(cue, Say):
                    out.append(cue.text)
                elif isinstance(cue, Grid):
                    out.extend(cue.texts())
        return out

    def beat_texts(self) -> frozenset[str]:
        """The texts said on a beat: the counts and the steps' words (a check-in, said to a person, is free talk)."""
        return frozenset(
            text
            for phase in self.phases
            for cue in phase.cues
            if isinstance(cue, Grid)
            for stroke in cue.strokes
            for text in (stroke.count, *stroke.words)
            if text
        )


def build_script(routine: Routine, options: Options) -> Script:
    """The session's script: the routine's phases in this shape, each side's in turn, the strokes on their grids."""
    worked, shape, tool = options.side, options.shape, options.tool
    if tool not in routine.tools:
        raise CoachError(f"{routine.title} is done with the hands, not with a {tool}.")
    strokes = routine.stroke.default if options.strokes is None else options.strokes
    tempo, bpm = _pace(routine, options)
    session = {**_count(strokes), "sides": SIDES_SAID[worked]}

    def values(side: Side) -> dict[str, object]:
        return {**session, "side": side, "other": side.other}

    kept = [p for p in routine.phases if (options.intro or not p.intro) and _in_shape(p, shape, tool)]
    reminder: tuple[Say, ...] = ()
    if options.short_intro and routine.program is not None:
        kept = [_shortened(p, routine.program.reminder) if p.intro else p for p in kept]
        if options.intro and not any(p.intro for p in kept):  # a shape without the intro still says who should not
            reminder = (Say(fill(routine.program.reminder, session), STANDING_PAUSE_MS, rules=(REMINDER,)),)
    sided = [i for i, p in enumerate(kept) if p.each_side]
    before, during, after = kept[: sided[0]], kept[sided[0] : sided[-1] + 1], kept[sided[-1] + 1 :]
    phases: list[ScriptPhase] = [_talk(p, session, shape, tool) for p in before]
    for index, side in enumerate(worked.sides):
        if index and _in_shape(routine.switch, shape, tool):
            phases.append(replace(_talk(routine.switch, values(side), shape, tool), side=side, switch=True))
        for phase in during:
            talk = replace(_talk(phase, values(side), shape, tool, again=index > 0), side=side)
            if phase.strokes:
                grid = _strokes(routine, phase.steps, strokes, bpm, options.guidance, values(side))
                talk = replace(talk, cues=(*talk.cues[:-1], grid, talk.cues[-1]))
            phases.append(talk)
    closing = [_talk(p, session, shape, tool) for p in after]

    per_side = strokes * sum(p.strokes for p in during)  # every stroke phase runs on each side
    pause = QUICK_SUMMARY_PAUSE_MS if shape is Shape.QUICK else SUMMARY_PAUSE_MS
    summary = Say(_summary(routine, worked, per_side, options.done, session, values), pause)
    if closing:
        closing[0] = replace(closing[0], cues=(summary, *closing[0].cues))
    else:
        last = phases[-1]
        phases[-1] = replace(last, cues=(*last.cues[:-1], summary, last.cues[-1]))
    return Script(
        routine=routine.name,
        title=routine.title,
        side=worked,
        strokes=strokes,
        tempo=tempo,
        bpm=bpm,
        guidance=options.guidance,
        phases=_framed([*phases, *closing], options.standing, shape, (*_advice(options.advice), *reminder)),
        shape=shape,
        tool=tool,
    )


def _pace(routine: Routine, options: Options) -> tuple[Tempo | None, int]:
    """The session's tempo (None for a beats a minute of the user's own) and its beats a minute."""
    if options.bpm is not None:
        tempo, bpm = None, options.bpm
    else:
        tempo = routine.stroke.tempo if options.tempo is None else options.tempo
        bpm = routine.stroke.bpm[tempo]
    if not BPM_RANGE[0] <= bpm <= BPM_RANGE[1]:
        raise CoachError(f"{bpm} beats a minute is out of range ({BPM_RANGE[0]} to {BPM_RANGE[1]}).")
    return tempo, bpm


def _advice(advice: tuple[str, ...]) -> tuple[Say, ...]:
    return tuple(Say(words, STANDING_PAUSE_MS) for words in advice)


def _framed(
    phases: list[ScriptPhase], standing: str | None, shape: Shape, after: tuple[Say, ...] = ()
) -> tuple[ScriptPhase, ...]:
    """The phases with the lead-in first; after the welcome (the first line, when the first phase opens with one)
    where the user stands, then `after` (the program's advice, and a quick session's reminder of who should not do
    this); and the quiet tail last."""
    first = phases[0]
    cues = first.cues
    said = (Say(standing, QUICK_STANDING_PAUSE_MS if shape is Shape.QUICK else STANDING_PAUSE_MS),) if standing else ()
    if said or after:
        welcome = 1 if isinstance(cues[0], Say) else 0
        cues = (*cues[:welcome], *said, *after, *cues[welcome:])
    phases = [replace(first, cues=(Sound(LEAD_IN, LEAD_IN_MS), *cues)), *phases[1:]]
    last = phases[-1]  # the first phase too, when there is only one
    phases[-1] = replace(last, cues=(*last.cues, Rest(TAIL_MS)))
    return tuple(phases)


def _summary(
    routine: Routine,
    worked: Side,
    strokes: int,
    done: tuple[int, ...] | None,
    session: dict[str, object],
    values: Callable[[Side], dict[str, object]],
) -> str:
    """The closing's first line: its {strokes} is the strokes done on each side, over all the side's stroke phases
    (as planned, `strokes`, unless `done` says otherwise)."""
    counts = done if done is not None else (strokes,) * len(worked.sides)
    if len(counts) != len(worked.sides):
        raise ValueError(f"{len(counts)} stroke counts for {len(worked.sides)} sides")
    if worked is not Side.BOTH:
        return fill(routine.summary.one_side, {**values(worked), **_count(counts[0])})
    right, left = counts
    if right != left:
        return fill(
            routine.summary.uneven, {"right": right, "left": left, "right_s": plural(right), "left_s": plural(left)}
        )
    return fill(routine.summary.both_sides, {**session, **_count(right)})


def _count(strokes: int) -> dict[str, object]:
    """The {strokes} placeholder's value, and the {s} that agrees with it."""
    return {"strokes": strokes, "s": plural(strokes)}


def _shortened(phase: Phase, reminder: str) -> Phase:
    """The phase with its safety lines replaced by one reminder, where the first of them stood."""
    lines: list[Line] = []
    for line in phase.lines:
        if not line.safety:
            lines.append(line)
        elif not any(kept.text == reminder for kept in lines):
            lines.append(Line(text=reminder, pause=line.pause, shapes=line.shapes))
    return replace(phase, lines=tuple(lines))


def _in_shape(phase: Phase, shape: Shape, tool: Tool = Tool.HANDS) -> bool:
    """Whether a phase is in a session of this shape and tool: a strokes phase always; another when it has lines
    there."""
    return phase.strokes or (shape in phase.shapes and any(_said(line, shape, tool) for line in phase.lines))


def _said(line: Line, shape: Shape, tool: Tool) -> bool:
    return shape in line.shapes and tool in line.tools


def _talk(
    phase: Phase, values: dict[str, object], shape: Shape = Shape.TEACH, tool: Tool = Tool.HANDS, again: bool = False
) -> ScriptPhase:
    """A phase's lines in this shape and with this tool, each with its pause, then the phase-end chime. `again`: for
    the second side worked, where lines said once are left out and a line's `again` words replace it."""
    cues: list[Cue] = []
    for line in phase.lines:
        if not _said(line, shape, tool) or (again and line.once):
            continue
        text = line.again if again and line.again else line.text
        cues.append(Say(fill(text, values), round(line.pause * 1000), line.act, line.rules))
    cues.append(Sound(CHIME, CHIME_WAIT_MS))
    return ScriptPhase(fill(phase.title, values), tuple(cues))


def _strokes(
    routine: Routine, steps: tuple[Step, ...], strokes: int, bpm: int, guidance: Guidance, values: dict[str, object]
) -> Grid:
    """The stroke loop on the metronome grid: each stroke's count (three from the end and at the last one, their
    own), each step's words by the guidance level, and a check-in after every few strokes where the routine has
    one (never after the last)."""
    pattern = routine.stroke
    rows = []
    for n in range(1, strokes + 1):
        if n == strokes and strokes >= 2:
            count = pattern.last
        elif n == strokes - 2 and strokes >= 4:
            count = pattern.three_more
        else:
            count = pattern.count
        breathing = (n - 1) % pattern.breath_every == 0
        full = guidance is Guidance.FULL or (guidance is Guidance.BRIEF and n <= BRIEF_FULL_STROKES)
        words = tuple(_step_words(step, guidance, full, breathing, values) for step in steps)
        check_in = pattern.check_in and n % pattern.check_in_every == 0 and n < strokes
        rows.append(
            Stroke(fill(count, {**values, "n": n}), words, fill(pattern.check_in, values) if check_in else None)
        )
    grid_steps = tuple(GridStep(step.name, step.beats_at(bpm), step.sound) for step in steps)
    return Grid(bpm=bpm, count_in=pattern.count_in, steps=grid_steps, strokes=tuple(rows))


def _step_words(step: Step, guidance: Guidance, full: bool, breathing: bool, values: dict[str, object]) -> str | None:
    """A step's words: minimal, none; its cue on a stroke said in full (every stroke with full guidance, the first
    BRIEF_FULL_STROKES with brief); else its short words (its breath words on a breathing stroke)."""
    if guidance is Guidance.MINIMAL:
        return None
    if full:
        return fill(step.cue, values)
    return fill(step.breath if breathing and step.breath else step.short, values)
