"""The streaming player (coach.output.stream) with a fake stream: what reaches the DAC and when, exact samples,
position from the stream's own timing, stopping and starting anywhere, waiting at a horizon."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import test_playback
from conftest import fake_speaker

from coach.defaults import DEFAULT_VOICE
from coach.errors import AudioOutputError
from coach.kinds import Side
from coach.live import Hooks, LiveSpeech, run_live
from coach.mixer import render_all
from coach.output.stream import StreamPlayer
from coach.script import Options, build_script
from coach.timeline import SPEECH, build_timeline

RATE = 22050
BLOCK = 441  # frames a callback fills: 20 ms
LATENCY = 0.5  # from a callback to its buffer reaching the DAC
session = test_playback.session  # the fixture: psoas, right side, 6 strokes, noise for speech


class FakeStream:
    """A stream on a fake clock: every 20 ms of it the callback fills a buffer, which reaches the DAC half a second
    later; `heard` keeps (DAC time, samples) of every buffer, as a listener gets them."""

    def __init__(self, clock, fill, heard) -> None:
        self.clock, self.fill, self.heard = clock, fill, heard
        self.begun = clock.now
        self.calls = 0
        self.active = True
        self.aborted = False
        clock.streams.append(self)

    @property
    def time(self) -> float:
        return self.clock.now

    def run(self) -> None:
        while not self.aborted and self.begun + self.calls * BLOCK / RATE <= self.clock.now:
            dac = self.begun + self.calls * BLOCK / RATE + LATENCY
            buffer = np.full(BLOCK, 12345, dtype=np.int16)  # stale data: the fill must overwrite all of it
            self.fill(buffer, dac)
            self.heard.append((dac, buffer))
            self.calls += 1

    def abort(self) -> None:
        self.aborted = True


class Clock:
    def __init__(self) -> None:
        self.now = 8_000_000.0
        self.streams: list[FakeStream] = []

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        for stream in self.streams:
            stream.run()


class FakeStreamer:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.opened: list[FakeStream] = []
        self.heard: list[tuple[float, np.ndarray]] = []

    def open(self, sample_rate, fill):
        assert sample_rate == RATE
        self.opened.append(FakeStream(self.clock, fill, self.heard))
        self.opened[-1].run()
        return self.opened[-1]

    def audible(self, until: float) -> np.ndarray:
        """What reached the DAC before `until` (a stream aborted at once: nothing after)."""
        return np.concatenate([b for dac, b in self.heard if dac < until] or [np.zeros(0, np.int16)])


def play_to_end(player: StreamPlayer, clock: Clock, step: float = 0.01) -> None:
    while player.poll():
        clock.sleep(step)


def play_for(player: StreamPlayer, clock: Clock, seconds: float, step: float = 0.01) -> None:
    """The live loop's turns: poll, then sleep, for `seconds`."""
    for _ in range(round(seconds / step)):
        player.poll()
        clock.sleep(step)


def test_a_whole_session_reaches_the_dac_exactly_after_the_lead_in(session):
    timeline, clips = session
    clock = Clock()
    streamer = FakeStreamer(clock)
    player = StreamPlayer(streamer)
    player.start(timeline, lambda a, b: render_all(timeline, clips, a, b))
    begun = clock.now
    play_to_end(player, clock)
    heard = streamer.audible(clock.now)
    lead = round(0.02 * RATE)
    assert np.all(heard[:lead] == 0)
    assert np.array_equal(heard[lead : lead + timeline.length], render_all(timeline, clips))
    assert np.all(heard[lead + timeline.length :] == 0)
    assert player.position == timeline.length and player.underruns == 0
    assert len(streamer.opened) == 1 and streamer.opened[0].aborted  # closed once the last sample was heard
    # it ended when the last sample reached the DAC, not when it was handed out
    assert (
        begun + LATENCY + (lead + timeline.length) / RATE
        <= clock.now
        < begun + LATENCY + (lead + timeline.length) / RATE + 0.011
    )


def test_the_position_is_where_the_dac_is(session):
    timeline, clips = session
    clock = Clock()
    player = StreamPlayer(FakeStreamer(clock))
    player.start(timeline, lambda a, b: render_all(timeline, clips, a, b), start=1_000_000)
    begun = clock.now
    assert player.position == 1_000_000
    play_for(player, clock, LATENCY + 0.02)  # the first buffer has just reached the DAC, and its lead-in with it
    assert player.position == 1_000_000
    for seconds in (0.25, 1.0, 7.5):
        play_for(player, clock, seconds)
        expected = 1_000_000 + round((clock.now - begun - LATENCY - 0.02) * RATE)
        assert abs(player.position - expected) <= 1


def test_stop_is_at_once_and_a_new_start_plays_from_anywhere(session):
    timeline, clips = session
    clock = Clock()
    streamer = FakeStreamer(clock)
    player = StreamPlayer(streamer)
    render = lambda a, b: render_all(timeline, clips, a, b)  # noqa: E731
    player.start(timeline, render)
    play_for(player, clock, 3.0)
    where = player.position
    player.stop()
    stopped = clock.now
    assert player.position == where and streamer.opened[0].aborted
    assert not player.poll()
    first = streamer.audible(stopped)
    lead = round(0.02 * RATE)
    assert np.array_equal(first[lead:], render(0, where))  # heard up to where it stopped, exactly
    heard_before = len(streamer.heard)
    player.start(timeline, render, 2_000_000)
    play_for(player, clock, 2.0)
    assert len(streamer.opened) == 2
    second = np.concatenate([b for _, b in streamer.heard[heard_before:]])
    assert np.array_equal(second[lead : lead + 30000], render(2_000_000, 2_030_000))


def test_a_clip_plays_on_its_own(session):
    clock = Clock()
    streamer = FakeStreamer(clock)
    player = StreamPlayer(streamer)
    clip = np.arange(1, 10_001, dtype=np.int16)
    player.start_clip(clip, RATE)
    play_to_end(player, clock)
    heard = streamer.audible(clock.now)
    assert np.array_equal(heard[round(0.02 * RATE) :][: len(clip)], clip)
    assert not player.waiting


def test_a_stream_that_stops_by_itself_is_one_sentence(session):
    timeline, clips = session
    clock = Clock()
    streamer = FakeStreamer(clock)
    player = StreamPlayer(streamer)
    player.start(timeline, lambda a, b: render_all(timeline, clips, a, b))
    clock.sleep(1.0)
    streamer.opened[0].active = False
    with pytest.raises(AudioOutputError, match=r"^The audio output stopped during the session\.$"):
        player.poll()


def test_a_starved_stream_plays_silence_and_the_position_waits_with_it(session):
    """The live loop held up for two seconds (a busy machine) with only half a second rendered ahead: the stream
    plays silence once that is used up, counts the underruns, and the position stays where the audio stopped, so
    the controller never runs ahead of what was heard. Then the session goes on exactly from there."""
    timeline, _ = session

    def render(a: int, b: int) -> np.ndarray:  # never silent, so the silence heard is the stream's own
        return (np.arange(a, b) % 30_000 + 1).astype(np.int16)

    clock = Clock()
    streamer = FakeStreamer(clock)
    player = StreamPlayer(streamer, ahead_s=0.5, chunk_s=0.5)
    player.start(timeline, render, start=100_000)
    begun = clock.now
    lead, half = round(0.02 * RATE), round(0.5 * RATE)
    clock.sleep(0.8)  # no poll: nothing more rendered
    assert player.position == 100_000 + round((clock.now - begun - LATENCY - 0.02) * RATE)  # still sounding
    clock.sleep(1.2)
    assert player.underruns > 0
    assert player.position == 100_000 + half  # all that was rendered has been heard: it holds there
    play_for(player, clock, 3.0)
    heard = streamer.audible(clock.now)
    assert np.array_equal(heard[lead : lead + half], render(100_000, 100_000 + half))
    silent = np.flatnonzero(heard[lead + half :])[0]
    assert silent > 1.4 * RATE  # the silence the starved stream played
    played_on = heard[lead + half + silent :]
    assert np.array_equal(played_on, render(100_000 + half, 100_000 + half + len(played_on)))
    # and the position is the sample at the DAC now: the first of the last buffer to reach it, and the time since
    last_dac = max(dac for dac, _ in streamer.heard if dac < clock.now)
    expected = 100_000 + half + len(played_on) - BLOCK + round((clock.now - last_dac) * RATE)
    assert abs(player.position - expected) <= 1


def test_at_the_horizon_it_waits_in_silence_and_plays_on_seamlessly_when_extended(session):
    """Speech still being made: the timeline is exact only up to its horizon. The stream plays up to there, then
    silence, while `waiting` is true and the position stays at the horizon; `extend` with the timeline known
    further, and the same stream goes on from exactly there."""
    timeline, clips = session
    horizon = next(e.start for e in timeline.events if e.kind == SPEECH and e.start > 5 * RATE)
    render = lambda a, b: render_all(timeline, clips, a, b)  # noqa: E731
    clock = Clock()
    streamer = FakeStreamer(clock)
    player = StreamPlayer(streamer)
    player.start(replace(timeline, horizon=horizon), render)
    play_for(player, clock, horizon / RATE + LATENCY + 0.02 - 0.05)
    assert (player.waiting, player.position < horizon) == (False, True)
    play_for(player, clock, 0.1)
    assert (player.waiting, player.position) == (True, horizon)
    play_for(player, clock, 3.0)  # three seconds of waiting: the stream runs on, silent
    assert (player.waiting, player.position, player.poll()) == (True, horizon, True)
    waited = clock.now
    player.extend(timeline, render)
    assert not player.waiting
    play_to_end(player, clock)
    assert len(streamer.opened) == 1 and player.underruns == 0  # one stream throughout; a wait is no underrun
    heard = streamer.audible(clock.now)[round(0.02 * RATE) :]
    assert np.array_equal(heard[:horizon], render(0, horizon))
    silence = np.flatnonzero(heard[horizon:])[0] - (np.flatnonzero(render(horizon, horizon + RATE))[0])
    assert 3.0 * RATE <= silence <= 3.2 * RATE + LATENCY * RATE
    assert np.array_equal(heard[horizon + silence :][: timeline.length - horizon], render(horizon, timeline.length))
    assert player.position == timeline.length and clock.now > waited + (timeline.length - horizon) / RATE


def test_a_live_session_through_the_stream_waits_for_slow_speech_only_at_a_cue_or_a_grid(tmp_path, mini):
    """The live loop with the stream, nothing cached and an engine slower than playback: the session starts at once,
    plays what is known, and waits in silence (one stream throughout) where the next line or metronome grid starts,
    until it is made. What was heard, silences aside, is the whole session sample for sample; every stroke counts."""
    script = build_script(mini, Options(Side.RIGHT))
    speech = LiveSpeech(script, fake_speaker(test_playback.SlowEngine(), tmp_path, DEFAULT_VOICE))
    clock = Clock()
    streamer = FakeStreamer(clock)
    outcome = run_live(speech.session(), speech.prompts(), StreamPlayer(streamer), [], lambda: clock.now, clock.sleep,
                       Hooks(more=speech.more))  # fmt: skip
    speech.close()
    assert (outcome.finished, outcome.strokes_done, outcome.strokes_planned) == (True, 2, 2)
    final = speech.session()
    assert final.timeline.horizon is None and len(streamer.opened) == 1
    session = render_all(final.timeline, final.clips)
    heard = streamer.audible(clock.now)
    # the sounding samples, in order, are the session's; the offset between them grows only where it waited
    h, s = np.flatnonzero(heard), np.flatnonzero(session)
    assert len(h) == len(s) and np.array_equal(heard[h], session[s])
    offset = h - s
    grew = np.flatnonzero(np.diff(offset)) + 1
    assert offset[0] == round(0.02 * RATE) and len(grew) > 0, "the slow engine should have kept the stream waiting"
    waits = set(s[grew].tolist())  # the first sound after each wait
    speech_starts = [e.start for e in final.timeline.events if e.kind == SPEECH]
    lengths = {key: len(clip) for key, clip in final.clips.items()}
    grid_start = build_timeline(script, lengths, RATE, script.beat_texts()).horizon
    allowed = {at + int(np.flatnonzero(session[at:])[0]) for at in [*speech_starts, grid_start]}
    assert waits <= allowed, (sorted(waits), sorted(allowed))


def test_once_stopped_it_neither_waits_nor_takes_a_longer_timeline(session):
    """Paused at the horizon, then the rest of the session known: nothing is rendered or played until a new start."""
    timeline, clips = session
    rendered = []

    def render(a: int, b: int) -> np.ndarray:
        rendered.append((a, b))
        return render_all(timeline, clips, a, b)

    clock = Clock()
    player = StreamPlayer(FakeStreamer(clock))
    player.start(replace(timeline, horizon=3 * RATE), render)
    play_for(player, clock, 4.0)
    assert (player.waiting, player.position) == (True, 3 * RATE)
    player.stop()
    before = list(rendered)
    player.extend(timeline, render)
    assert (player.waiting, player.position, rendered, player.poll()) == (False, 3 * RATE, before, False)


class PacedStreamClock(test_playback.PacedClock):
    """The paced clock of test_playback (speech takes time on it), as the fake streams read it (`now`), running
    every stream as it moves."""

    def __init__(self) -> None:
        super().__init__()
        self.streams: list[FakeStream] = []

    @property
    def now(self) -> float:
        return self.seconds

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds)
        for stream in self.streams:
            stream.run()


class StreamsApart(FakeStreamer):
    """Fake streams, keeping each one's buffers (DAC time, samples) apart."""

    def __init__(self, clock) -> None:
        super().__init__(clock)
        self.buffers: list[list[tuple[float, np.ndarray]]] = []

    def open(self, sample_rate, fill):
        self.buffers.append([])
        self.opened.append(FakeStream(self.clock, fill, self.buffers[-1]))
        self.opened[-1].run()
        return self.opened[-1]


def test_a_skip_in_a_first_session_plays_the_next_phase_through_the_stream_at_once(tmp_path, psoas):
    """test_playback's first session, through the stream: n opens a stream whose first buffer, filled on the turn
    the key was read, holds the next phase's first line after the stream's 20 ms of lead-in (at the DAC the
    output's latency later); it plays on, unbroken, as the lines skipped are made and the phase's place moves."""
    from coach.audio import to_pcm
    from coach.live import Keyboard
    from coach.script import Say

    script = build_script(psoas, Options(Side.RIGHT))
    clock = PacedStreamClock()
    engine = test_playback.PacedEngine(clock)
    speech = LiveSpeech(script, fake_speaker(engine, tmp_path, DEFAULT_VOICE))
    streamer = StreamsApart(clock)
    keys = test_playback.KeysAt(clock, {6.0: "n", 20.0: "q"})
    try:
        run_live(speech.session(), speech.prompts(), StreamPlayer(streamer), [Keyboard(keys)], clock.monotonic,
                 clock.sleep, Hooks(more=speech.more))  # fmt: skip
    finally:
        clock.release()
        speech.close()
    placing = next(c.text for c in script.phases[1].cues if isinstance(c, Say))
    assert len(streamer.opened) == 2  # the session, then the skip: never a stream waiting for speech
    dac = streamer.buffers[1][0][0]  # when the first buffer of the skip reaches the DAC
    assert round(dac - clock.start - LATENCY, 2) == round(keys.read_at["n"], 2) == 6.01
    opening = to_pcm(speech.speech[placing])
    heard = np.concatenate([buffer for _, buffer in streamer.buffers[1]])
    lead = round(0.02 * RATE)
    assert np.array_equal(heard[lead : lead + len(opening)], opening)
    now = speech.session()
    start = now.timeline.phases[1].start
    session = render_all(now.timeline, now.clips, start, start + len(heard))
    h, s = np.flatnonzero(heard), np.flatnonzero(session)
    assert np.array_equal(heard[h], session[s[: len(h)]])  # the sounding samples, in order: the session's
