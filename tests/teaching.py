"""What a session gives a first-timer, measured on its timeline with the calm voice's lengths (tests/rhythm.py).

`measure(timeline)` gives, up to the first stroke: when it comes, the share of that time that is speech, the longest
stretch of talk (pauses under JOIN_S joined), the quiet after every line that asks for an action (`act` in the
routine), the talk said while the fingers hold their first pressure (from the end of the first `press` line to the
start of the `ease` line after it) and the rules said under it, and the texts said before the first press.
"""

from __future__ import annotations

from dataclasses import dataclass

from rhythm import RATE, realistic_lengths

from coach.script import Grid, Options, Say, build_script
from coach.session import load_sounds
from coach.timeline import SPEECH, Event, Timeline, build_timeline

JOIN_S = 1.0  # quiet shorter than this does not end a stretch of talk
SOUNDS = {name: len(clip) for name, clip in load_sounds().items()}


@dataclass(frozen=True)
class Acted:
    text: str
    act: str
    quiet: float  # seconds from the end of its words to the next words


@dataclass(frozen=True)
class Measures:
    first_stroke: float  # seconds
    total: float
    speech_share: float  # of the time before the first stroke
    longest_talk: float  # seconds, before the first stroke
    acts: tuple[Acted, ...]  # every line that asks for an action, in the whole session
    held_talk: float  # seconds of words said while the first pressure is held, before the first stroke
    held_rules: tuple[str, ...]  # the safety rules said then
    before_press: tuple[Say, ...]  # the lines said before the first press (all before the first stroke, if none)
    eased: bool  # an `ease` line comes between the first press and the first stroke


def session_timeline(routine, **options) -> Timeline:
    script = build_script(routine, Options(**options))
    return build_timeline(script, realistic_lengths(script, "calm", SOUNDS), RATE)


def free_lines(timeline: Timeline) -> list[tuple[Say, Event]]:
    """Every line said in free talk (not on a stroke grid), with its speech event, in order."""
    says = [cue for phase in timeline.script.phases for cue in phase.cues if isinstance(cue, Say)]
    spans = [(grid.start, grid.end) for grid in timeline.grids]
    events = [
        e for e in timeline.events if e.kind == SPEECH and not any(start <= e.start < end for start, end in spans)
    ]
    assert [say.text for say in says] == [e.name for e in events]
    return list(zip(says, events, strict=True))


def measure(timeline: Timeline) -> Measures:
    seconds = timeline.seconds
    first = timeline.grids[0].accents[0]
    speech = sorted((e for e in timeline.events if e.kind == SPEECH), key=lambda e: e.start)
    before = [e for e in speech if e.start < first]
    spoken = sum(min(e.end, first) - e.start for e in before)
    stretches: list[list[int]] = []
    for e in before:
        if stretches and e.start - stretches[-1][1] < JOIN_S * timeline.sample_rate:
            stretches[-1][1] = max(stretches[-1][1], e.end)
        else:
            stretches.append([e.start, e.end])
    lines = free_lines(timeline)
    acts = []
    for say, event in lines:
        if say.act:
            following = [e.start for e in speech if e.start >= event.end]
            quiet = (following[0] if following else timeline.length) - event.end
            acts.append(Acted(say.text, say.act, round(seconds(quiet), 2)))
    early = [(say, event) for say, event in lines if event.start < first]
    press = next((i for i, (say, _) in enumerate(early) if say.act == "press"), len(early))
    ease = next((i for i, (say, _) in enumerate(early) if say.act == "ease" and i > press), len(early))
    held = early[press + 1 : ease]
    return Measures(
        first_stroke=round(seconds(first), 2),
        total=round(seconds(timeline.length), 2),
        speech_share=round(spoken / first, 3),
        longest_talk=round(seconds(max(end - start for start, end in stretches)), 2),
        acts=tuple(acts),
        held_talk=round(seconds(sum(e.length for _, e in held)), 2),
        held_rules=tuple(rule for say, _ in held for rule in say.rules),
        before_press=tuple(say for say, _ in early[:press]),
        eased=ease < len(early),
    )


def grids(timeline: Timeline) -> list[Grid]:
    return [cue for phase in timeline.script.phases for cue in phase.cues if isinstance(cue, Grid)]
