"""The script engine (pure): a routine and the user's options become an ordered script of cues.

A script says what is said and sounded, in what order, with what pauses and on which beats; it knows nothing of
how long speech takes. The timeline turns it into exact sample positions once the speech is synthesized.
"""

from __future__ import annotations

from dataclasses import dataclass

from coach.errors import CoachError
from coach.routine import SIDES, Phase, Routine, fill

LEAD_IN_MS = 1000  # quiet before the first word, so wireless headphones are awake when the voice starts
TAIL_MS = 1500  # quiet after the last chime
CHIME_WAIT_MS = 2000  # from a phase-end chime to whatever follows

TICK, ACCENT, CHIME = "tick", "accent", "chime"
SOUNDS = (TICK, ACCENT, CHIME)

SIDE_CHOICES = (*SIDES, "both")


@dataclass(frozen=True)
class Options:
    side: str
    strokes: int | None = None  # None: the routine's default
    tempo: str | None = None  # None: the routine's default


@dataclass(frozen=True)
class Say:
    """Speak a text, then keep quiet for `pause_ms` before the next cue."""

    text: str
    pause_ms: int


@dataclass(frozen=True)
class Sound:
    """Play a sound, and start the next cue `wait_ms` after it starts."""

    name: str
    wait_ms: int


@dataclass(frozen=True)
class Rest:
    ms: int


@dataclass(frozen=True)
class Beat:
    """One beat of the metronome grid: the sound on it and the words that start on it (either may be None)."""

    sound: str | None
    say: str | None = None


@dataclass(frozen=True)
class Grid:
    """Beats at a steady tempo; the timeline keeps them on the grid even when speech needs more room."""

    bpm: int
    beats: tuple[Beat, ...]


Cue = Say | Sound | Rest | Grid


@dataclass(frozen=True)
class ScriptPhase:
    title: str
    cues: tuple[Cue, ...]


@dataclass(frozen=True)
class Script:
    routine: str
    title: str
    side: str
    strokes: int
    tempo: str
    bpm: int
    phases: tuple[ScriptPhase, ...]

    def texts(self) -> list[str]:
        """Every text spoken, in order, with repeats."""
        out = []
        for phase in self.phases:
            for cue in phase.cues:
                if isinstance(cue, Say):
                    out.append(cue.text)
                elif isinstance(cue, Grid):
                    out.extend(beat.say for beat in cue.beats if beat.say)
        return out


def other_side(side: str) -> str:
    return SIDES[1 - SIDES.index(side)]


def build_script(routine: Routine, options: Options) -> Script:
    if options.side not in SIDE_CHOICES:
        raise CoachError(f"Unknown side {options.side!r}: choose right, left or both.")
    pattern = routine.stroke
    strokes = pattern.default if options.strokes is None else options.strokes
    tempo = pattern.tempo if options.tempo is None else options.tempo
    if tempo not in pattern.bpm:
        raise CoachError(f"Unknown tempo {tempo!r}: choose slow, medium or fast.")
    bpm = pattern.bpm[tempo]
    sides = list(SIDES) if options.side == "both" else [options.side]
    session = {
        "strokes": strokes,
        "sides": {"right": "right side", "left": "left side", "both": "right side, then your left"}[options.side],
    }

    def values(side: str) -> dict[str, object]:
        return {**session, "side": side, "other": other_side(side)}

    sided = [i for i, p in enumerate(routine.phases) if p.each_side]
    before, during, after = (
        routine.phases[: sided[0]],
        routine.phases[sided[0] : sided[-1] + 1],
        routine.phases[sided[-1] + 1 :],
    )
    phases: list[ScriptPhase] = [_talk(p, session) for p in before]
    for index, side in enumerate(sides):
        if index:
            phases.append(_talk(routine.switch, values(side)))
        for phase in during:
            talk = _talk(phase, values(side))
            if phase.strokes:
                grid = _strokes(routine, strokes, bpm, values(side))
                talk = ScriptPhase(talk.title, (*talk.cues[:-1], grid, talk.cues[-1]))
            phases.append(talk)
    phases.extend(_talk(p, session) for p in after)

    first, last = phases[0], phases[-1]
    phases[0] = ScriptPhase(first.title, (Rest(LEAD_IN_MS), *first.cues))
    phases[-1] = ScriptPhase(last.title, (*last.cues, Rest(TAIL_MS)))
    return Script(routine.name, routine.title, options.side, strokes, tempo, bpm, tuple(phases))


def _talk(phase: Phase, values: dict[str, object]) -> ScriptPhase:
    """A phase's lines, each with its pause, then the phase-end chime."""
    cues: list[Cue] = [Say(fill(line.text, values), round(line.pause * 1000)) for line in phase.lines]
    cues.append(Sound(CHIME, CHIME_WAIT_MS))
    return ScriptPhase(fill(phase.title, values), tuple(cues))


def _strokes(routine: Routine, strokes: int, bpm: int, values: dict[str, object]) -> Grid:
    """The stroke loop on the metronome grid: a count-in, then every stroke's steps, accent on each first beat."""
    pattern = routine.stroke
    beats = [Beat(TICK) for _ in range(pattern.count_in)]
    for n in range(1, strokes + 1):
        full = n <= pattern.full_cues
        for index, step in enumerate(pattern.steps):
            text = fill(step.cue if full else step.short, values)
            if index == 0:
                text = f"{fill(pattern.count, {**values, 'n': n})} {text}"
            beats.append(Beat(ACCENT if index == 0 else TICK, text))
            beats.extend(Beat(TICK) for _ in range(step.beats - 1))
    return Grid(bpm, tuple(beats))
