"""The pipeline in one call: routine + options -> script -> speech clips -> timeline, ready to render; and a session
put together from the speech made so far, for a live session that starts before all of it is made."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from importlib import resources

import numpy as np
import numpy.typing as npt

from coach.audio import SAMPLE_RATE, Clip, read_wav, to_float
from coach.placement import place
from coach.routine import Routine
from coach.script import SOUNDS, Options, Script, build_script
from coach.speech.cache import Speaker, synthesize_all
from coach.timeline import SOUND, SPEECH, ClipKey, Event, Timeline, build_timeline

SPEECH_DIP_DB = 6.0  # the most a line is turned down so a metronome sound on it keeps its level
ESTIMATE_S_PER_CHAR = 0.075  # a line not made yet is taken to last this long a character, until one is known


@dataclass(frozen=True)
class Session:
    timeline: Timeline
    clips: dict[ClipKey, Clip]


def load_sounds() -> dict[str, Clip]:
    """The metronome sounds shipped in the package, by name."""
    sounds = {}
    for name in SOUNDS:
        with resources.as_file(resources.files("coach.sounds").joinpath(f"{name}.wav")) as path:
            pcm, rate = read_wav(path)
        if rate != SAMPLE_RATE:
            raise RuntimeError(f"{name}.wav is {rate} Hz, not {SAMPLE_RATE} Hz: run scripts/make_sounds.py")
        sounds[name] = to_float(pcm)
    return sounds


def prepare(
    routine: Routine, options: Options, speaker: Speaker, progress: Callable[[int, int], None] | None = None
) -> Session:
    """The whole session, every line synthesized (or read from the cache) first."""
    script = build_script(routine, options)
    return assemble(script, synthesize_all(script.texts(), speaker, script.beat_texts(), progress), load_sounds())


def assemble(script: Script, speech: Mapping[str, Clip], sounds: Mapping[str, Clip]) -> Session:
    """The session from the speech made so far. Lines not made yet get a length estimated from those made (their
    characters at the same speed), and the timeline says up to where it is exact (`Timeline.horizon`)."""
    unknown = {text for text in script.texts() if text not in speech}
    known_chars = sum(len(text) for text in speech)
    per_char = sum(len(clip) for clip in speech.values()) / known_chars if known_chars else 0.0
    per_char = per_char or ESTIMATE_S_PER_CHAR * SAMPLE_RATE
    clips: dict[ClipKey, Clip] = {(SPEECH, text): clip for text, clip in speech.items()}
    clips.update({(SOUND, name): clip for name, clip in sounds.items()})
    lengths = {key: len(clip) for key, clip in clips.items()}
    lengths.update({(SPEECH, text): round(len(text) * per_char) for text in unknown})
    timeline = build_timeline(script, lengths, SAMPLE_RATE, unknown)
    return Session(place(duck(timeline, clips)), clips)


def duck(timeline: Timeline, clips: Mapping[ClipKey, Clip]) -> Timeline:
    """The timeline with room made for each metronome sound that falls on speech, so that the two together stay
    under the speech's own true-peak ceiling (the sum of two true-peak envelopes bounds the true peak of the sum).
    The words give way first: a line with a sound on it is turned down as much as its loudest sound needs, by at
    most SPEECH_DIP_DB (a step word on its beat, a fraction of a second, a few dB); only if that is not enough is
    the sound turned down too, just enough. Elsewhere everything keeps its level."""
    from coach.speech.level import CEILING_DBTP, peak_envelope

    ceiling = 10 ** ((CEILING_DBTP - 0.1) / 20)
    dip_floor = 10 ** (-SPEECH_DIP_DB / 20)
    speech = [e for e in timeline.events if e.kind == SPEECH and e.key in clips]  # one at a time: never overlapping
    starts, ends = [e.start for e in speech], [e.end for e in speech]
    sound_envelopes: dict[str, npt.NDArray[np.float64]] = {}
    overlaps: list[tuple[int, Event, list[tuple[int, int, int, npt.NDArray[np.float64]]]]] = []
    speech_gain = [1.0] * len(speech)
    for at, event in enumerate(timeline.events):
        first, last = bisect_right(ends, event.start), bisect_left(starts, event.end)
        if event.kind != SOUND or first >= last or event.key not in clips:
            continue
        if event.name not in sound_envelopes:
            sound_envelopes[event.name] = peak_envelope(clips[event.key].astype(np.float64))
        sound = sound_envelopes[event.name]
        parts = []
        for i in range(first, last):
            s = speech[i]
            a, b = max(s.start, event.start), min(s.end, event.end)
            margin = 16  # the interpolator's reach: the envelope of a slice is exact away from its edges
            lo, hi = max(a - margin, s.start), min(b + margin, s.end)
            envelope = peak_envelope(clips[s.key][lo - s.start : hi - s.start].astype(np.float64))[a - lo : b - lo]
            parts.append((i, a - event.start, b - event.start, envelope))
            voiced = envelope > 1e-6
            if voiced.any():  # the line's gain that leaves room for the whole sound
                room = (ceiling - sound[a - event.start : b - event.start][voiced]) / envelope[voiced]
                speech_gain[i] = min(speech_gain[i], max(dip_floor, float(np.min(room))))
        overlaps.append((at, event, parts))
    speech_gain = [math.floor(g * 10_000) / 10_000 for g in speech_gain]
    events = list(timeline.events)
    for at, event, parts in overlaps:
        sound = sound_envelopes[event.name]
        room = np.full(event.length, ceiling)
        for i, a, b, envelope in parts:
            room[a:b] -= speech_gain[i] * envelope
        loud = sound > 1e-6
        gain = float(np.clip(np.min(room[loud] / sound[loud]), 0.0, 1.0)) if loud.any() else 1.0
        if gain < 1.0:
            events[at] = replace(event, gain=math.floor(gain * 10_000) / 10_000)
    index = {id(e): n for n, e in enumerate(timeline.events)}
    for s, g in zip(speech, speech_gain, strict=True):
        if g < 1.0:
            events[index[id(s)]] = replace(s, gain=g)
    return replace(timeline, events=tuple(events))
