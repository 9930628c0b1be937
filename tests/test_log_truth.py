"""The log tells the truth: through the real live loop (controller, player, program log) on a fake clock that
starts where a monotonic clock does, with keys pressed at set moments: strokes are counted as their slide is
reached, a session stopped early is kept with the strokes it had and counts toward the day only with the routine's
fewest advised strokes, the closing says the strokes done, the tenderness is asked aloud and answered with one key,
and a session stopped with q can be continued the same day."""

from __future__ import annotations

import errno
import itertools
import os
import sqlite3
from contextlib import closing, contextmanager, nullcontext
from dataclasses import replace
from datetime import datetime

import pytest
from conftest import MINI, FakeClock, FakeEngine, FakeEngines, deps, run_cli

from coach.cli.deps import buffers
from coach.defaults import DEFAULT_PACE, DEFAULT_VOICE
from coach.kinds import Shape, Side
from coach.live import NUMBER_TEXTS, question_text
from coach.program import Standing
from coach.routine import parse_routine
from coach.script import ACCENT, Options
from coach.session import prepare
from coach.speech.cache import Speaker, SpeechCache

# the mini routine with a program, and 2 to 3 strokes advised: a session with fewer than 2 on a side does not count
ROUTINE = MINI.replace("range = [1, 3]", "range = [2, 3]") + (
    '\n[program]\nsessions_per_day = 2\ndays = 3\nuntil = "it is fine"\nreminder = "Be gentle."\n'
)
FIRST = "This is your first session: day 1 of 3."
RATE = 22050
RUNS = itertools.count()


@pytest.fixture
def home(tmp_path):
    folder = tmp_path / "config" / "routines"
    folder.mkdir(parents=True)
    (folder / "mini.toml").write_text(ROUTINE)
    return tmp_path


class ClockedOutput:
    """An audio output whose buffers play for their length by the fake clock."""

    def __init__(self, clock):
        self.clock = clock
        self.played = []  # the length of each buffer handed over

    def play(self, pcm, rate):
        self.played.append(len(pcm))
        clock, ends = self.clock, self.clock.monotonic() + len(pcm) / rate

        class Handle:
            def is_playing(self):
                return clock.monotonic() < ends

            def stop(self):
                pass

        return Handle()


class KeysAt:
    """Keys pressed at set moments (seconds after the clock's start); "^C" is Ctrl-C."""

    def __init__(self, clock, keys):
        self.clock, self.keys = clock, sorted(keys.items())

    def read(self):
        pressed = ""
        while self.keys and self.keys[0][0] + self.clock.start <= self.clock.monotonic():
            key = self.keys.pop(0)[1]
            if key == "^C":
                raise KeyboardInterrupt
            pressed += key
        return pressed


STANDINGS = [
    FIRST,
    *(
        Standing(side=side, sessions=(n,) * len(side.sides), per_day=2, day=1, days=3, until="it is fine").text(True)
        for side in Side
        for n in range(1, 5)
    ),
    "This is session 1 of 2 today on your right side, on day 2 of 3.",
    None,
]


def warm(cache):
    """Every line a mini session can say but its closing, in the cache: a live session then never waits for speech
    made in the background, so keys pressed at set moments of the clock land at set moments of the session."""
    from coach.live import PROMPT_TEXTS
    from coach.script import build_script

    speaker = Speaker(FakeEngines(FakeEngine()), DEFAULT_VOICE, DEFAULT_PACE, SpeechCache(cache))
    routine = parse_routine(ROUTINE, "mini.toml", "mini")
    for side in Side:
        for shape in Shape:
            for standing in STANDINGS:
                script = build_script(routine, Options(side=side, shape=shape, standing=standing))
                beat = script.beat_texts()
                for text in script.texts():
                    if not text.startswith("Did "):
                        speaker.clip(text, text in beat)
        speaker.clip(question_text(side))
    for text in (*PROMPT_TEXTS, *NUMBER_TEXTS):
        speaker.clip(text)


def live(home, *args, keys=None, engine=None, clock=None, output=None, warmed=True, keyboard=None, data=None):
    """A live session of mini with the fake engine; returns the result, the engine (what it was asked to say) and
    the clock. With `warmed` the session's lines come from a cache filled before (the engine hears only the
    closing, and lines not in it); otherwise from a cache of its own, so the engine hears every line, but a session
    may then wait for a line made in the background, so keys at set moments go with warmed sessions only.
    `keyboard` opens the keys instead (as the session starts), `data` is the log's folder."""
    clock = clock or FakeClock()
    output = output or ClockedOutput(clock)
    engine = engine or FakeEngine()
    pressed = KeysAt(clock, keys or {})
    base = deps()
    cache = home / "warm"
    if warmed and not cache.exists():
        warm(cache)
    dirs = replace(base.dirs, cache=cache if warmed else home / f"cache-{next(RUNS)}", data=data or base.dirs.data)
    result = run_cli(
        "mini", *args,
        deps=replace(base, dirs=dirs, engines=FakeEngines(engine), audio=buffers(lambda: output),
                     keys=keyboard or (lambda: nullcontext(pressed)), clock=clock.clock()),
    )  # fmt: skip
    return result, engine, clock


def timeline(home, side=Side.RIGHT, standing=FIRST):
    routine = parse_routine(ROUTINE, "mini.toml", "mini")
    speaker = Speaker(FakeEngines(FakeEngine()), DEFAULT_VOICE, DEFAULT_PACE, SpeechCache(home / "scratch"))
    return prepare(routine, Options(side=side, standing=standing), speaker).timeline


def rows(home, data=None):
    with closing(sqlite3.connect((data or home / "data") / "log.sqlite3")) as db:
        return db.execute(
            "SELECT side, strokes_done, done_right, done_left, status, tenderness, resume_phase FROM sessions"
        ).fetchall()


def seconds(samples):
    return samples / RATE


def test_q_in_each_phase_and_ctrl_c_leave_exactly_the_strokes_done(home):
    t = timeline(home)
    starts = [p.start for p in t.phases]  # Start, Place, Work, End
    accent = next(e.start for e in t.events if e.name == ACCENT)
    slide = t.strokes[0].done
    moments = [
        ({4.0: "q"}, 0, 0),  # settling in
        ({seconds(starts[1]) + 1: "q"}, 0, 1),  # placing the hands
        ({seconds(accent) + 0.2: "q"}, 0, 2),  # the first press has begun: no stroke yet
        ({seconds(slide) + 0.1: "q"}, 1, 2),  # its slide is reached: one stroke
    ]
    expected = []
    for keys, done, phase in moments:
        result, _, _ = live(home, "--side", "right", keys=keys)
        assert (result.exit_code, result.stderr.splitlines()[-2:]) == (
            0,
            ["Stopped.", "To continue it later today: coach mini --side right --resume"],
        )
        expected.append(("right", done, done, None, "stopped", None, phase))
    result, _, _ = live(home, "--side", "left", keys={4.0: "^C"})
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (130, "Stopped.")
    expected.append(("left", 0, None, 0, "stopped", None, None))
    assert rows(home) == expected


def test_n_n_n_to_the_closing_is_finished_with_no_strokes_and_the_closing_says_so(home):
    result, engine, _ = live(home, "--side", "left", keys={1.0: "n", 1.5: "n", 2.0: "n"})
    assert result.exit_code == 0, result.output
    assert rows(home) == [("left", 0, None, 0, "finished", None, None)]
    assert "Did 0 on your left; now your right." in engine.spoken
    played = live(home, "--side", "left", warmed=False)[1].spoken  # played through: the closing as planned
    assert "Did 2 on your left; now your right." in played and "Did 0 on your left; now your right." not in played


def test_a_session_stopped_short_is_kept_but_does_not_count_toward_the_day(home):
    slide = timeline(home).strokes[0].done
    live(home, "--side", "right", keys={seconds(slide) + 0.1: "q"})  # 1 stroke: fewer than the 2 advised
    result, engine, _ = live(home, "--side", "auto", warmed=False)
    assert "Mini, both sides" in result.stderr  # the right side's stopped session did not count: both are level
    assert FIRST in engine.spoken  # and this is still the first session
    assert rows(home) == [
        ("right", 1, 1, None, "stopped", None, 2),
        ("both", 4, 2, 2, "finished", None, None),
    ]
    result, engine, _ = live(home, "--side", "right", warmed=False)
    assert "Session 2 of 2 on your right side, day 1 of 3." in engine.spoken  # quick: the short program line


def test_both_sides_count_each_side_and_an_uneven_closing_says_each(home):
    t = timeline(home, Side.BOTH)
    switch = next(p.start for p in t.phases if p.title == "Switch")
    right_second = t.strokes[1]
    assert right_second.grid == 0
    # after the first stroke of the right side, skip its second: to the switch
    keys = {seconds(t.strokes[0].done) + 0.1: "n"}
    assert seconds(t.strokes[0].done) + 0.1 < seconds(right_second.done) and switch > right_second.done
    result, engine, _ = live(home, "--side", "both", keys=keys)
    assert result.exit_code == 0, result.output
    assert "That was 1 stroke on your right side and 2 on your left." in engine.spoken
    assert rows(home) == [("both", 3, 1, 2, "finished", None, None)]


@pytest.mark.parametrize(
    ("keys", "answer", "said"),
    [
        ({2: "4"}, 4, "Four."),
        ({2: "1", 2.5: "0"}, 10, "Ten."),
        ({2: "1"}, 1, "One."),  # no "0" within a second: one
        ({2: "1", 3.5: "0"}, 1, "One."),  # the "0" came too late: one, and the "0" is not an answer
        ({}, None, None),  # silence: skipped
        ({2: "x"}, None, None),  # another key: skipped
    ],
)
def test_the_tenderness_is_asked_aloud_and_answered_with_one_key(home, keys, answer, said):
    length = seconds(timeline(home).length)
    question = question_text("right")
    assert question == "How tender was the spot on your right side, from zero to ten? Press a number key."
    spoken_length = seconds(100 * len(question))  # the fake engine: 100 samples a letter
    at = {length + spoken_length + when: key for when, key in keys.items()}
    clock = FakeClock()
    output = ClockedOutput(clock)
    result, _, _ = live(home, "--side", "right", keys=at, clock=clock, output=output)
    assert result.exit_code == 0, result.output
    assert rows(home) == [("right", 2, 2, None, "finished", answer, None)]
    question_at = output.played.index(100 * len(question))  # the question, then the number said back, or nothing
    assert output.played[question_at + 1 :] == ([100 * len(said)] if said else [])
    noted = (
        f"Tenderness {answer} noted." if answer is not None else "No tenderness noted; 'coach log' can add it later."
    )
    lighter = (
        "The next sessions on your right side are lighter until its tenderness is 6 or less. If it stays or gets "
        "worse, see a doctor or physical therapist."
    )  # a 10 reaches 7: the next sessions are lighter, and it says so at once
    assert result.stderr.splitlines()[-2 if answer == 10 else -1 :] == ([noted, lighter] if answer == 10 else [noted])
    if not keys:  # ten seconds of quiet after the question, then it is skipped
        assert clock.monotonic() - clock.start == pytest.approx(length + spoken_length + 10.0, abs=0.05)


def test_a_tenderness_that_rose_says_the_next_sessions_are_lighter_as_it_is_noted(home):
    from coach.programlog import ProgramLog

    with ProgramLog(home / "data" / "log.sqlite3") as log:  # yesterday's note, with `coach log`: 2
        log.note_tenderness("mini", Side.RIGHT, 2, datetime(2026, 11, 20, 20))
    length = seconds(timeline(home).length) + seconds(100 * len(question_text("right")))
    result, _, _ = live(home, "--side", "right", keys={length + 2: "6"})
    assert result.stderr.splitlines()[-2:] == [
        "Tenderness 6 noted.",
        "The next sessions on your right side are lighter until its tenderness is 4 or less. If it stays or gets "
        "worse, see a doctor or physical therapist.",
    ]  # mini's 2 strokes a side are already its fewest advised: the pressure is what is lighter


def test_a_session_stopped_with_q_continues_the_same_day_where_it_stopped(home):
    t = timeline(home)
    slide = t.strokes[0].done
    live(home, "--side", "right", keys={seconds(slide) + 0.1: "q"})
    again, _, _ = live(home, "--side", "right", keys={1.0: "^C"})  # without --resume: it says how
    assert "The session of 09:30 stopped after 1 stroke; to continue it instead: coach mini --side right --resume" in (
        again.stderr
    )
    result, engine, clock = live(home, "--side", "right", "--resume")
    assert result.exit_code == 0, result.output
    assert "Continuing the session stopped at 09:30, in Work, right, after 1 stroke." in result.stderr
    assert FIRST not in engine.spoken  # no program line: it is the same session
    resumed = timeline(home, standing=None)
    question = seconds(100 * len(question_text("right"))) + 10.0  # asked, and ten seconds of quiet
    count = next(e for e in resumed.events if e.name == "Last, 2.")  # the second stroke's count
    played = seconds(resumed.length - count.start)  # from the first stroke not done, its count said, to the end
    assert clock.monotonic() - clock.start == pytest.approx(played + question, abs=0.05)
    assert rows(home) == [
        ("right", 2, 2, None, "finished", None, None),  # the first stroke, and the second; the first not twice
        ("right", 0, 0, None, "stopped", None, None),
    ]
    none = run_cli("mini", "--side", "left", "--resume", deps=deps(engines=FakeEngines(FakeEngine())))
    assert (none.exit_code, none.stderr) == (
        1,
        "Error: No mini session stopped today to continue on the left side: start a new one with: "
        "coach mini --side left\n",
    )


PTY_DRIVER = """
import contextlib, select, sys
from dataclasses import replace
sys.path.insert(0, sys.argv[1])
from conftest import FakeClock, FakeEngine, FakeEngines
from test_log_truth import ClockedOutput
from coach.cli import cli
from coach.cli.deps import Deps, buffers
from coach.live import terminal_keys

clock = FakeClock()


@contextlib.contextmanager
def keys():
    with terminal_keys() as real:  # the real keyboard: the terminal the test drives
        print("ready", file=sys.stderr, flush=True)
        select.select([sys.stdin], [], [], 60)  # the session starts once the keys are typed: they come first
        yield real


deps = replace(Deps.from_environment(), engines=FakeEngines(FakeEngine()), audio=buffers(lambda: ClockedOutput(clock)),
               clock=clock.clock(), keys=keys)
cli.main(["mini", "--side", "right"], prog_name="coach", obj=deps, standalone_mode=True)
"""


@pytest.mark.parametrize(("typed", "expected"), [("q", ("right", 0, 0, None, "stopped", None, 0)),
                                                ("nnn", ("right", 0, 0, None, "finished", None, None))])  # fmt: skip
def test_keys_typed_on_a_terminal_reach_the_log_exactly(home, typed, expected):
    """The command in a process of its own, its keyboard a pseudo-terminal: the keys are typed once it reads the
    terminal key by key, and are read as the session starts, on a clock that starts at 8,000,000 s."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    env = {**os.environ, "COACH_CONFIG_DIR": str(home / "config"), "COACH_DATA_DIR": str(home / "data"),
           "COACH_CACHE_DIR": str(home / "cache")}  # fmt: skip
    tests = os.path.dirname(__file__)
    with subprocess.Popen(
        [sys.executable, "-c", PTY_DRIVER, tests], stdin=follower, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True, env=env,
    ) as child:  # fmt: skip
        lines = []
        while not lines or lines[-1] != "ready\n":
            line = child.stderr.readline()
            assert line, "".join(lines)
            lines.append(line)
        os.write(leader, typed.encode())
        rest = child.stderr.read()
        assert child.wait(timeout=120) == 0, rest
    os.close(follower)
    os.close(leader)
    assert lines[1].startswith("Keys: space pauses and resumes, r repeats, n skips to the next phase")
    assert rows(home) == [expected]


def shapes(home):
    with closing(sqlite3.connect(home / "data" / "log.sqlite3")) as db:
        return [row[0] for row in db.execute("SELECT shape FROM sessions ORDER BY id")]


def test_the_shape_comes_from_the_log_for_each_side_teach_then_quick_then_refresh_the_next_day(home):
    first, _, _ = live(home, "--side", "right", warmed=False)
    assert "Playing Mini, right side: " in first.stderr  # teach: the summary names no shape
    second, engine, _ = live(home, "--side", "left", warmed=False)
    assert "Playing Mini, left side: " in second.stderr  # the left side's first session teaches too
    assert "This is the first session on your left side, on day 1 of 3." in engine.spoken
    third, engine, _ = live(home, "--side", "left", warmed=False)
    assert "Playing Mini, left side, quick session: " in third.stderr
    assert "Session 2 of 2 on your left side, day 1 of 3." in engine.spoken
    tomorrow = FakeClock(wall=datetime(2026, 11, 22, 9, 30))
    fourth, engine, _ = live(home, "--side", "right", clock=tomorrow, warmed=False)
    assert "Playing Mini, right side, refresh session: " in fourth.stderr
    assert "This is session 1 of 2 today on your right side, on day 2 of 3." in engine.spoken
    forced, _, _ = live(home, "--side", "right", "--shape", "teach", clock=FakeClock(wall=datetime(2026, 11, 22, 10)))
    assert "Playing Mini, right side: " in forced.stderr
    assert shapes(home) == ["teach", "teach", "quick", "refresh", "teach"]


class FullDisk:
    """The log's own small file system, filled up as the session's keys are opened (the log was opened and checked
    before, the sound starts after) or once the clock reaches `fill_at` (seconds), and emptied again once it reaches
    `free_at`, if given."""

    def __init__(self, folder, clock, fill_at=None, free_at=None):
        self.folder, self.clock, self.fill_at, self.free_at = folder, clock, fill_at, free_at

    def fill(self):
        with open(self.folder / "filler", "wb", buffering=0) as out:
            try:
                while out.write(b"\0" * 4096):
                    pass
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
        assert os.statvfs(self.folder).f_bavail == 0

    @contextmanager
    def keys(self):
        if self.fill_at is None:
            self.fill()
        yield self

    def read(self):
        now = self.clock.monotonic() - self.clock.start
        if self.fill_at is not None and now >= self.fill_at and not (self.folder / "filler").exists():
            self.fill()
        if self.free_at is not None and now >= self.free_at:
            (self.folder / "filler").unlink(missing_ok=True)
        return ""


@pytest.mark.parametrize("first_stroke_written", [False, True])
def test_a_full_disk_under_the_log_never_stops_the_session_and_is_one_sentence_at_the_end(
    home, tmpfs, first_stroke_written
):
    """Every write to the log fails from the first (the session's row, as its sound starts), or from the second
    stroke on: the session plays to its end, the log has nothing of it or what was written before the disk filled,
    and the end says so in one sentence; the status is a finished session's."""
    t = timeline(home)
    disk = tmpfs("log", "256k")
    clock = FakeClock()
    full = FullDisk(disk, clock, fill_at=seconds(t.strokes[0].done) + 0.5 if first_stroke_written else None)
    result, _, _ = live(home, "--side", "right", clock=clock, keyboard=full.keys, data=disk)
    assert result.exit_code == 0, result.output
    log = disk / "log.sqlite3"
    how = "recorded only in part" if first_stroke_written else "not recorded"
    assert result.stderr.splitlines()[1:] == [
        "See where to press: coach show mini --side right --picture",  # the first session
        "Session complete.",
        f"Warning: this session is {how}: the program log {log} cannot be written (database or disk is full).",
    ]
    assert clock.monotonic() - clock.start == pytest.approx(seconds(t.length), abs=0.02)  # to its end; not asked
    (disk / "filler").unlink()
    assert rows(home, disk) == ([("right", 1, 1, None, "started", None, None)] if first_stroke_written else [])


def test_a_record_the_full_disk_held_back_is_written_whole_at_the_end_once_there_is_room(home, tmpfs):
    """The disk is full from the sound's start until after the last stroke: the record kept in memory is written
    at the end, as the session went, from the time its sound started; then the tenderness is asked as usual."""
    t = timeline(home)
    closing_at = seconds(next(p.start for p in t.phases if p.title == "End"))
    assert closing_at > seconds(t.strokes[-1].done)
    disk = tmpfs("log", "256k")
    clock = FakeClock()
    full = FullDisk(disk, clock, free_at=closing_at + 0.5)
    result, _, _ = live(home, "--side", "right", clock=clock, keyboard=full.keys, data=disk)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[1:] == [
        "See where to press: coach show mini --side right --picture",  # the first session
        "Session complete.",
        "How tender was it, 0 to 10? Press a number key (ten: 1 then 0); 10 s of quiet skips it.",
        "No tenderness noted; 'coach log' can add it later.",
    ]
    assert rows(home, disk) == [("right", 2, 2, None, "finished", None, None)]
    with closing(sqlite3.connect(disk / "log.sqlite3")) as db:
        assert db.execute("SELECT started FROM sessions").fetchall() == [("2026-11-21T09:30:00",)]
