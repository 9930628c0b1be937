"""Presenting a timeline as text and as JSON (pure). Times are in seconds as they are in the rendered audio."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from coach.errors import CoachError
from coach.kinds import Shape, Side, Tempo, Tool
from coach.quoting import shown
from coach.routine import Phase, Routine
from coach.script import CHIME
from coach.template import counted
from coach.timefmt import clock, length
from coach.timeline import SOUND, SPEECH, GridSpan, Placement, Timeline

CUSTOM = "custom"  # the tempo's name in JSON when --bpm set the beats a minute


def title(timeline: Timeline) -> str:
    """The session's name: "Psoas release, right side"."""
    return f"{timeline.script.title}, {timeline.script.side.words}"


def summary(timeline: Timeline, about: str = "") -> str:
    """One line for the session; `about` ("about ") goes before its length while that is an estimate."""
    s = timeline.script
    shape = "" if s.shape is Shape.TEACH else f", {s.shape} session"
    tool = f", {s.tool.named}" if s.tool.named else ""
    return (
        f"{title(timeline)}{tool}{shape}: {counted(s.strokes)} a side at {s.bpm} beats a minute"
        f"{'' if s.tempo is None else f' ({s.tempo})'}, "
        f"{s.guidance} guidance, {about}{length(timeline.seconds(timeline.length))} in all."
    )


def grid_text(span: GridSpan, sample_rate: int) -> str:
    """A grid's strokes in a few words: "8 strokes of 8 beats at 50 a minute, 9.6 s each: press 2, slide 4,
    release 2"."""
    steps = ", ".join(f"{name} {slot}" for name, slot in zip(span.steps, span.slots, strict=True))
    count = len(span.accents)
    return (
        f"{counted(count)} of {span.beats} beats at {span.bpm} a minute, "
        f"{span.stroke / sample_rate:.1f} s each: {steps}"
    )


def script_text(timeline: Timeline) -> str:
    """The session as timed text: phase headings, every spoken cue, each chime, and where each grid of strokes
    starts, with its beats (the metronome's own sounds are left out)."""
    out = [summary(timeline), ""]
    phases = iter(timeline.phases)
    upcoming = next(phases, None)
    grids = iter(timeline.grids)
    grid = next(grids, None)
    for event in timeline.events:
        while upcoming is not None and upcoming.start <= event.start:
            out.append(f"{clock(timeline.seconds(upcoming.start))}  # {upcoming.title}")
            upcoming = next(phases, None)
        while grid is not None and grid.start <= event.start:
            out.append(f"{clock(timeline.seconds(grid.start))}  ({grid_text(grid, timeline.sample_rate)})")
            grid = next(grids, None)
        if event.kind == SPEECH:
            out.append(f"{clock(timeline.seconds(event.start))}  {event.name}")
        elif event.name == CHIME:
            out.append(f"{clock(timeline.seconds(event.start))}  (chime)")
    out.append(f"{clock(timeline.seconds(timeline.length))}  (end)")
    return "\n".join(out) + "\n"


def pan_text(pan: float) -> str:
    """A pan in words: "centre", "right 0.6", "left 0.95"."""
    return "centre" if pan == 0 else f"{'right' if pan > 0 else 'left'} {abs(pan):g}"


def placement_text(where: Placement) -> str:
    """Where a clip is heard: "centre", "right 0.6", "right 0.6 to 0.95", "right 0.6 to left 0.6"."""
    if not where.moving:
        return pan_text(where.start)
    start, end = pan_text(where.start), pan_text(where.end)
    if where.start * where.end > 0:
        end = end.split(" ")[1]
    return f"{start} to {end}"


def placements_text(timeline: Timeline) -> str:
    """Where each kind of sound is heard in stereo, phase by phase: "Strokes, right side: accent right 0.6, ...";
    `words` are the lines said, `words on the beat` the counts and steps' words."""
    out, beat = [], timeline.script.beat_texts()
    for phase in timeline.phases:
        inside = [e for e in timeline.events if phase.start <= e.start < phase.end]
        sounds = dict.fromkeys((e.name, placement_text(e.placement)) for e in inside if e.kind == SOUND)
        words = dict.fromkeys(
            ("words on the beat" if e.name in beat else "words", placement_text(e.placement))
            for e in inside
            if e.kind == SPEECH
        )
        parts = [f"{name} {where}" for name, where in [*sounds, *words]]
        out.append(f"  {phase.title}: {', '.join(parts)}")
    return "\n".join(out)


def _seconds(timeline: Timeline, samples: int) -> float:
    return round(samples / timeline.sample_rate, 6)


def script_json(timeline: Timeline) -> dict[str, object]:
    s = timeline.script
    return {
        "routine": s.routine,
        "side": s.side,
        "strokes": s.strokes,
        "tempo": CUSTOM if s.tempo is None else s.tempo,
        "bpm": s.bpm,
        "guidance": s.guidance,
        "tool": s.tool,
        "sample_rate": timeline.sample_rate,
        "duration": _seconds(timeline, timeline.length),
        "phases": [
            {"title": p.title, "start": _seconds(timeline, p.start), "end": _seconds(timeline, p.end)}
            for p in timeline.phases
        ],
        "grids": [
            {
                "start": _seconds(timeline, g.start),
                "end": _seconds(timeline, g.end),
                "bpm": g.bpm,
                "count_in": g.count_in,
                "steps": [{"name": name, "beats": slot} for name, slot in zip(g.steps, g.slots, strict=True)],
                "stroke": _seconds(timeline, g.stroke),
                "accents": [_seconds(timeline, a) for a in g.accents],
            }
            for g in timeline.grids
        ],
        "events": [
            {
                "start": _seconds(timeline, e.start),
                "duration": _seconds(timeline, e.length),
                "kind": e.kind,
                ("text" if e.kind == SPEECH else "sound"): e.name,
                **({} if e.gain == 1.0 else {"gain": e.gain}),
                "pan": [e.placement.start, e.placement.end],
            }
            for e in timeline.events
        ],
    }


def stroke_text(timeline: Timeline) -> str:
    """Each strokes phase's stroke, once per phase of one side: "9.6 s (2-4-2 beats)"."""
    spans = timeline.grids[: len(timeline.grids) // len(timeline.script.side.sides)]
    return ", ".join(
        f"{span.stroke / timeline.sample_rate:.1f} s ({'-'.join(map(str, span.slots))} beats)" for span in spans
    )


@dataclass(frozen=True)
class ShapeLengths:
    """A session shape's lengths, in seconds: one side in all, when its first stroke starts, and both sides in all."""

    one_side: float
    first_stroke: float
    both_sides: float


def shape_lengths(one_side: Timeline, both_sides: Timeline) -> ShapeLengths:
    first = one_side.grids[0].accents[0] if one_side.grids else one_side.length
    return ShapeLengths(
        one_side.seconds(one_side.length), one_side.seconds(first), both_sides.seconds(both_sides.length)
    )


def show_text(
    routine: Routine,
    lengths: Mapping[tuple[Tempo, Side], float],
    strokes: Mapping[Tempo, str],
    shapes: Mapping[Shape, ShapeLengths] | None = None,
    placements: str = "",
) -> str:
    """A routine described: phases, strokes, tempos, session lengths by (tempo, Side.RIGHT or Side.BOTH), what
    a stroke takes at each tempo (stroke_text), each session shape's lengths at the routine's tempo, and where its
    sounds are heard in stereo (placements_text of a both-sides session)."""
    stroke = routine.stroke
    out = [f"{routine.name}: {routine.title}", *textwrap.wrap(routine.description, 100), ""]
    sided = [p for p in routine.phases if p.each_side]
    rows: list[tuple[str, str]] = []
    for phase in routine.phases:
        if phase is sided[0]:
            rows.extend((p.title, _phase_note(p) + _shapes_note(p)) for p in sided)
            rows.append((routine.switch.title, "between the sides, with --side both" + _shapes_note(routine.switch)))
        elif not phase.each_side:
            note = "once, skipped with --no-intro" if phase.intro else "once"
            rows.append((phase.title, note + _shapes_note(phase)))
    width = max(len(title) for title, _ in rows) + 2
    out.append("Phases:")
    out.extend(f"  {title:<{width}}{note}" for title, note in rows)
    out.append("")
    low, high = stroke.recommended
    out.append(f"Strokes: {stroke.default} a side by default ({low}-{high} advised)")
    tempos = ", ".join(f"{t} {stroke.bpm[t]}" + (" (default)" if t == stroke.tempo else "") for t in Tempo)
    out.append(f"Tempo: {tempos} beats a minute")
    out.append(f"Tools: {tools_text(routine)}")
    out.append("")
    out.append(f"Session length{'one side':>12}{'both sides':>12}  a stroke")
    for tempo in Tempo:
        one, both = (length(lengths[(tempo, side)]) for side in (Side.RIGHT, Side.BOTH))
        out.append(f"  {tempo:<12}{one:>12}{both:>12}  {strokes[tempo]}")
    if shapes:
        out.append("")
        out.append(f"Shape ({stroke.tempo}){'one side':>12}{'first stroke':>14}{'both sides':>12}")
        for shape, lengths_of in shapes.items():
            one, first, both = (
                length(x) for x in (lengths_of.one_side, lengths_of.first_stroke, lengths_of.both_sides)
            )
            out.append(f"  {shape:<14}{one:>12}{first:>14}{both:>12}")
    if placements:
        out += ["", "In stereo (a pan from left 1 through the centre to right 1; --mono folds it into one channel):"]
        out.append(placements)
    return "\n".join(out) + "\n"


def tools_text(routine: Routine) -> str:
    """What may press: "hands only", or "hands (the default), cane, knobbler: --tool"."""
    others = [tool for tool in Tool if tool in routine.tools and tool is not Tool.HANDS]
    return f"hands (the default), {', '.join(others)}: --tool" if others else "hands only"


def _shapes_note(phase: Phase) -> str:
    """The shapes a phase is in, when it is not in all of them (a strokes phase always is)."""
    if phase.strokes or phase.shapes == frozenset(Shape):
        return ""
    return f"; {' and '.join(shape for shape in Shape if shape in phase.shapes)} only"


def _phase_note(phase: Phase) -> str:
    if not phase.strokes:
        return "each side"
    steps = ", ".join(
        f"{s.name} {s.beats}" + (f" (at least {s.min_seconds:g} s)" if s.min_seconds else "") for s in phase.steps
    )
    return f"each side: strokes of {steps} beats"


def lrc_text(timeline: Timeline, title: str) -> str:
    """The spoken text as LRC lyrics: [mm:ss.xx] before each cue, times in hundredths of a second."""
    cues = [
        (round(event.start * 100 / timeline.sample_rate), event.name)
        for event in timeline.events
        if event.kind == SPEECH
    ]
    return lrc_document(title, timeline.seconds(timeline.length), cues)


LRC_TIME = re.compile(r"\[\d+:\d+(?:[.:]\d+)?\]")  # what an LRC reader takes for a time tag


def lrc_document(title: str, seconds: float, cues: Sequence[tuple[int, str]]) -> str:
    """LRC from a title, a length and (hundredths, text) cues. LRC has no escapes: a text that would not stay on
    its line, or that starts with what a reader takes for another time tag, is refused (LyricsError)."""
    _one_line(title, "lyrics")
    out = [f"[ti:{title}]", f"[length:{length(seconds)}]"]
    for hundredths, text in cues:
        _one_line(text, "lyrics")
        if LRC_TIME.match(text):
            raise LyricsError(f"Cannot write the lyrics: the line {shown(text)} starts like a time tag.")
        out.append(f"[{hundredths // 6000:02d}:{hundredths % 6000 // 100:02d}.{hundredths % 100:02d}]{text}")
    return "\n".join(out) + "\n"


def srt_text(timeline: Timeline) -> str:
    """The spoken text as SRT subtitles, each shown while it is spoken."""

    def ms(samples: int) -> int:
        return round(samples * 1000 / timeline.sample_rate)

    return srt_document([(ms(e.start), ms(e.end), e.name) for e in timeline.events if e.kind == SPEECH])


def srt_document(cues: Sequence[tuple[int, int, str]]) -> str:
    """SRT from (start ms, end ms, text) cues: a number, the times, the text, and a blank line. SRT has no escapes:
    a text that would not stay on its line, or has nothing to show, is refused (LyricsError)."""

    def stamp(ms: int) -> str:
        return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

    for _, _, text in cues:
        _one_line(text, "subtitles")
    blocks = [f"{n}\n{stamp(start)} --> {stamp(end)}\n{text}\n" for n, (start, end, text) in enumerate(cues, 1)]
    return "\n".join(blocks)


class LyricsError(CoachError):
    """A text the lyrics or subtitles cannot hold."""


def _one_line(text: str, what: str) -> None:
    if not text.strip() or not text.isprintable() or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise LyricsError(f"Cannot write the {what}: the line {shown(text)} would not stay on one line of its own.")
