"""The program log and what is read from it: sessions recorded exactly, a killed process loses nothing
committed, the side chosen by --side auto, where the user stands, and the history by day."""

from __future__ import annotations

import gc
import sqlite3
import subprocess
import sys
from contextlib import closing, nullcontext
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest
from conftest import (
    MINI,
    ClockedOutput,
    FakeClock,
    FakeEngine,
    FakeEngines,
    InstantOutput,
    deps,
    fill_cache,
    install_routine,
    run_cli,
)

from coach.cli.deps import buffers
from coach.defaults import DEFAULT_ENGINE, DEFAULT_PACE, DEFAULT_VOICE
from coach.errors import CoachError
from coach.kinds import Shape, Side
from coach.program import (
    Entry,
    SessionPlan,
    Standing,
    auto_side,
    first_day,
    history_text,
    plan_session,
    side_done,
    sides_due,
    standing,
)
from coach.programlog import ProgramLog
from coach.routine import Program, parse_routine
from coach.script import Options, build_script
from coach.session import prepare
from coach.speech.cache import Speaker, SpeechCache

PROGRAM = Program(sessions_per_day=6, days=14, until="the spot is no longer tender", reminder="A quick reminder.")
DAY = date(2026, 11, 20)


def entry(side, day=DAY, hour=9, routine="psoas", status="finished", done=8, tender=None, by_side=None, least=0):
    when = datetime(day.year, day.month, day.day, hour)
    return Entry(
        routine=routine, side=side, started=when, strokes_done=done, strokes_planned=8, status=status,
        tenderness=tender, done_by_side=by_side, least=least,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("today", "chosen"),
    [
        ([], "both"),  # level: one session works both sides
        ([entry("right")], "left"),  # the side behind catches up
        ([entry("right"), entry("left")], "both"),
        ([entry("left")], "right"),
        ([entry("both"), entry("right")], "left"),
        ([entry("right", day=date(2026, 11, 19)), entry("left", routine="iliacus")], "both"),
        ([entry("right", status="logged"), entry("left")], "right"),  # a tenderness note is not a session
        ([entry("right", status="skipped"), entry("left")], "right"),  # nor is a skipped reminder
        ([entry("right", status="started"), entry("left"), entry("left")], "right"),  # a killed one counts
    ],
)
def test_auto_side_works_every_side_due_that_is_furthest_behind_today(today, chosen):
    assert auto_side(today, "psoas", DAY) == chosen


def test_standing_counts_sessions_today_and_days_from_the_first():
    log = [entry("right", day=date(2026, 11, 17)), entry("right"), entry("left"), entry("both")]
    assert standing(log, "psoas", PROGRAM, "right", DAY) == Standing(
        side=Side.RIGHT, sessions=(3,), per_day=6, day=4, days=14, until="the spot is no longer tender",
        first=(False,),
    )  # fmt: skip
    assert standing(log, "psoas", PROGRAM, "both", DAY).sessions == (3, 3)
    assert standing([], "psoas", PROGRAM, "left", DAY) == Standing(
        side=Side.LEFT, sessions=(1,), per_day=6, day=1, days=14, until="the spot is no longer tender",
        first=(True,), new=True,
    )  # fmt: skip
    assert standing(log, "psoas", PROGRAM, "right", DAY).text() == (
        "This is session 3 of 6 today on your right side, on day 4 of 14."
    )
    assert standing(log, "psoas", PROGRAM, "left", DAY).text(short=True) == (
        "Session 3 of 6 on your left side, day 4 of 14."
    )
    uneven = [*log[:2], entry("left", day=date(2026, 11, 17))]
    assert standing(uneven, "psoas", PROGRAM, "both", DAY).text() == (
        "This is session 2 of 6 today on your right side, and session 1 on your left, on day 4 of 14."
    )
    assert standing(uneven, "psoas", PROGRAM, "both", DAY).text(short=True) == (
        "Session 2 of 6 on your right side, 1 on your left, day 4 of 14."
    )
    assert (
        standing(log, "psoas", PROGRAM, "both", DAY).text()
        == "This is session 3 of 6 today on each side, on day 4 of 14."
    )
    assert standing(log, "psoas", PROGRAM, "both", DAY).text(short=True) == "Session 3 of 6 on each side, day 4 of 14."


def test_a_sides_first_session_says_so_whatever_the_other_side_did():
    """The right side worked for three days; the left side's first session is on day 4: it is the left side's
    first (and teaches: test_each_side_has_its_own_shape), not the routine's."""
    log = [entry("right", day=date(2026, 11, day)) for day in (17, 18, 19)] + [entry("right")]
    left = standing(log, "psoas", PROGRAM, "left", DAY)
    assert (left.first, left.new) == ((True,), False)
    assert left.text() == "This is the first session on your left side, on day 4 of 14."
    assert left.text(short=True) == "The first session on your left side, day 4 of 14."
    both = standing(log, "psoas", PROGRAM, "both", DAY)
    assert both.text() == (
        "This is session 2 of 6 today on your right side, and the first on your left, on day 4 of 14."
    )
    assert both.text(short=True) == "Session 2 of 6 on your right side, the first on your left, day 4 of 14."
    assert standing([], "psoas", PROGRAM, "both", DAY).text() == "This is your first session: day 1 of 14."
    assert standing([entry("right")], "psoas", PROGRAM, "left", DAY).text() == (
        "This is the first session on your left side, on day 1 of 14."
    )  # the routine's first session was the right side's, earlier today


def test_standing_past_the_program_and_more_sessions_than_asked_without_a_word_against_them():
    assert (
        Standing(side=Side.RIGHT, sessions=(7,), per_day=6, day=2, days=14, until="x").text()
        == "This is session 7 today on your right side, on day 2 of 14."
    )
    assert Standing(
        side=Side.LEFT, sessions=(1,), per_day=6, day=16, days=14, until="the spot is no longer tender"
    ).text() == (
        "This is session 1 of 6 today on your left side, on day 16. The 14 days are done: carry on only until the "
        "spot is no longer tender."
    )
    assert (
        Standing(side=Side.RIGHT, sessions=(1,), per_day=6, day=1, days=14, until="x").first_today
        and not Standing(side=Side.RIGHT, sessions=(2,), per_day=6, day=1, days=14, until="x").first_today
    )


def test_a_program_of_one_session_a_day_says_todays_session_then_an_extra_one():
    assert (
        Standing(side=Side.RIGHT, sessions=(1,), per_day=1, day=3, days=14, until="x").text()
        == "This is today's session on your right side, on day 3 of 14."
    )
    assert (
        Standing(side=Side.BOTH, sessions=(2, 2), per_day=1, day=3, days=14, until="x").text()
        == "This is an extra session today on each side, on day 3 of 14."
    )


def test_a_session_stopped_before_the_fewest_advised_strokes_is_kept_but_does_not_count():
    short = entry("right", status="stopped", done=5, by_side=(5,), least=6)
    enough = entry("right", status="stopped", done=6, by_side=(6,), least=6)
    none = entry("right", status="finished", done=0, by_side=(0,), least=6)  # n n n to the closing
    assert [e.covers(Side.RIGHT) for e in (short, enough, none)] == [False, True, False]
    assert standing([short, none], "psoas", PROGRAM, "right", DAY).sessions == (1,)
    assert standing([short, enough], "psoas", PROGRAM, "right", DAY).sessions == (2,)
    assert auto_side([short], "psoas", DAY) == Side.BOTH  # the right side's stopped session did not count: level
    uneven = entry("both", done=14, by_side=(8, 6), least=7)
    assert (uneven.covers(Side.RIGHT), uneven.covers(Side.LEFT)) == (True, False)
    older = entry("both", done=16)  # a log from before strokes were kept per side: shared out evenly
    assert (older.done_on(Side.RIGHT), older.done_on(Side.LEFT), older.done_on(Side.BOTH)) == (8, 8, 0)


def test_after_a_break_the_day_count_starts_again_and_history_keeps_the_old_program():
    old = [entry("right", day=date(2026, 10, day)) for day in (1, 2, 5)]  # 2 empty days: no break
    assert first_day(old, "psoas", date(2026, 10, 5)) == date(2026, 10, 1)
    assert first_day(old, "psoas", date(2026, 10, 8)) == date(2026, 10, 1)  # 2 days without: still day 8
    assert first_day(old, "psoas", date(2026, 10, 9)) == date(2026, 10, 9)  # 3 days without: a new program
    after = standing(old, "psoas", PROGRAM, "right", DAY)
    assert after == Standing(
        side=Side.RIGHT, sessions=(1,), per_day=6, day=1, days=14, until="the spot is no longer tender",
        restarted=True, first=(False,),
    )  # fmt: skip
    assert after.text() == (
        "After a break, a new program starts today. This is session 1 of 6 today on your right side, on day 1 of 14."
    )
    later = [*old, entry("right", hour=8)]
    assert standing(later, "psoas", PROGRAM, "right", DAY) == Standing(
        side=Side.RIGHT, sessions=(2,), per_day=6, day=1, days=14, until="the spot is no longer tender",
        first=(False,),
    )  # fmt: skip
    stopped = [*old, entry("right", hour=8, status="stopped", done=1, by_side=(1,), least=6)]
    assert standing(stopped, "psoas", PROGRAM, "right", DAY).restarted  # a session that did not count starts none
    assert history_text([*old, entry("right", hour=8)], {"psoas": PROGRAM}) == (
        "psoas: 6 sessions a day for 14 days, until the spot is no longer tender\n"
        "  day  date        right   left  strokes  tender right  left  skipped\n"
        "    1  2026-10-01    1/6    0/6        8             -     -        -\n"
        "    2  2026-10-02    1/6    0/6        8             -     -        -\n"
        "    5  2026-10-05    1/6    0/6        8             -     -        -\n"
        "  (a break: a new program starts)\n"
        "    1  2026-11-20    1/6    0/6        8             -     -        -\n"
    )


def test_a_session_plan_is_the_side_and_for_a_live_logged_session_where_the_user_stands(mini):
    routine = replace(mini, program=PROGRAM)
    log = [entry("right", routine="mini"), entry("left", routine="mini"), entry("right", routine="mini")]
    assert plan_session(log, routine, "auto", DAY, announce=True) == SessionPlan(
        Side.LEFT, "Session 2 of 6 on your left side, day 1 of 14.", short_intro=True, shape=Shape.QUICK
    )  # the side behind, in a later session of its day: quick, with the short program line
    assert plan_session([], routine, "both", DAY, announce=True) == SessionPlan(
        Side.BOTH, "This is your first session: day 1 of 14.", shape=Shape.TEACH
    )  # the routine's first session: teach
    yesterday = [entry("right", routine="mini", day=date(2026, 11, 19))]
    assert plan_session(yesterday, routine, "right", DAY, announce=True) == SessionPlan(
        Side.RIGHT, "This is session 1 of 6 today on your right side, on day 2 of 14.", shape=Shape.REFRESH
    )  # a side's first of a later day: refresh
    assert plan_session(yesterday, routine, "left", DAY, announce=True) == SessionPlan(
        Side.LEFT, "This is the first session on your left side, on day 2 of 14.", shape=Shape.TEACH
    )  # a side's first session ever teaches, whatever the other side did
    assert plan_session(yesterday, routine, "auto", DAY, announce=True).shape == Shape.TEACH  # both: the fullest
    assert plan_session(log, routine, "auto", DAY, announce=False) == SessionPlan(Side.LEFT)  # a script or a file
    assert plan_session(log, routine, "right", DAY, announce=False, shape="quick") == SessionPlan(
        Side.RIGHT, short_intro=True, shape=Shape.QUICK
    )
    assert plan_session(log, mini, "right", DAY, announce=True) == SessionPlan(
        Side.RIGHT, short_intro=True, shape=Shape.QUICK
    )  # no program: nothing to say
    stopped_short = [entry("right", routine="mini", status="stopped", done=2, by_side=(2,), least=6)]
    assert plan_session(stopped_short, routine, "right", DAY, announce=True).shape == Shape.TEACH


HISTORY = [
    entry("right", day=date(2026, 11, 18), hour=8, tender=7),
    entry("left", day=date(2026, 11, 18), hour=9, done=5, status="stopped"),
    entry("right", day=date(2026, 11, 18), hour=12, status="logged", done=0, tender=6),
    entry("both", day=date(2026, 11, 20), hour=8, done=16, tender=4),
    entry("right", day=date(2026, 11, 20), hour=8, routine="iliacus", done=6),
    entry("both", day=date(2026, 11, 20), hour=10, status="skipped", done=0),  # two reminders skipped: no session
    entry("left", day=date(2026, 11, 20), hour=13, status="skipped", done=0),
]

HISTORY_TEXT = """\
iliacus
  day  date        right   left  strokes  tender right  left  skipped
    1  2026-11-20      1      0        6             -     -        -

psoas: 6 sessions a day for 14 days, until the spot is no longer tender
  day  date        right   left  strokes  tender right  left  skipped
    1  2026-11-18    1/6    1/6       13             6     -        -
    3  2026-11-20    1/6    1/6       16             4     4        2
"""  # each side's tenderness is the day's last note on it: a session on both sides notes both; a skip counts nowhere


def test_history_by_day():
    assert history_text(HISTORY, {"psoas": PROGRAM, "iliacus": None}) == HISTORY_TEXT
    assert history_text([], {}) == (
        "No sessions yet. Each live session is recorded here; 'coach log' records tenderness.\n"
    )


def query(path, sql):
    with closing(sqlite3.connect(path)) as db:
        return db.execute(sql).fetchall()


def test_the_log_records_a_session_exactly(tmp_path):
    with ProgramLog(tmp_path / "log.sqlite3") as log:
        session = log.begin("psoas", "right", 8, datetime(2026, 11, 20, 9, 0, 5), least=6, shape="quick")
        log.progress(session, (3,), "right", (0, 1, 2))
        log.end(session, False, 3, datetime(2026, 11, 20, 9, 2, 0, 999), resume_phase=2)
        log.set_tenderness(session, 6)
        rows = query(tmp_path / "log.sqlite3", "SELECT * FROM sessions")
        assert rows == [
            (1, "psoas", "right", "2026-11-20T09:00:05", "2026-11-20T09:02:00", 3, 8, "stopped", 6, 3, None, 6, 2,
             "0,1,2", "quick", None),
        ]  # fmt: skip
        assert log.entries() == [
            Entry(routine="psoas", side="right", started=datetime(2026, 11, 20, 9, 0, 5), strokes_done=3,
                  strokes_planned=8, status="stopped", tenderness=6, done_by_side=(3,), least=6, resume_phase=2,
                  strokes=(0, 1, 2), key=1, shape="quick"),
        ]  # fmt: skip
        assert query(tmp_path / "log.sqlite3", "PRAGMA journal_mode") == [("wal",)]
        assert query(tmp_path / "log.sqlite3", "PRAGMA user_version") == [(3,)]


FIRST_RELEASE_SCHEMA = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    routine TEXT NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('right', 'left', 'both')),
    started TEXT NOT NULL,
    ended TEXT,
    strokes_done INTEGER NOT NULL DEFAULT 0,
    strokes_planned INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('started', 'finished', 'stopped', 'logged')),
    tenderness INTEGER CHECK (tenderness BETWEEN 0 AND 10)
);
INSERT INTO sessions VALUES (1, 'psoas', 'right', '2026-11-18T08:00:00', '2026-11-18T08:04:00', 8, 8, 'finished', 5);
INSERT INTO sessions VALUES (2, 'psoas', 'both', '2026-11-18T12:00:00', NULL, 16, 16, 'stopped', NULL);
INSERT INTO sessions VALUES (3, 'psoas', 'left', '2026-11-19T09:00:00', '2026-11-19T09:00:00', 0, 0, 'logged', 2);
"""


def test_a_log_written_by_the_first_release_keeps_every_row_and_gains_the_new_columns(tmp_path):
    path = tmp_path / "log.sqlite3"
    with closing(sqlite3.connect(path)) as db:
        db.executescript(FIRST_RELEASE_SCHEMA)
    with ProgramLog(path) as log:
        assert log.entries() == [
            Entry(routine="psoas", side="right", started=datetime(2026, 11, 18, 8), strokes_done=8, strokes_planned=8,
                  status="finished", tenderness=5, key=1),
            Entry(routine="psoas", side="both", started=datetime(2026, 11, 18, 12), strokes_done=16,
                  strokes_planned=16, status="stopped", key=2),
            Entry(routine="psoas", side="left", started=datetime(2026, 11, 19, 9), strokes_done=0, strokes_planned=0,
                  status="logged", tenderness=2, key=3),
        ]  # fmt: skip
        # its sessions count as they did: least 0, strokes shared out evenly between both sides
        assert [e.covers(Side.LEFT) for e in log.entries()] == [False, True, False]
        session = log.begin("psoas", "left", 8, datetime(2026, 11, 20, 9), least=6)
        log.progress(session, (7,), "left", tuple(range(7)))
    assert query(path, "PRAGMA user_version") == [(3,)]
    assert query(path, "SELECT id, strokes_done, done_right, done_left, least FROM sessions") == [
        (1, 8, None, None, 0), (2, 16, None, None, 0), (3, 0, None, None, 0), (4, 7, None, 7, 6),
    ]  # fmt: skip
    with ProgramLog(path) as again:  # opened again: nothing more to do
        assert len(again.entries()) == 4
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA user_version = 4")
    with pytest.raises(CoachError, match=r"was written by a newer coach \(version 4\); update coach\.$"):
        ProgramLog(path)
    gc.collect()  # the refused log's connection was closed: nothing is left for the collector to warn about


SECOND_SCHEMA = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    routine TEXT NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('right', 'left', 'both')),
    started TEXT NOT NULL,
    ended TEXT,
    strokes_done INTEGER NOT NULL DEFAULT 0,
    strokes_planned INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('started', 'finished', 'stopped', 'logged')),
    tenderness INTEGER CHECK (tenderness BETWEEN 0 AND 10),
    done_right INTEGER,
    done_left INTEGER,
    least INTEGER NOT NULL DEFAULT 0,
    resume_phase INTEGER,
    strokes TEXT NOT NULL DEFAULT '',
    shape TEXT NOT NULL DEFAULT ''
);
PRAGMA user_version = 2;
INSERT INTO sessions VALUES (1, 'psoas', 'right', '2026-11-18T08:00:00', '2026-11-18T08:04:00', 8, 8, 'finished', 5,
                             8, NULL, 6, NULL, '0,1,2,3,4,5,6,7', 'teach');
INSERT INTO sessions VALUES (2, 'psoas', 'both', '2026-11-18T12:00:00', '2026-11-18T12:01:00', 3, 16, 'stopped', NULL,
                             3, 0, 6, 2, '0,1,2', 'quick');
INSERT INTO sessions VALUES (3, 'psoas', 'left', '2026-11-19T09:00:00', '2026-11-19T09:00:00', 0, 0, 'logged', 2,
                             NULL, NULL, 0, NULL, '', '');
"""
SECOND_ROWS = [
    (1, "psoas", "right", "2026-11-18T08:00:00", "2026-11-18T08:04:00", 8, 8, "finished", 5, 8, None, 6, None,
     "0,1,2,3,4,5,6,7", "teach"),
    (2, "psoas", "both", "2026-11-18T12:00:00", "2026-11-18T12:01:00", 3, 16, "stopped", None, 3, 0, 6, 2, "0,1,2",
     "quick"),
    (3, "psoas", "left", "2026-11-19T09:00:00", "2026-11-19T09:00:00", 0, 0, "logged", 2, None, None, 0, None, "", ""),
]  # fmt: skip


def test_a_log_of_the_second_version_keeps_every_row_and_takes_skipped_reminders(tmp_path):
    """Version 3 adds the status 'skipped' and the reminder's number: SQLite cannot change a CHECK in place, so the
    table is rebuilt, every row and column kept as it was."""
    path = tmp_path / "log.sqlite3"
    with closing(sqlite3.connect(path)) as db:
        db.executescript(SECOND_SCHEMA)
    with ProgramLog(path) as log:
        assert query(path, "SELECT * FROM sessions") == [(*row, None) for row in SECOND_ROWS]
        assert query(path, "PRAGMA user_version") == [(3,)]
        assert log.skip("psoas", Side.BOTH, 3, datetime(2026, 11, 20, 13, 13, 7)) == 4
        assert query(path, "SELECT * FROM sessions WHERE id = 4") == [
            (4, "psoas", "both", "2026-11-20T13:13:07", "2026-11-20T13:13:07", 0, 0, "skipped", None, None, None, 0,
             None, "", "", 3),
        ]  # fmt: skip
        assert [(e.key, e.status, e.is_session, e.counts, e.reminder) for e in log.entries()] == [
            (1, "finished", True, True, None), (2, "stopped", True, False, None), (3, "logged", False, False, None),
            (4, "skipped", False, False, 3),
        ]  # fmt: skip
        assert log.note_tenderness("psoas", Side.BOTH, 4, datetime(2026, 11, 20, 14)) is False  # not on the skip
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"), closing(sqlite3.connect(path)) as db:
        db.execute("INSERT INTO sessions (routine, side, started, strokes_planned, status) VALUES "
                   "('psoas', 'left', '2026-11-20T15:00:00', 0, 'done')")  # fmt: skip
    (table,) = query(path, "SELECT sql FROM sqlite_master WHERE name = 'sessions'")[0]
    assert "CHECK (status IN ('started', 'finished', 'stopped', 'logged', 'skipped'))" in table
    assert query(path, "PRAGMA integrity_check") == [("ok",)]


def test_the_rebuild_keeps_another_programs_columns_indexes_and_views(tmp_path):
    path = tmp_path / "log.sqlite3"
    with closing(sqlite3.connect(path)) as db:
        db.executescript(
            SECOND_SCHEMA
            + "ALTER TABLE sessions ADD COLUMN mood TEXT DEFAULT 'calm';\n"
            + "CREATE INDEX by_day ON sessions (substr(started, 1, 10));\n"
            + "CREATE VIEW tender AS SELECT id, tenderness FROM sessions WHERE tenderness IS NOT NULL;\n"
        )
    with ProgramLog(path) as log:
        log.skip("psoas", Side.LEFT, 1, datetime(2026, 11, 20, 8))
    assert query(path, "SELECT id, mood FROM sessions") == [(1, "calm"), (2, "calm"), (3, "calm"), (4, "calm")]
    assert query(path, "SELECT name FROM sqlite_master WHERE type IN ('index', 'view') ORDER BY name") == [
        ("by_day",), ("tender",),
    ]  # fmt: skip
    assert query(path, "SELECT * FROM tender") == [(1, 5), (3, 2)]


def test_a_later_tenderness_goes_on_todays_last_session_without_one(tmp_path):
    with ProgramLog(tmp_path / "log.sqlite3") as log:
        first = log.begin("psoas", "right", 8, datetime(2026, 11, 20, 9))
        log.end(first, True, 8, datetime(2026, 11, 20, 9, 5))
        assert log.note_tenderness("psoas", "right", 5, datetime(2026, 11, 20, 10)) is True
        assert log.note_tenderness("psoas", "right", 4, datetime(2026, 11, 20, 11)) is False  # it has one now
        assert log.note_tenderness("psoas", "left", 3, datetime(2026, 11, 20, 11)) is False
        assert [(e.side, e.status, e.tenderness) for e in log.entries()] == [
            ("right", "finished", 5),
            ("right", "logged", 4),
            ("left", "logged", 3),
        ]


KILLED = """
import os, signal, sys
from datetime import datetime
from coach.programlog import ProgramLog
log = ProgramLog(__import__("pathlib").Path(sys.argv[1]))
for n in range(3):
    session = log.begin("psoas", "right", 8, datetime(2026, 11, 20, 9, n))
    log.end(session, True, 8, datetime(2026, 11, 20, 9, n, 30))
db = log._db
db.execute("BEGIN")
for n in range(2000):
    db.execute(
        "INSERT INTO sessions (routine, side, started, strokes_planned, status) VALUES ('x', 'left', 't', 1, 'started')"
    )
    if n == 1500:
        os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_process_killed_while_writing_leaves_a_readable_log_with_every_committed_session(tmp_path):
    path = tmp_path / "log.sqlite3"
    done = subprocess.run([sys.executable, "-c", KILLED, str(path)], capture_output=True, timeout=60)
    assert done.returncode == -9
    assert query(path, "PRAGMA integrity_check") == [("ok",)]
    assert query(path, "SELECT routine, status, strokes_done FROM sessions") == [("psoas", "finished", 8)] * 3
    with ProgramLog(path) as log:
        assert len(log.entries()) == 3


def test_an_unreadable_log_is_one_clean_sentence(tmp_path):
    path = tmp_path / "log.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    from coach.errors import CoachError

    with pytest.raises(CoachError) as caught:
        ProgramLog(path)
    assert str(caught.value) == f"The program log {path} cannot be opened (file is not a database)."


# -- through the command line ------------------------------------------------------------------------------------

PROGRAM_TOML = '\n[program]\nsessions_per_day = 2\ndays = 3\nuntil = "it is fine"\nreminder = "Be gentle."\n'
# the first phase is an intro with a safety line, so the short reminder can be heard taking its place
MINI_PROGRAM = (
    MINI.replace('title = "Start"', 'title = "Start"\nintro = true').replace(
        'lines = ["Hello, {sides}."]', 'lines = ["Hello, {sides}.", { text = "Careful now.", safety = true }]'
    )
    + PROGRAM_TOML
)


@pytest.fixture
def mini_home(tmp_path):
    """The mini routine (with a program) in the config dir, and its speech cached, so live sessions run through
    the real controller and log; `run` gives them an audio output that plays at once, and a fake clock."""
    routine = install_routine(tmp_path, MINI_PROGRAM)
    texts = ["Paused.", "Three.", "Two.", "One."]
    for side in Side:
        texts += build_script(routine, Options(side=side, standing="This is your first session: day 1 of 3.")).texts()
        for n in range(2, 5):
            where = Standing(side=side, sessions=(n,) * len(side.sides), per_day=2, day=1, days=3, until="it is fine")
            quick = Options(side=side, short_intro=True, standing=where.text(short=True), shape=Shape.QUICK)
            texts += build_script(routine, quick).texts()
    fill_cache(tmp_path / "cache", texts)
    return tmp_path


def run(*args, **fakes):
    """The command line with an audio output that plays at once and a fake clock, unless others are given."""
    parts = {"audio": buffers(InstantOutput), "clock": FakeClock().clock(), **fakes}
    return run_cli(*args, deps=deps(**parts))


def rows(home):
    return query(
        home / "data" / "log.sqlite3",
        "SELECT routine, side, strokes_done, strokes_planned, status, tenderness FROM sessions",
    )


def test_a_live_session_is_recorded_and_auto_works_the_sides_behind(mini_home):
    first = run("mini", "--side", "right")
    assert first.exit_code == 0, first.output
    assert first.stderr.splitlines()[-1] == "Session complete."
    second = run("mini", "--side", "auto")  # the left side is a session behind: it catches up
    assert second.stderr.startswith("Playing Mini, left side:")
    third = run("mini", "--side", "auto")  # level again: both sides in one session
    assert third.stderr.startswith("Playing Mini, both sides, quick session:")
    assert rows(mini_home) == [
        ("mini", "right", 2, 2, "finished", None), ("mini", "left", 2, 2, "finished", None),
        ("mini", "both", 4, 4, "finished", None),
    ]  # fmt: skip


def test_no_log_records_nothing(mini_home):
    assert run("mini", "--side", "right", "--no-log").exit_code == 0
    assert not (mini_home / "data" / "log.sqlite3").exists()


class CtrlCAt:
    """Keys that give Ctrl-C once the fake clock reaches a moment."""

    def __init__(self, clock, at):
        self.clock, self.at = clock, at

    def read(self):
        if self.clock.monotonic() >= self.at:
            raise KeyboardInterrupt
        return ""


def test_a_session_stopped_early_is_recorded_as_stopped_with_its_strokes(mini_home):
    # Ctrl-C halfway between the first and the second stroke's slide, as the session plays by the fake clock
    session = prepare(
        parse_routine(MINI_PROGRAM, "mini.toml", "mini"),
        Options(side=Side.LEFT, standing="This is your first session: day 1 of 3."),
        Speaker(deps().engines(DEFAULT_ENGINE), DEFAULT_VOICE, DEFAULT_PACE, SpeechCache(mini_home / "cache")),
    )
    first, second = [mark.done for mark in session.timeline.strokes]
    clock = FakeClock()
    keys = CtrlCAt(clock, clock.monotonic() + (first + second) / 2 / session.timeline.sample_rate)
    result = run("mini", "--side", "left", audio=buffers(lambda: ClockedOutput(clock)), keys=lambda: nullcontext(keys),
                 clock=clock.clock())  # fmt: skip
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (130, "Stopped.")
    assert rows(mini_home) == [("mini", "left", 1, 2, "stopped", None)]


def test_the_program_line_and_the_short_reminder_after_the_first_session(mini_home):
    heard = []
    clock = FakeClock()
    for n, extra in enumerate([(), (), ("--script",)]):  # a script or a file carries no program line
        engine = FakeEngine()  # with a cache of its own: it hears every line of the session
        dirs = replace(deps().dirs, cache=mini_home / f"cache-{n}")
        result = run("mini", "--side", "right", *extra, engines=FakeEngines(engine), dirs=dirs, clock=clock.clock())
        assert result.exit_code == 0, result.output
        heard.append(engine.spoken)
    # every session says the safety line or, after the first session of the day, the reminder in its place
    assert [("Careful now." in spoken, "Be gentle." in spoken) for spoken in heard] == [
        (True, False),
        (False, True),
    ] * 1 + [(True, False)]
    standing = [next((text for text in spoken if "ession" in text and "day 1 of 3" in text), None) for spoken in heard]
    short = ["Be gentle." in spoken for spoken in heard]
    assert list(zip(standing, short, strict=True)) == [
        ("This is your first session: day 1 of 3.", False),
        ("Session 2 of 2 on your right side, day 1 of 3.", True),  # a quick session: the short program line
        (None, False),
    ]


def test_log_and_history_commands(mini_home):
    with ProgramLog(mini_home / "data" / "log.sqlite3") as log:
        for hour, side in [(8, "right"), (9, "left")]:
            session = log.begin("mini", side, 2, datetime(2026, 11, 18, hour))
            log.end(session, True, 2, datetime(2026, 11, 18, hour, 1))
    clock = FakeClock()
    result = run("log", "mini", "--side", "left", "--tenderness", "3", clock=clock.clock())
    assert result.stdout == "Recorded tenderness 3 for mini, left side (today, on its own).\n"
    history = run("history", "mini", clock=clock.clock())
    today = clock.now().date().isoformat()
    days = (clock.now().date() - date(2026, 11, 18)).days + 1
    assert history.stdout == (
        "mini: 2 sessions a day for 3 days, until it is fine\n"
        "  day  date        right   left  strokes  tender right  left  skipped\n"
        "    1  2026-11-18    1/2    1/2        4             -     -        -\n"
        f"  {days:>3}  {today}    0/2    0/2        0             -     3        -\n"
    )
    both = run("log", "mini", "--side", "both", "--tenderness", "2", clock=clock.clock())
    assert both.stdout == "Recorded tenderness 2 for mini, both sides (today, on its own).\n"
    bad = run("log", "mini", "--side", "left", "--tenderness", "11")
    assert bad.exit_code == 2 and "11 is not in the range 0<=x<=10" in bad.stderr


def test_history_plot_is_a_png(mini_home):
    with ProgramLog(mini_home / "data" / "log.sqlite3") as log:
        for day in (18, 19, 21):
            session = log.begin("mini", "right", 2, datetime(2026, 11, day, 8))
            log.end(session, True, 2, datetime(2026, 11, day, 8, 1))
            log.set_tenderness(session, 25 - day)
    target = mini_home / "program.png"
    result = run("history", "--plot", str(target))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Drew {target}.\n"
    from matplotlib import image

    picture = image.imread(str(target))
    assert picture.shape[:2] == (300, 800)
    assert np.ptp(picture[..., :3]) > 0.5  # not blank


def test_history_plot_without_matplotlib_says_how_to_install_it(mini_home, monkeypatch):
    with ProgramLog(mini_home / "data" / "log.sqlite3") as log:
        session = log.begin("mini", "right", 2, datetime(2026, 11, 18, 8))
        log.end(session, True, 2, datetime(2026, 11, 18, 8, 1))
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # what an install without the plot extra gives: ImportError
    target = mini_home / "program.png"
    result = run("history", "--plot", str(target))
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: Drawing needs matplotlib, which is not installed: pip install 'coach[plot]' adds it.\n",
    )
    assert result.stdout == ""  # nothing printed when the picture cannot be drawn
    assert not target.exists()


# -- a log that another program made, changed or holds (issue 13, items 5 and 10) ---------------------------------

COACH_COLUMNS = (
    "id INTEGER PRIMARY KEY, routine TEXT, side TEXT, started TEXT, ended TEXT, strokes_done INTEGER, "
    "strokes_planned INTEGER, status TEXT, tenderness INTEGER"
)


def foreign_log(home, columns, rows=()):
    """A log whose sessions table another program made: coach's columns with no checks, or others."""
    path = home / "data" / "log.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path)) as db:
        db.execute(f"CREATE TABLE sessions ({columns})")
        for row in rows:
            db.execute(f"INSERT INTO sessions VALUES ({', '.join('?' * len(row))})", row)
        db.commit()
    return path


def recording(played: list[int]) -> type[InstantOutput]:
    """An audio output that plays at once and notes the length of each thing it plays in `played`."""

    class Output(InstantOutput):
        def play(self, pcm, rate):
            played.append(len(pcm))
            return self

    return Output


@pytest.mark.parametrize(
    ("columns", "problem"),
    [
        ("id INTEGER PRIMARY KEY, when_done TEXT", "no columns routine, side, started, ended, strokes_done, "
         "strokes_planned, status, tenderness"),
        (COACH_COLUMNS.replace(", ended TEXT", ""), "no column ended"),
        (COACH_COLUMNS + ", mood TEXT NOT NULL", "its column mood needs a value that coach does not give"),
        (COACH_COLUMNS + ", a TEXT NOT NULL, b INT NOT NULL", "its columns a, b need values that coach does not give"),
    ],
)  # fmt: skip
def test_a_sessions_table_coach_did_not_make_is_one_sentence_before_anything_plays(
    mini_home: Path, columns: str, problem: str
) -> None:
    path = foreign_log(mini_home, columns)
    message = f"Error: The program log {path} has a sessions table that coach did not make ({problem}): move it aside, "
    message += "and coach starts a new one.\n"
    played: list[int] = []
    Output = recording(played)
    for args in (
        ["mini", "--side", "right"], ["mini", "--side", "auto", "--script"], ["history"],
        ["log", "mini", "--side", "left", "--tenderness", "2"],
    ):  # fmt: skip
        result = run(*args, audio=buffers(Output))
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", message), args
    assert played == []


def test_rows_coach_cannot_read_are_left_out_with_a_warning(mini_home):
    path = foreign_log(
        mini_home,
        COACH_COLUMNS + ", note TEXT",  # a column of its own that may stay empty: the log is usable
        [
            (1, "mini", "right", "yesterday", None, 2, 2, "finished", None, "x"),
            (2, "mini", "middle", "2026-11-21T08:00:00", None, 2, 2, "finished", None, None),
            (3, "mini", "left", "21/11/2026 08:00", None, 2, 2, "finished", None, None),
            (4, "mini", "left", "2026-11-21T08:00:00", None, "two", 2, "finished", None, None),
            (5, "mini", "left", "2026-11-21T08:00:00", None, 2, 2, "done", None, None),
            (6, "mini", "left", "2026-11-21T08:00:00", None, 2, 2, "finished", "high", None),
            (7, "mini", "left", "2026-11-21T08:00:00", None, 2, 2, "finished", 11, None),
            (8, None, "left", "2026-11-21T08:00:00", None, 2, 2, "finished", 1, None),
            (9, "mini", "right", "2026-11-21T08:00:00", None, 2, 2, "finished", 4, None),
            (10, "mini", "right", "2026-11-21T12:00:00+00:00", None, 1, 2, "stopped", None, None),
        ],
    )
    warning = (
        f"Warning: 8 rows of the program log {path} cannot be read (such as row 1: the start time 'yesterday' is "
        "not an ISO 8601 date and time); left out.\n"
    )
    history = run("history", "mini")
    assert (history.exit_code, history.stderr) == (0, warning)
    assert history.stdout.splitlines() == [
        "mini: 2 sessions a day for 3 days, until it is fine",
        "  day  date        right   left  strokes  tender right  left  skipped",
        "    1  2026-11-21    2/2    0/2        3             4     -        -",
    ]  # rows 9 and 10 only: two on the right (one stopped after a stroke), tenderness 4 there
    with ProgramLog(path) as log:
        log.entries()
        assert log.unreadable == [
            (1, "the start time 'yesterday' is not an ISO 8601 date and time"),
            (2, "the side is 'middle'"),
            (3, "the start time '21/11/2026 08:00' is not an ISO 8601 date and time"),
            (4, "the strokes are 'two' of '2'"),
            (5, "the status is 'done'"),
            (6, "the tenderness is 'high'"),
            (7, "the tenderness is '11'"),
            (8, "the routine is 'None'"),
        ]
    auto = run("mini", "--side", "auto", "--script")  # two on the right today: the left is due
    assert (auto.exit_code, auto.stderr) == (0, warning)
    assert auto.stdout.startswith("Mini, left side:")
    live = run("mini", "--side", "auto")
    assert live.stderr.startswith(warning + "Playing Mini, left side")
    assert query(path, "SELECT id, side, status FROM sessions WHERE id > 10") == [(11, "left", "finished")]


HOLDER = """\
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("holding", flush=True)
sys.stdin.read()
"""


def test_a_log_another_program_holds_locked_is_said_before_anything_plays(mini_home: Path, tmp_path: Path) -> None:
    path = mini_home / "data" / "log.sqlite3"
    with ProgramLog(path):
        pass
    script = tmp_path / "holder.py"
    script.write_text(HOLDER)
    holder = subprocess.Popen(
        [sys.executable, str(script), str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    played: list[int] = []
    Output = recording(played)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "holding\n"
        who = f"another program (pid {holder.pid}: {sys.executable} {script} {path})"
        result = run("mini", "--side", "right", audio=buffers(Output))
        assert (result.exit_code, result.stderr, played) == (
            1,
            f"Error: The program log {path} is held locked by {who}: close it, then run this again, or play with "
            "--no-log.\n",
            [],
        )
        noted = run("log", "mini", "--side", "left", "--tenderness", "2")
        assert (noted.exit_code, noted.stderr) == (
            1, f"Error: The program log {path} is held locked by {who}: close it, then run this again.\n"
        )  # fmt: skip
        assert run("history").exit_code == 0  # reading is not held up
        assert run("mini", "--side", "right", "--no-log", audio=buffers(Output)).exit_code == 0
    finally:
        holder.communicate("", timeout=30)
    assert played != []
    assert run("mini", "--side", "right").exit_code == 0
    assert rows(mini_home) == [("mini", "right", 2, 2, "finished", None)]


MADE_AND_HELD = """\
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("CREATE TABLE IF NOT EXISTS notes (text TEXT)")
db.execute("BEGIN EXCLUSIVE")
print("holding", flush=True)
if len(sys.argv) > 2:
    time.sleep(float(sys.argv[2]))
else:
    sys.stdin.read()
db.execute("COMMIT")
"""


def hold(script: Path, path: Path, *args: str) -> subprocess.Popen[str]:
    """Another process that makes `path` a database of its own (not in WAL mode) and holds it with an exclusive lock,
    until its input ends (or for the seconds given)."""
    script.write_text(MADE_AND_HELD)
    holder = subprocess.Popen(
        [sys.executable, str(script), str(path), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
    return holder


def test_a_log_another_program_made_and_holds_is_named_by_every_command_that_opens_it(
    mini_home: Path, tmp_path: Path
) -> None:
    """Another program made the log and holds it with an exclusive lock: every command that opens it waited 10 s
    (the wait meant for another coach's transaction of a few milliseconds) and said "cannot be opened (database is
    locked)", naming nothing, where a lock on a log coach made was named. Now it is named from the system's table of
    locks (/proc/locks) after one look, SLICE_MS: a live session, the log, the history, a file for --side auto."""
    path = mini_home / "data" / "log.sqlite3"
    path.parent.mkdir(parents=True)
    script = tmp_path / "holder.py"
    holder = hold(script, path)
    played: list[int] = []
    Output = recording(played)
    try:
        who = f"another program (pid {holder.pid}: {sys.executable} {script} {path})"
        held = f"Error: The program log {path} is held locked by {who}: close it, then run this again"
        live = run("mini", "--side", "right", audio=Output)
        assert (live.exit_code, live.stderr, played) == (1, f"{held}, or play with --no-log.\n", [])
        noted = ["log", "mini", "--side", "left", "--tenderness", "2"]
        for args in (["history"], noted, ["mini", "--side", "auto", "-o", str(tmp_path / "s.mp3")]):
            result = run(*args, audio=Output)
            assert (result.exit_code, result.stdout, result.stderr, played) == (1, "", f"{held}.\n", []), args
    finally:
        holder.communicate("", timeout=30)
    assert run("mini", "--side", "right").exit_code == 0  # free again: coach's table goes beside the other's
    assert rows(mini_home) == [("mini", "right", 2, 2, "finished", None)]


def test_a_lock_another_coach_holds_is_waited_for(mini_home, tmp_path):
    """Another coach process's lock is one of its transactions, a few milliseconds: it is waited for (up to
    BUSY_MS), not refused as another program's is. This holder is named coach and lets go after 0.3 s."""
    path = mini_home / "data" / "log.sqlite3"
    path.parent.mkdir(parents=True)
    (tmp_path / "bin").mkdir()
    holder = hold(tmp_path / "bin" / "coach", path, "0.3")
    try:
        noted = run("log", "mini", "--side", "left", "--tenderness", "2")
    finally:
        holder.communicate("", timeout=30)
    assert (noted.exit_code, noted.stdout) == (0, "Recorded tenderness 2 for mini, left side (today, on its own).\n")


def test_a_lock_whose_holder_the_system_does_not_name_is_said_plainly(mini_home, tmp_path, monkeypatch):
    """Where the table of locks says nothing (another system, or no /proc/locks: simulated here), the programs that
    have the log open are named as such; where nothing is known, the sentence says so."""
    from coach import programlog

    path = mini_home / "data" / "log.sqlite3"
    path.parent.mkdir(parents=True)
    script = tmp_path / "holder.py"
    holder = hold(script, path)
    monkeypatch.setattr(programlog, "PROC_LOCKS", tmp_path / "no-locks")
    try:
        opened = run("log", "mini", "--side", "left", "--tenderness", "2")
        (tmp_path / "empty").mkdir()
        monkeypatch.setattr(programlog, "PROC", tmp_path / "empty")
        unknown = run("history")
    finally:
        holder.communicate("", timeout=30)
    unnamed = f"Error: The program log {path} is held locked by another program, which the system does not name"
    assert (opened.exit_code, opened.stderr) == (
        1, f"{unnamed} (it is open in pid {holder.pid}: {sys.executable} {script} {path}): close it, then run this "
        "again.\n",
    )  # fmt: skip
    assert (unknown.exit_code, unknown.stderr) == (1, f"{unnamed}: close it, then run this again.\n")


def test_a_lock_taken_while_a_session_plays_never_holds_it_up_and_the_record_is_made_after(
    mini_home: Path, tmp_path: Path
) -> None:
    """Another program locks the log as the sound starts and lets it go 20 s into the 27 s session (by the fake
    clock, which moves only as the session sleeps): the session's start and both strokes meet the lock. The session
    plays on, and the record is whole at the end, started when the sound did; before, the first write waited 10 s
    and ended the session."""
    path = mini_home / "data" / "log.sqlite3"
    script = tmp_path / "holder.py"
    script.write_text(HOLDER)
    clock = FakeClock()
    holder: list[subprocess.Popen[str]] = []
    strokes_locked = []

    class LockingOutput(ClockedOutput):
        def play(self, pcm, rate):
            if not holder:
                holder.append(subprocess.Popen(
                    [sys.executable, str(script), str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
                ))  # fmt: skip
                assert holder[0].stdout.readline() == "holding\n"
            return super().play(pcm, rate)

    class ReleasingClock(FakeClock):
        def sleep(self, seconds):
            super().sleep(seconds)
            if holder and holder[0].returncode is None and self.seconds - self.start >= 20:
                strokes_locked.append(query(path, "SELECT strokes_done, status FROM sessions"))
                holder[0].communicate("", timeout=30)  # its lock goes as it ends

    clock = ReleasingClock()
    try:
        result = run("mini", "--side", "right", audio=buffers(lambda: LockingOutput(clock)), clock=clock.clock())
    finally:
        for process in holder:
            if process.returncode is None:
                process.communicate("", timeout=30)
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (0, "Session complete."), result.stderr
    assert strokes_locked == [[]]  # nothing could be written while the sound started and both strokes were done
    assert rows(mini_home) == [("mini", "right", 2, 2, "finished", None)]
    assert query(path, "SELECT started, ended FROM sessions") == [("2026-11-21T09:30:00", "2026-11-21T09:30:27")]
    path.unlink()
    free = FakeClock()
    assert run("mini", "--side", "right", audio=buffers(lambda: ClockedOutput(free)), clock=free.clock()).exit_code == 0
    assert query(path, "SELECT started, ended FROM sessions") == [("2026-11-21T09:30:00", "2026-11-21T09:30:27")]
    # the same times with no lock: waiting for it took nothing from the session


def noted(side, day, tender, hour=9, status="finished"):
    return entry(side, day=date(2026, 11, day), hour=hour, tender=tender, status=status)


def test_a_side_is_done_after_three_days_in_a_row_at_1_or_less_and_a_3_opens_it_again():
    log = [noted("right", 15, 4), noted("right", 16, 1), noted("right", 17, 0), noted("both", 18, 1)]
    assert side_done(log, "psoas", Side.RIGHT, date(2026, 11, 18)) == date(2026, 11, 18)
    assert side_done(log, "psoas", Side.RIGHT, date(2026, 11, 17)) is None  # two days so far
    assert side_done(log, "psoas", Side.LEFT, DAY) is None  # one day on the left
    assert sides_due(log, "psoas", DAY) == (Side.LEFT,)
    assert auto_side(log, "psoas", DAY) == Side.LEFT  # the side still due, though it had more sessions today
    gap = [noted("right", 15, 1), noted("right", 16, 0), noted("right", 18, 1)]  # not in a row
    assert side_done(gap, "psoas", Side.RIGHT, DAY) is None
    two = [noted("right", 15, 1), noted("right", 16, 2), noted("right", 17, 1), noted("right", 18, 0)]
    assert side_done(two, "psoas", Side.RIGHT, DAY) is None  # a 2 breaks the run
    last_of_day = [noted("right", 15, 1), noted("right", 16, 5, hour=8), noted("right", 16, 1), noted("right", 17, 1)]
    assert side_done(last_of_day, "psoas", Side.RIGHT, DAY) == date(2026, 11, 17)  # the day's last note counts
    reopened = [*log, noted("right", 19, 2), noted("right", 20, 3)]
    assert side_done(reopened[:-1], "psoas", Side.RIGHT, DAY) == date(2026, 11, 18)  # a 2 does not reopen it
    assert side_done(reopened, "psoas", Side.RIGHT, DAY) is None
    assert sides_due(reopened, "psoas", DAY) == (Side.RIGHT, Side.LEFT)
    logged = [noted("right", 15, 1, status="logged"), noted("right", 16, 1, status="logged"), noted("right", 17, 0)]
    assert side_done(logged, "psoas", Side.RIGHT, DAY) == date(2026, 11, 17)  # coach log notes count too


def test_the_program_line_and_history_say_a_side_is_done():
    log = [noted("right", 16, 1), noted("right", 17, 0), noted("right", 18, 1)]
    where = standing(log, "psoas", PROGRAM, Side.RIGHT, DAY)
    assert where.text() == (
        "Your right side has been tender at 1 or less for 3 days in a row, so that program is done. This session "
        "is an extra one."
    )
    assert where.text(short=True) == "Right side done. An extra session."
    assert standing(log, "psoas", PROGRAM, Side.BOTH, DAY).done == ()  # the left side goes on: the usual line
    assert history_text(log, {"psoas": PROGRAM}).splitlines()[-1] == (
        "  The right side's program is done: tender at 1 or less on 3 days in a row, to 2026-11-18."
    )
