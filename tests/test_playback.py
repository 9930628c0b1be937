"""Live playback logic with a fake audio output: segments, exact samples, stopping and starting anywhere."""

from __future__ import annotations

import itertools
import threading
import time

import conftest
import numpy as np
import pytest
from conftest import ClockedOutput, FakeEngine, fake_speaker

from coach.audio import to_pcm
from coach.defaults import DEFAULT_VOICE
from coach.kinds import Side
from coach.live import PROMPT_TEXTS, Hooks, Keyboard, LiveSpeech, run_live
from coach.mixer import render_all
from coach.output.playback import Player, segments
from coach.script import ACCENT, CHIME, FALL, LEAD_IN, RISE, TICK, Options, Say, build_script
from coach.session import load_sounds
from coach.timeline import SOUND, SPEECH, build_timeline


@pytest.fixture
def session(psoas):
    script = build_script(psoas, Options(side=Side.RIGHT, strokes=6))
    rng = np.random.default_rng(1)
    clips = {(SPEECH, t): rng.uniform(-0.5, 0.5, 60 * len(t)).astype(np.float32) for t in script.texts()}
    clips.update({(SOUND, name): clip for name, clip in load_sounds().items()})
    timeline = build_timeline(script, {k: len(v) for k, v in clips.items()}, 22050)
    return timeline, clips


class FakeHandle:
    def __init__(self, output, polls):
        self.output, self.polls, self.stopped = output, polls, False

    def is_playing(self):
        self.polls -= 1
        if self.polls == 0 and self.output.interrupt_at == len(self.output.played):
            raise KeyboardInterrupt
        return self.polls > 0 and not self.stopped

    def stop(self):
        self.stopped = True


class FakeOutput:
    def __init__(self, interrupt_at: int | None = None) -> None:
        self.played: list[np.ndarray] = []
        self.handles: list[FakeHandle] = []
        self.interrupt_at = interrupt_at

    def play(self, pcm, sample_rate):
        assert sample_rate == 22050
        self.played.append(pcm)
        self.handles.append(FakeHandle(self, polls=3))
        return self.handles[-1]


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += 0.5  # each poll, half a second of sound goes by


def test_segments_cover_the_range_and_cut_only_where_nothing_sounds_and_no_grid_plays(session):
    timeline, _ = session
    parts = segments(timeline, 0, timeline.length)
    assert parts[0][0] == 0 and parts[-1][1] == timeline.length
    assert all(a[1] == b[0] for a, b in itertools.pairwise(parts))
    assert parts[0][1] <= 4 * 22050
    beats = [e for e in timeline.events if e.name in (TICK, ACCENT)]
    grid = (beats[0].start, beats[-1].end)  # the strokes: 6 of them, 59 s, longer than a segment
    assert grid[1] - grid[0] > 30 * 22050
    for a, b in parts:  # a segment is longer than 30 s only to hold the grid whole
        assert b - a <= 30 * 22050 or a < grid[0] < grid[1] <= b, (a, b)
    for _, cut in parts[:-1]:
        assert not any(e.start < cut < e.end for e in timeline.events), cut
        assert not grid[0] < cut < grid[1], cut
        # 20 ms of quiet before the next sound, where there is that much: a new buffer's first milliseconds are lost
        following = min(e.start for e in timeline.events if e.start >= cut)
        before = max((e.end for e in timeline.events if e.start < cut), default=0)
        assert following - cut == min(441, following - before), cut


def test_a_segment_from_inside_a_grid_holds_the_rest_of_it(session):
    """Resumed during the strokes (after a pause): the first segment runs to the grid's end, not 4 s."""
    timeline, _ = session
    beats = [e for e in timeline.events if e.name in (TICK, ACCENT)]
    inside = beats[10].start
    parts = segments(timeline, inside, timeline.length)
    assert parts[0][0] == inside and beats[-1].end <= parts[0][1] <= beats[-1].end + 3 * 22050


def test_player_hands_over_exactly_the_sessions_samples(session):
    timeline, clips = session
    output, clock = FakeOutput(), FakeClock()
    player = Player(output, clock=clock, sleep=clock.sleep)
    player.play(timeline, lambda a, b: render_all(timeline, clips, a, b))
    assert np.array_equal(np.concatenate(output.played), render_all(timeline, clips))
    assert player.position == timeline.length


def test_playback_starts_again_from_any_sample(session):
    timeline, clips = session
    output, clock = FakeOutput(), FakeClock()
    start = 1_234_567
    Player(output, clock=clock, sleep=clock.sleep).play(
        timeline, lambda a, b: render_all(timeline, clips, a, b), start=start
    )
    assert np.array_equal(np.concatenate(output.played), render_all(timeline, clips, start))


def test_ctrl_c_stops_the_sound_at_once_and_tells_the_position(session):
    timeline, clips = session
    output, clock = FakeOutput(interrupt_at=3), FakeClock()
    player = Player(output, clock=clock, sleep=clock.sleep)
    with pytest.raises(KeyboardInterrupt):
        player.play(timeline, lambda a, b: render_all(timeline, clips, a, b))
    parts = segments(timeline, 0, timeline.length)
    assert len(output.played) == 3
    assert output.handles[-1].stopped
    # the third segment was handed over, then three half-second sleeps went by before Ctrl-C: 1.5 s was heard
    assert player.position == parts[2][0] + 33075


def test_sounds_are_the_shipped_ones(session):
    sounds = load_sounds()
    assert sorted(sounds) == sorted([TICK, ACCENT, RISE, FALL, CHIME, LEAD_IN])
    assert [len(sounds[n]) for n in (TICK, ACCENT, RISE, FALL, CHIME, LEAD_IN)] == [
        2646,
        4851,
        9922,
        12127,
        44100,
        44100,
    ]


class SlowEngine(FakeEngine):
    """The fake engine, taking real time for each line: the player outruns it."""

    def synthesize(self, text, voice, pace):
        time.sleep(0.02)
        return super().synthesize(text, voice, pace)


def test_a_session_waits_for_slow_speech_at_a_cue_boundary_and_never_cuts_a_word(tmp_path, mini):
    """Nothing cached and an engine slower than playback: the session starts at once (the lead-in needs no
    speech), plays what is known, and waits in silence where the next line starts (or a metronome grid starts)
    until it is made. Put together, what was played is the whole session, sample for sample."""
    script = build_script(mini, Options(side=Side.RIGHT))
    speech = LiveSpeech(script, fake_speaker(SlowEngine(), tmp_path, DEFAULT_VOICE))
    clock = conftest.FakeClock()
    output = ClockedOutput(clock)
    first = speech.session().timeline
    assert first.horizon == 44100  # the lead-in can play before any line is made
    player = Player(output, clock.monotonic, clock.sleep)
    outcome = run_live(speech.session(), speech.prompts(), player, [], clock.monotonic, clock.sleep,
                       Hooks(more=speech.more))  # fmt: skip
    speech.close()
    assert (outcome.finished, outcome.strokes_done, outcome.strokes_planned) == (True, 2, 2)
    final = speech.session()
    assert final.timeline.horizon is None
    played = np.concatenate([pcm for _, pcm in output.handed])
    assert np.array_equal(played, render_all(final.timeline, final.clips))
    # where the sound stopped for longer than the loop's step, and what may be there: a line's or the grid's start
    waits, at = [], 0
    for (begun, pcm), (next_begun, _) in itertools.pairwise(output.handed):
        at += len(pcm)
        if next_begun > begun + len(pcm) / 22050 + 0.02:
            waits.append(at)
    assert waits, "the slow engine should have kept the player waiting"
    speech_events = [e for e in final.timeline.events if e.kind == SPEECH]
    lengths = {key: len(clip) for key, clip in final.clips.items()}
    grid_start = build_timeline(script, lengths, 22050, script.beat_texts()).horizon
    allowed = {e.start for e in speech_events} | {grid_start}
    assert set(waits) <= allowed, (waits, sorted(allowed))
    assert not any(e.start < w < e.end for e in speech_events for w in waits)


# -- a first session: the next phase opens early -----------------------------------------------------------------

LOAD_S = 1.0  # loading a neural voice, on a loaded machine
MAKE_S_PER_CHAR = 0.015  # Piper with one thread on a loaded machine: a 150-character line in 2.25 s


class PacedClock(conftest.FakeClock):
    """The fake clock, with speech that takes time on it (`PacedEngine`): it does not pass the moment a line is done
    until that line is handed over (the speech thread has begun its next line, or ended), so when each line reaches
    the session depends on this clock alone, never on how fast the machine runs."""

    def __init__(self):
        super().__init__()
        self.turn = threading.Condition()
        self.due = None  # when the line being made is done
        self.released = False  # the session is over: the engine finishes at once

    def sleep(self, seconds):
        with self.turn:
            self.settle()  # a line begins when the one before is done, not a turn of the loop later
            self.seconds += seconds
            self.turn.notify_all()
            self.settle()

    def settle(self):
        """Wait while the speech thread has no line under way that ends later (it is between two lines)."""
        guard = time.monotonic() + 60  # against a hang only: a passing run never waits for it
        while self.speaking() and (self.due is None or self.due <= self.seconds):
            assert time.monotonic() < guard, "the speech thread did not go on"
            self.turn.wait(0.05)

    @staticmethod
    def speaking():
        return any(thread.name == "coach-speech" for thread in threading.enumerate())

    def release(self):
        with self.turn:
            self.released = True
            self.turn.notify_all()


class PacedEngine(conftest.CalmEngine):
    """The calm fake voice, as slow to make as Piper on a loaded machine, by the paced clock; `made` keeps each
    line with when it was begun and done (seconds from the clock's start)."""

    def __init__(self, clock):
        super().__init__()
        self.clock = clock
        self.made = []

    def synthesize(self, text, voice, pace):
        clock = self.clock
        with clock.turn:
            began = clock.seconds
            clock.due = began + (0 if self.made else LOAD_S) + MAKE_S_PER_CHAR * len(text)
            clock.turn.notify_all()
            while clock.seconds < clock.due and not clock.released:
                clock.turn.wait()
            if clock.seconds >= clock.due:  # made in its time (not cut short as the session ended)
                self.made.append((text, round(began - clock.start, 2), round(clock.seconds - clock.start, 2)))
        return super().synthesize(text, voice, pace)


class KeysAt:
    """Keys typed at set moments (seconds from the clock's start); `read_at` keeps when each was read."""

    def __init__(self, clock, keys):
        self.clock, self.keys, self.read_at = clock, sorted(keys.items()), {}

    def read(self):
        typed = ""
        while self.keys and self.clock.start + self.keys[0][0] <= self.clock.monotonic():
            key = self.keys.pop(0)[1]
            self.read_at[key] = self.clock.monotonic() - self.clock.start
            typed += key
        return typed


def test_a_skip_in_a_first_session_is_heard_at_once(tmp_path, psoas):
    """Nothing cached and a voice slower than a loaded machine's Piper: n during the first line of settling in
    plays the next phase's first line at once, because it was made second, right after the first (it once came
    after the prompts and every line of settling in: 1.4 to 2.1 s late with Piper). Then that phase's own lines are
    made first."""
    script = build_script(psoas, Options(side=Side.RIGHT))
    clock = PacedClock()
    engine = PacedEngine(clock)
    speech = LiveSpeech(script, fake_speaker(engine, tmp_path, DEFAULT_VOICE))
    output = ClockedOutput(clock)
    keys = KeysAt(clock, {4.0: "n", 20.0: "q"})
    try:
        run_live(speech.session(), speech.prompts(), Player(output, clock.monotonic, clock.sleep), [Keyboard(keys)],
                 clock.monotonic, clock.sleep, Hooks(more=speech.more))  # fmt: skip
    finally:
        clock.release()
        speech.close()
    settling, placing, strokes = ([c.text for c in p.cues if isinstance(c, Say)] for p in script.phases[:3])
    assert [p.title for p in script.phases[:3]] == ["Settling in", "Position and spot, right side",
                                                   "Strokes, right side"]  # fmt: skip
    # the first line; the next phase's first line; the prompts; on through settling in, until the skip: then the
    # strokes phase's first line and the rest of the phase skipped to, before the rest of settling in
    assert len(placing) == 2
    assert [text for text, _, _ in engine.made][:9] == [
        settling[0], placing[0], *PROMPT_TEXTS, settling[1], strokes[0], placing[1]
    ]  # fmt: skip
    assert engine.made[:2] == [(settling[0], 0.0, 1.53), (placing[0], 1.53, 2.42)]
    assert round(keys.read_at["n"], 2) == 4.01  # during the first line, which sounds from 2.01 s to 5.91 s
    handed = [(round(at - clock.start, 2), len(pcm)) for at, pcm in output.handed]
    assert handed[:3] == [(0.0, 44100), (2.01, 85995), (4.01, 238140)]  # the lead-in, the first line, the skip
    opening = to_pcm(speech.speech[placing[0]])
    assert np.array_equal(output.handed[2][1][: len(opening)], opening)  # the next phase's first line, at once
    # and on from there, unbroken, while the lines skipped were made and its place in the session moved: what was
    # handed over from the skip on is the session as it is now laid out, from that phase's start
    now = speech.session()
    heard = np.concatenate([pcm for _, pcm in output.handed[2:]])
    start = now.timeline.phases[1].start
    assert np.array_equal(heard, render_all(now.timeline, now.clips, start, start + len(heard)))


def test_the_words_that_open_each_phase_are_made_a_phase_early_and_again_from_where_the_session_is(mini):
    from coach.live import speaking_order

    script = build_script(mini, Options(side=Side.BOTH))
    assert [p.title for p in script.phases] == [
        "Start", "Place, right", "Work, right", "Switch", "Place, left", "Work, left", "End"
    ]  # fmt: skip
    grid = [
        "Stroke 1.",
        "Press in.",
        "Slide away.",
        "Last, 2.",
    ]  # a grid's words open its phase together: it plays whole
    assert speaking_order(script) == (
        ["Hello, right side, then the left.", "Knees to your left, for your right."],  # the first two phases open
        ["Go.", "Now your left.", *grid, "Knees to your right, for your left.", "Did 2 a side.", "Done."],
    )  # each phase's rest comes after the opening of the phase after it
    assert speaking_order(script, 2) == (
        ["Go.", "Now your left."],
        [*grid, "Knees to your right, for your left.", "Did 2 a side.", "Done.", "Hello, right side, then the left.",
         "Knees to your left, for your right."],
    )  # fmt: skip  # from a skip to the third phase: the phases before it last
