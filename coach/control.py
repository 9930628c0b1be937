"""Control of a live session (pure): keys and a clock in, player commands out.

Keys: space pauses (a short spoken "paused") and resumes (a three-second get-ready countdown, then the interrupted
cue again from its beginning, or the interrupted stroke from its accent); r repeats the last cue; n skips to the next
phase and b goes back to the one before; q ends. Media keys arrive as these same keys, and as two intents that
depend on where the session is, applied against the controller's own state in the order they came: play (resume,
only while paused) and pause (only while playing or counting down). Positions are samples of the session; the clock
is seconds, from whatever clock the caller uses.

A stroke counts as done when the session plays past the start of its last step (its press and slide are complete),
once however often it is played; strokes skipped, or not reached, do not count.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from coach.timefmt import length
from coach.timeline import SPEECH, Timeline

COUNTDOWN_S = 3.0


class State(StrEnum):
    """Where the controller is: playing the session, paused, counting down to play again, or ended."""

    PLAYING = "playing"
    PAUSED = "paused"
    COUNTDOWN = "countdown"
    ENDED = "ended"


class Key(StrEnum):
    """What a key asks of the session; each value is the key typed for it (the media keys and any other source of
    commands arrive as these)."""

    PAUSE = " "  # pause, or resume with a countdown
    REPEAT = "r"  # the last words again
    NEXT = "n"  # the next phase (past the last: the end)
    BACK = "b"  # the phase before
    QUIT = "q"  # end the session

    @classmethod
    def typed(cls, text: str) -> list[Key]:
        """The keys in what was typed, in order (either case); any other character is no key."""
        return [cls(char) for char in text.lower() if char in KEYS]


KEYS = frozenset(Key)


class Intent(StrEnum):
    """What a source asks that depends on where the session is (MPRIS's Play and Pause; a spoken "go on" or
    "wait" would be the same)."""

    PLAY = "play"  # resume: space, only while paused
    PAUSE = "pause"  # pause: space, only while playing or counting down (a countdown is the start of playing)


Input = Key | Intent  # what a source of keys gives the controller


@dataclass(frozen=True)
class Play:
    """Play the session from this sample on."""

    at: int


@dataclass(frozen=True)
class Stop:
    """Silence, now."""


@dataclass(frozen=True)
class Prompt:
    """Play a spoken prompt on its own: "paused" or "countdown"."""

    name: str


@dataclass(frozen=True)
class End:
    finished: bool  # True: played to the end; False: stopped early


Command = Play | Stop | Prompt | End


def last_sound(commands: Iterable[Command]) -> list[Command]:
    """What a run of commands comes to for the player: the last that sets what is heard (a Play, a Prompt or a
    Stop), each of which replaces whatever played before. A burst of keys read at once then touches the audio
    output once, not once a key (a stream opened and aborted again each time)."""
    sounding: list[Command] = [command for command in commands if not isinstance(command, End)]
    return sounding[-1:]


@dataclass(frozen=True)
class Where:
    """Where a live session stands, for whoever shows it (the status line, the desktop's media player widget)."""

    state: State
    position: int  # the sample reached, or where a pause will resume
    length: int  # samples in the session
    sample_rate: int
    phase: int  # the phase's index, from 0
    phases: int  # how many phases the session has
    title: str  # the phase's title
    stroke: int  # the stroke reached in this phase, from 1; 0 in a phase without strokes
    strokes: int  # the strokes in this phase

    @property
    def can_go_back(self) -> bool:
        return self.state != State.ENDED and self.phase > 0


class Controller:
    def __init__(self, timeline: Timeline, countdown_s: float = COUNTDOWN_S, done: Iterable[int] = ()) -> None:
        """`done`: the strokes (by index, from 0) already done in an earlier part of the same session."""
        self.countdown_s = countdown_s
        self.state = State.PLAYING
        self.finished = False
        self._from = 0  # sample where the current play began
        self._since = 0.0  # clock when it began
        self._resume = 0  # where a pause will resume
        self._until = 0.0  # end of the countdown
        self._done: set[int] = set()  # strokes (by index) whose last step has been reached
        self._index(timeline)
        self._done = {i for i in done if 0 <= i < len(self._marks)}

    def retime(self, timeline: Timeline) -> None:
        """Go on with the same session laid out again, the same up to a later point (the closing said with the
        strokes actually done): positions, and the strokes, stay where they are."""
        self._index(timeline)

    def _index(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self._speech = [e for e in timeline.events if e.kind == SPEECH]
        self._speech_starts = [e.start for e in self._speech]
        self._accents = [accent for grid in timeline.grids for accent in grid.accents]
        self._marks = [mark.done for mark in timeline.strokes]
        sides = len(timeline.script.side.sides)
        grids = len({mark.grid for mark in timeline.strokes}) or 1
        self._sides = [mark.grid * sides // grids for mark in timeline.strokes]

    # -- what the runner asks -----------------------------------------------------------------------------------

    def start(self, now: float, at: int = 0) -> list[Command]:
        """Play from the session's start, or from `at` (continuing a session stopped earlier)."""
        self._since = now  # nothing has played before the start, whatever the clock reads
        self._from = at
        return self._play(at, now)

    def position(self, now: float) -> int:
        if self.state == State.PLAYING:
            return min(self._from + round((now - self._since) * self.timeline.sample_rate), self.timeline.length)
        return self._resume

    @property
    def strokes_planned(self) -> int:
        return len(self._marks)

    def strokes_done(self, now: float) -> int:
        self._count(now)
        return len(self._done)

    def done(self, now: float) -> tuple[int, ...]:
        """The strokes done so far, by index."""
        self._count(now)
        return tuple(sorted(self._done))

    def done_by_side(self, now: float) -> tuple[int, ...]:
        """Strokes done on each single side worked, in order (right, then left, with both)."""
        self._count(now)
        return self._by_side(self._done)

    @property
    def planned_by_side(self) -> tuple[int, ...]:
        """Strokes in the session on each single side worked (over all its stroke phases)."""
        return self._by_side(set(range(len(self._marks))))

    def expected_by_side(self, now: float) -> tuple[int, ...]:
        """The strokes each side will have done if the session plays on from here to its end."""
        self._count(now)
        at = self.position(now)
        return self._by_side(self._done | {i for i, mark in enumerate(self._marks) if mark >= at})

    def phase_index(self, now: float) -> int:
        """The phase the session is in (or was in when it ended), from 0."""
        starts = [p.start for p in self.timeline.phases]
        return max(0, bisect_right(starts, self.position(now)) - 1)

    def key(self, key: Input, now: float) -> list[Command]:
        if key == Intent.PLAY:
            return self.key(Key.PAUSE, now) if self.state == State.PAUSED else []
        if key == Intent.PAUSE:
            return self.key(Key.PAUSE, now) if self.state in (State.PLAYING, State.COUNTDOWN) else []
        if self.state == State.ENDED:
            return []
        if key == Key.QUIT:
            return self._end(now, finished=False)
        if key == Key.PAUSE:
            if self.state == State.PLAYING:
                return self._pause(self._cue_start(self.position(now)), now)
            if self.state == State.PAUSED:
                self.state, self._until = State.COUNTDOWN, now + self.countdown_s
                return [Prompt("countdown")]
            return self._pause(self._resume, now)  # space again during the countdown: stay paused
        if key == Key.REPEAT and self.state == State.PLAYING:
            return self._play(self._last_cue(self.position(now)), now)
        if key == Key.NEXT:
            following = [p.start for p in self.timeline.phases if p.start > self.position(now)]
            if not following:
                return self._end(now, finished=False)
            if self.state == State.PLAYING:
                return self._play(following[0], now)
            self._resume = following[0]
        if key == Key.BACK:
            return self._back(now)
        return []

    def replace(self, timeline: Timeline) -> int:
        """The same session known further (its speech is still being made). Nothing before the horizon moves. Past
        it, a phase's start is an estimate, which moves as the lines before it are made, and the phase is laid out
        exactly from its start up to its first line not made; so where the session is (playing there after a skip,
        or to resume) moves with its phase. Returns how far, in samples, for the player to move the same way."""
        old = self.timeline
        at = self._from if self.state == State.PLAYING else self._resume
        phase = max(0, bisect_right([p.start for p in old.phases], at) - 1)
        shift = timeline.phases[phase].start - old.phases[phase].start
        self._index(timeline)
        self._from, self._resume = self._from + shift, self._resume + shift
        return shift

    def follow(self, at: int, now: float) -> None:
        """The player says the listener has got to `at`: while playing, the position is that, and moves on from it
        by the clock only until the player next says. So the position is the audio actually heard, whatever the
        output did meanwhile (a hand-over, a late start, an underrun, a wait in silence for speech still being
        made), and a stroke counts as done only once the start of its last step has been heard."""
        if self.state == State.PLAYING:
            self._done.update(i for i, mark in enumerate(self._marks) if self._from <= mark < at)
            self._from, self._since = at, now

    def tick(self, now: float, sounding: bool) -> list[Command]:
        """Called often; `sounding` says whether the player still has sound going."""
        if self.state == State.PLAYING and not sounding:  # the player has played it all: trust it over the clock
            self._done.update(i for i, mark in enumerate(self._marks) if mark >= self._from)
            self._resume, self.state, self.finished = self.timeline.length, State.ENDED, True
            return [End(True)]
        if self.state == State.COUNTDOWN and now >= self._until:
            return self._play(self._resume, now)
        return []

    def where(self, now: float) -> Where:
        at = self.position(now)
        phases = self.timeline.phases
        index = max(0, bisect_right([p.start for p in phases], at) - 1)
        phase = phases[index]
        accents = [a for a in self._accents if phase.start <= a < phase.end]
        stroke = max(1, bisect_right(accents, at)) if accents else 0
        timeline = self.timeline
        return Where(
            self.state, at, timeline.length, timeline.sample_rate, index, len(phases), phase.title, stroke, len(accents)
        )

    def status(self, now: float) -> str:
        """One quiet line: routine, side, phase, stroke n of N, elapsed / remaining."""
        s = self.timeline.script
        where = self.where(now)
        parts = [s.title, s.side.words, where.title]
        if where.strokes:
            parts.append(f"stroke {where.stroke} of {where.strokes}")
        seconds = self.timeline.seconds
        parts.append(f"{length(seconds(where.position))} / -{length(seconds(where.length - where.position))}")
        if self.state in (State.PAUSED, State.COUNTDOWN):
            parts.append("paused, space resumes" if self.state == State.PAUSED else "get ready")
        return " | ".join(parts)

    # -- transitions ------------------------------------------------------------------------------------------------

    def _play(self, at: int, now: float) -> list[Command]:
        self._count(now)
        self.state, self._from, self._since = State.PLAYING, at, now
        return [Play(at)]

    def _back(self, now: float) -> list[Command]:
        """To the start of the phase before the current one (nothing in the first phase)."""
        where = self.where(now)
        if not where.can_go_back:
            return []
        start = self.timeline.phases[where.phase - 1].start
        if self.state == State.PLAYING:
            return self._play(start, now)
        self._resume = start
        return []

    def _pause(self, resume: int, now: float) -> list[Command]:
        self._count(now)
        self.state, self._resume = State.PAUSED, resume
        return [Stop(), Prompt("paused")]

    def _end(self, now: float, finished: bool) -> list[Command]:
        self._count(now)
        self._resume = self.position(now)  # where it ended
        self.state, self.finished = State.ENDED, finished
        return [Stop(), End(finished)]

    def _count(self, now: float) -> None:
        """Note the strokes whose last step was reached since the current play began."""
        if self.state == State.PLAYING:
            at = self.position(now)
            self._done.update(i for i, mark in enumerate(self._marks) if self._from <= mark < at)

    def _by_side(self, strokes: set[int]) -> tuple[int, ...]:
        counts = [0] * len(self.timeline.script.side.sides)
        for i in strokes:
            counts[self._sides[i]] += 1
        return tuple(counts)

    def _cue_start(self, at: int) -> int:
        """Where a pause at `at` resumes: inside a stroke, the stroke again from its accent (its first step's word
        said again); elsewhere the start of the words being said, or `at` itself between words."""
        for grid in self.timeline.grids:
            index = bisect_right(grid.accents, at) - 1
            if index >= 0 and at < grid.accents[index] + grid.stroke:
                return grid.accents[index]
        index = bisect_right(self._speech_starts, at) - 1
        if index >= 0 and self._speech[index].end > at:
            return self._speech[index].start
        return at

    def _last_cue(self, at: int) -> int:
        """The start of the latest words that began at or before `at` (the session's start if none)."""
        index = bisect_right(self._speech_starts, at) - 1
        return self._speech[index].start if index >= 0 else 0


def resume_point(timeline: Timeline, phase: int, done: Iterable[int]) -> int:
    """Where a session stopped in `phase` goes on: at the first stroke of that phase not yet done, from its count
    (the strokes before it were done), or at the start of the phase."""
    span = timeline.phases[min(max(phase, 0), len(timeline.phases) - 1)]
    accents = [accent for grid in timeline.grids for accent in grid.accents]
    done = set(done)
    inside = [i for i, accent in enumerate(accents) if span.start <= accent < span.end]
    if not inside or not done & set(inside):
        return span.start
    following = [i for i in inside if i not in done]
    if not following:
        return span.start
    accent = accents[following[0]]
    before = accents[following[0] - 1] if following[0] > 0 else span.start
    counts = [e.start for e in timeline.events if e.kind == SPEECH and before < e.start and e.end <= accent]
    return counts[-1] if counts else accent
