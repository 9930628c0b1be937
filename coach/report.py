"""Presenting a timeline as text and as JSON (pure). Times are in seconds as they are in the rendered audio."""

from __future__ import annotations

from typing import Any

from coach.script import CHIME
from coach.timeline import SPEECH, Timeline


def clock(seconds: float) -> str:
    """mm:ss.s"""
    tenths = round(seconds * 10)
    return f"{tenths // 600:02d}:{tenths % 600 // 10:02d}.{tenths % 10}"


def length(seconds: float) -> str:
    """m:ss, for a session's length."""
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def summary(timeline: Timeline) -> str:
    s = timeline.script
    side = "both sides" if s.side == "both" else f"{s.side} side"
    return (
        f"{s.title}, {side}: {s.strokes} strokes a side at {s.bpm} beats a minute ({s.tempo}), "
        f"{length(timeline.seconds(timeline.length))} in all."
    )


def script_text(timeline: Timeline) -> str:
    """The session as timed text: phase headings, every spoken cue and each chime (beat ticks are left out)."""
    out = [summary(timeline), ""]
    phases = iter(timeline.phases)
    upcoming = next(phases, None)
    for event in timeline.events:
        while upcoming is not None and upcoming.start <= event.start:
            out.append(f"{clock(timeline.seconds(upcoming.start))}  # {upcoming.title}")
            upcoming = next(phases, None)
        if event.kind == SPEECH:
            out.append(f"{clock(timeline.seconds(event.start))}  {event.name}")
        elif event.name == CHIME:
            out.append(f"{clock(timeline.seconds(event.start))}  (chime)")
    out.append(f"{clock(timeline.seconds(timeline.length))}  (end)")
    return "\n".join(out) + "\n"


def _seconds(timeline: Timeline, samples: int) -> float:
    return round(samples / timeline.sample_rate, 6)


def script_json(timeline: Timeline) -> dict[str, Any]:
    s = timeline.script
    return {
        "routine": s.routine,
        "side": s.side,
        "strokes": s.strokes,
        "tempo": s.tempo,
        "bpm": s.bpm,
        "sample_rate": timeline.sample_rate,
        "duration": _seconds(timeline, timeline.length),
        "phases": [
            {"title": p.title, "start": _seconds(timeline, p.start), "end": _seconds(timeline, p.end)}
            for p in timeline.phases
        ],
        "events": [
            {
                "start": _seconds(timeline, e.start),
                "duration": _seconds(timeline, e.length),
                "kind": e.kind,
                ("text" if e.kind == SPEECH else "sound"): e.name,
            }
            for e in timeline.events
        ],
    }
