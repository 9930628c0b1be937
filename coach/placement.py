"""Where each sound of a session is heard, left to right (pure): the timeline's events given a placement each.

The words stay in the centre, as loud as ever: the safety words, the check-ins, every line of talk. Only the words
said on a side's beats (its counts and its steps' words) lean a little toward it (SPEECH_LEAN), never so far that
one ear loses them. During a side's phases the metronome sounds come from that side, and follow the
hand: the press's accent (and every tick and chime of the side) from the spot beside the navel (SPOT, well toward
the side), the slide's tone moving outward from there toward the hip (HIP) as it plays, the release's tone gliding
back to the spot. The switch between the sides moves its sounds across, from the side just worked to the next.
The lead-in, the settling in, the safety words and the closing stay centred.

A pan is -1 (the left ear only), 0 (the centre) or 1 (the right ear only), or anything between. The right side is
heard on the right. psoas-partner is spoken to the giver, who kneels beside the worked side of a partner lying on
their back and slides toward themselves: from the giver's point of view the spot is toward the side they kneel at
and the slide comes their way, which is the same placement (docs/design/stereo.md says why).

Panning is constant-power (`gains`): left cos(theta), right sin(theta), theta = (pan + 1) pi / 4, so the power in
the two ears together is the same wherever a sound is and nothing gets louder or softer as it moves; the mono
session is the stereo one folded down, (left + right) / sqrt(2), whose gain is cos(theta - pi / 4) (`mono_gain`):
1 in the centre, so the words are exactly as they were.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from coach.kinds import Side
from coach.script import ACCENT, FALL, RISE
from coach.timeline import CENTRE, SPEECH, Event, Placement, Timeline

PLACEMENT = 1  # raised whenever a placement changes, so a library's files made before are made again
SPOT = 0.6  # the press's accent, ticks and chimes of a side: 9.8 dB louder in that ear
HIP = 0.95  # where the slide's tone ends, 28 dB louder in that ear
SPEECH_LEAN = 0.2  # the words on a side's beats: 2.8 dB louder in that ear
CROSS = 0.6  # the switch between the sides moves its sounds from this far on one side to as far on the other

PRESS, SLIDE, RELEASE, BEAT, BEAT_WORDS = "press", "slide", "release", "beat", "beat words"
ROLES = {ACCENT: PRESS, RISE: SLIDE, FALL: RELEASE}  # a step's sound and the part of the stroke it marks


def role(event: Event, beat_texts: Collection[str] = ()) -> str:
    """What an event is to the placement: words on the beat (`beat_texts`: a count, a step's words), other speech,
    a stroke's press, slide or release, or another beat (a tick, a chime)."""
    if event.kind == SPEECH:
        return BEAT_WORDS if event.name in beat_texts else SPEECH
    return ROLES.get(event.name, BEAT)


def _toward(side: Side) -> float:
    return 1.0 if side is Side.RIGHT else -1.0


def placement_of(what: str, side: Side | None, switch: bool = False) -> Placement:
    """The placement of a clip by its role (`role`), in a phase of the given side (None: before and after the
    sides); `switch`: the switch between the sides, toward `side`."""
    if side is None or side is Side.BOTH:
        return CENTRE
    way = _toward(side)
    if switch:
        return CENTRE if what in (SPEECH, BEAT_WORDS) else Placement(-way * CROSS, way * CROSS)
    if what == SPEECH:
        return CENTRE
    if what == BEAT_WORDS:
        return Placement(way * SPEECH_LEAN, way * SPEECH_LEAN)
    if what == SLIDE:
        return Placement(way * SPOT, way * HIP)
    if what == RELEASE:
        return Placement(way * HIP, way * SPOT)
    return Placement(way * SPOT, way * SPOT)


def place(timeline: Timeline) -> Timeline:
    """The timeline with every event placed by its role and the phase it starts in."""
    phases, beat = timeline.script.phases, timeline.script.beat_texts()
    spans = timeline.phases
    events, index = [], 0
    for event in timeline.events:
        while index + 1 < len(spans) and spans[index + 1].start <= event.start:
            index += 1
        phase = phases[index] if index < len(phases) else None
        where = CENTRE if phase is None else placement_of(role(event, beat), phase.side, phase.switch)
        events.append(event if where == event.placement else replace(event, placement=where))
    return replace(timeline, events=tuple(events))


def pans(where: Placement, length: int) -> npt.NDArray[np.float64]:
    """The pan at each of `length` samples: from `start` at the first to `end` at the last, evenly."""
    if not where.moving or length < 2:
        return np.full(length, where.start)
    return where.start + (where.end - where.start) * (np.arange(length) / (length - 1))


def gains(pan: npt.NDArray[np.float64] | float) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The left and right gains at a pan (constant power: their squares add up to 1)."""
    theta = (np.asarray(pan, dtype=np.float64) + 1.0) * (np.pi / 4)
    return np.cos(theta), np.sin(theta)


def mono_gain(pan: npt.NDArray[np.float64] | float) -> npt.NDArray[np.float64]:
    """The gain of the stereo folded down to one channel, (left + right) / sqrt(2): 1 in the centre."""
    return np.cos((np.asarray(pan, dtype=np.float64) + 1.0) * (np.pi / 4) - np.pi / 4)
