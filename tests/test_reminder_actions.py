"""The desktop reminder's buttons: Start, Snooze and Skip, offered where the notification server shows actions,
answered by a fake notification server on a private dbus-daemon (tests/desktop_bus.py), and acted on: the
session's command run with its exact arguments and environment (and once for real, its sound captured through
ALSA's file plugin), the reminder shown again 20 minutes later by the fake clock (on a bus that went away and came
back meanwhile), the Skip as its exact row in the log; the wait bounded, and the notification closed at its end."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from conftest import MINI, FakeClock, deps, fill_cache, run_cli
from desktop_bus import CLOSE, listening, notification_service, private_bus

from coach.desktop import reminder
from coach.desktop.reminder import actions, next_due
from coach.kinds import Shape, Side
from coach.programlog import ProgramLog
from coach.reminders import Window, plan_reminders

COACH = ("/usr/bin/coach",)  # how the reminder names coach: the argv it runs starts with it
ALL = ["start", "Start", "snooze", "Snooze 20 min", "skip", "Skip"]  # the actions as Notify is sent them
BODY = "coach psoas --side auto (both sides), or the MP3. Day 1 of 14; sessions today: right 2, left 2."


def record(data: Path, *hours: int, side: str = "both", day: datetime = datetime(2026, 11, 21)) -> None:
    """Finished sessions of psoas today, at these hours, each with 8 strokes a side (6 at least)."""
    with ProgramLog(data / "log.sqlite3") as log:
        for hour in hours:
            started = day.replace(hour=hour)
            session = log.begin("psoas", Side(side), 16 if side == "both" else 8, started, least=6, shape="quick")
            log.progress(session, (8, 8) if side == "both" else (8,), Side(side))
            log.end(session, True, 16 if side == "both" else 8, started + timedelta(minutes=4))


class Played:
    """The session command the reminder runs, recorded; its exit status `status`."""

    def __init__(self, status: int = 0) -> None:
        self.status = status
        self.runs: list[tuple[list[str], dict[str, str]]] = []

    def __call__(self, args, environment) -> int:
        self.runs.append((list(args), dict(environment)))
        return self.status


def answered(tmp_path: Path, answers: list[str | None], at: datetime, play: Played | None = None, clock=None):
    """`coach remind --notify psoas` at `at`, on a private bus whose notification server shows actions and gives
    these answers in turn: the result, the notifications, the ids it was asked to close, and the clock."""
    clock = clock or FakeClock(at)
    with private_bus() as address, notification_service(address) as server:
        server.capabilities = ["body", "actions"]
        server.answers = list(answers)
        parts = {"clock": clock.clock(), "bus": address, "coach": COACH, "play": play or Played()}
        result = run_cli("remind", "--notify", "psoas", deps=deps(**parts))
    return result, server.received, server.closed, clock


def logged(tmp_path: Path) -> list[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(tmp_path / "data" / "log.sqlite3")) as db:
        return db.execute("SELECT * FROM sessions WHERE status = 'skipped'").fetchall()


def test_start_runs_the_session_command_with_the_reminders_environment(tmp_path):
    record(tmp_path / "data", 8, 10)
    play = Played()
    result, shown, closed, _ = answered(tmp_path, ["start"], datetime(2026, 11, 21, 13, 13), play)
    assert [(n["summary"], n["body"], n["actions"], n["expire"]) for n in shown] == [
        ("Psoas release, session 3 of 6 on each side", BODY, ALL, 0)
    ]  # expiry 0: a notification with buttons stays until it is answered, or coach closes it
    ((args, environment),) = play.runs
    assert args == ["/usr/bin/coach", "psoas", "--side", "auto"]
    address = environment["DBUS_SESSION_BUS_ADDRESS"]  # the private bus's
    assert environment == {
        **os.environ,
        "COACH_CONFIG_DIR": str(tmp_path / "config"),
        "COACH_DATA_DIR": str(tmp_path / "data"),
        "COACH_CACHE_DIR": str(tmp_path / "cache"),
        "DBUS_SESSION_BUS_ADDRESS": address,
    }  # the user's session (its sound server, XDG_RUNTIME_DIR) as the reminder's service has it, on the same bus
    assert address.startswith("unix:path=") and address != os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    assert (result.exit_code, result.stdout) == (
        0,
        f"Reminded: Psoas release, session 3 of 6 on each side. {BODY}\nStarted: coach psoas --side auto.\n",
    )
    assert closed == [] and logged(tmp_path) == []


def test_a_session_that_fails_is_the_reminders_exit_status(tmp_path):
    result, _, _, _ = answered(tmp_path, ["start"], datetime(2026, 11, 21, 8, 5), Played(status=3))
    assert result.exit_code == 3  # no audio output, say: the journal shows the service failed, and why


def test_with_one_side_due_start_plays_that_side(tmp_path):
    with ProgramLog(tmp_path / "data" / "log.sqlite3") as log:
        for day in (18, 19, 20):  # the right side tender at 1 or less three days in a row: its program is done
            session = log.begin("psoas", "right", 8, datetime(2026, 11, day, 9), least=6)
            log.progress(session, (8,), "right")
            log.end(session, True, 8, datetime(2026, 11, day, 9, 4))
            log.set_tenderness(session, 1)
    play = Played()
    _, shown, _, _ = answered(tmp_path, ["start"], datetime(2026, 11, 21, 8, 5), play)
    assert shown[0]["summary"] == "Psoas release, session 1 of 6 on the left side"
    assert play.runs[0][0] == ["/usr/bin/coach", "psoas", "--side", "left"]


def test_skip_is_recorded_as_its_own_row_and_never_counted(tmp_path):
    record(tmp_path / "data", 8, 10)
    result, shown, _, _ = answered(tmp_path, ["skip"], datetime(2026, 11, 21, 13, 13))
    assert (result.exit_code, result.stdout.splitlines()[1:]) == (
        0, ["Skipped: session 3 on each side, recorded as skipped; it does not count toward today."]
    )  # fmt: skip
    assert logged(tmp_path) == [
        (3, "psoas", "both", "2026-11-21T13:13:00", "2026-11-21T13:13:00", 0, 0, "skipped", None, None, None, 0, None,
         "", "", 3),
    ]  # fmt: skip
    clock = FakeClock(datetime(2026, 11, 21, 15, 50)).clock()
    history = run_cli("history", "psoas", deps=deps(clock=clock))
    assert history.stdout.splitlines()[1:] == [
        "  day  date        right   left  strokes  tender right  left  skipped",
        "    1  2026-11-21    2/6    2/6       32             -     -        1",
    ]
    plan = run_cli("remind", "psoas", deps=deps(clock=clock))
    assert plan.stdout.splitlines()[2:6] == [
        "  08:00  Psoas release, session 1 of 6 on each side: coach psoas --side auto, or the MP3  (done today)",
        "  10:36  Psoas release, session 2 of 6 on each side: coach psoas --side auto, or the MP3  (done today)",
        "  13:12  Psoas release, session 3 of 6 on each side: coach psoas --side auto, or the MP3  (skipped today)",
        "  15:48  Psoas release, session 4 of 6 on each side: coach psoas --side auto, or the MP3",
    ]
    _, shown, _, _ = answered(tmp_path, [CLOSE], datetime(2026, 11, 21, 15, 48, 30))
    assert shown[0]["summary"] == "Psoas release, session 3 of 6 on each side"  # the skipped one is still to do


def test_snooze_shows_it_again_20_minutes_later(tmp_path):
    record(tmp_path / "data", 8, 10)
    result, shown, closed, clock = answered(tmp_path, ["snooze", "skip"], datetime(2026, 11, 21, 13, 13))
    assert closed == []
    assert [(n["summary"], n["actions"]) for n in shown] == [
        ("Psoas release, session 3 of 6 on each side", ALL),
        ("Psoas release, session 3 of 6 on each side", ALL),  # 13:33: a snooze still fits before 15:47
    ]
    assert clock.now() == datetime(2026, 11, 21, 13, 33)  # the fake clock slept the 20 minutes
    assert result.stdout.splitlines() == [
        f"Reminded: Psoas release, session 3 of 6 on each side. {BODY}",
        "Snoozed: shown again at 13:33.",
        f"Reminded: Psoas release, session 3 of 6 on each side. {BODY}",
        "Skipped: session 3 on each side, recorded as skipped; it does not count toward today.",
    ]
    assert [row[3] for row in logged(tmp_path)] == ["2026-11-21T13:33:00"]


def test_snooze_is_offered_only_while_it_fits_in_the_wait():
    """The wait ends an hour after the first showing, or a minute before the next reminder: a snooze is offered
    while its showing again comes before that; with less than a minute, no buttons at all."""
    at = datetime(2026, 11, 21, 13, 13)
    start_skip = (("start", "Start"), ("skip", "Skip"))
    assert actions(at, at + timedelta(hours=1)) == (("start", "Start"), ("snooze", "Snooze 20 min"), ("skip", "Skip"))
    assert actions(at, at + timedelta(minutes=20)) == start_skip
    assert actions(at, at + timedelta(minutes=1)) == start_skip
    assert actions(at, at + timedelta(seconds=59)) == ()


def test_the_next_reminder_is_later_today_or_tomorrows_first(psoas):
    plan = plan_reminders(psoas, "psoas", [], datetime(2026, 11, 21).date(), Window(), ())
    assert next_due(plan, plan.reminders[2]) == datetime(2026, 11, 21, 15, 48)
    assert next_due(plan, plan.reminders[5]) == datetime(2026, 11, 22, 8, 0)


def test_snoozes_end_with_the_wait_and_the_last_is_answered_without_snooze(tmp_path):
    result, shown, _, clock = answered(tmp_path, ["snooze", "snooze", CLOSE], datetime(2026, 11, 21, 8, 0))
    assert [n["actions"] for n in shown] == [ALL, ALL, ALL[:2] + ALL[4:]]  # 08:40: 09:00 is the hour's end
    assert clock.now() == datetime(2026, 11, 21, 8, 40)
    assert result.stdout.splitlines()[-1] == "Closed without an answer."
    odd, _, _, _ = answered(tmp_path, ["snooze", "snooze", "snooze"], datetime(2026, 11, 21, 8, 0))
    assert odd.stdout.splitlines()[-1] == "No answer: an action coach did not offer (snooze)."  # a server's fault


def test_no_answer_in_time_closes_the_notification(tmp_path, monkeypatch):
    monkeypatch.setattr(reminder, "LEAST", timedelta(seconds=1))  # a wait of 2 s: 10:34:58 to 10:35
    result, shown, closed, _ = answered(tmp_path, [None], datetime(2026, 11, 21, 10, 34, 58))
    assert [n["actions"] for n in shown] == [ALL[:2] + ALL[4:]]
    assert closed == [1]  # no button is left that nothing answers
    assert (result.exit_code, result.stdout.splitlines()[1:]) == (0, ["No answer: no answer in time."])


def test_a_server_without_actions_gets_the_plain_notification_and_nothing_waits(tmp_path):
    with private_bus() as address, notification_service(address) as server:
        server.answers = ["start"]  # it would answer, but it shows no actions: nothing is waited for
        clock = FakeClock(datetime(2026, 11, 21, 8, 5)).clock()
        result = run_cli("remind", "--notify", "psoas", deps=deps(clock=clock, bus=address, play=Played()))
    assert [(n["actions"], n["expire"]) for n in server.received] == [([], -1)]
    assert result.stdout.count("\n") == 1 and result.stdout.startswith("Reminded: ")


def test_a_snooze_outlives_the_session_bus_going_away(tmp_path):
    """The bus goes away while the reminder is snoozed, and a new one comes up at the same address (a desktop
    session restarted): the reminder is shown again on the new bus, whose server's Skip is recorded."""
    folder = tmp_path / "bus"
    folder.mkdir()
    servers = []

    class Restarting(FakeClock):
        def sleep(self, seconds):
            super().sleep(seconds)
            first_bus.close()  # the first bus and its notification server go
            servers.append(stack.enter_context(notification_service(stack.enter_context(private_bus(folder)))))
            servers[-1].capabilities = ["body", "actions"]
            servers[-1].answers = ["skip"]

    with contextlib.ExitStack() as stack, contextlib.ExitStack() as first_bus:
        address = first_bus.enter_context(private_bus(folder))
        first = first_bus.enter_context(notification_service(address))
        first.capabilities, first.answers = ["body", "actions"], ["snooze"]
        clock = Restarting(datetime(2026, 11, 21, 8, 5))
        result = run_cli("remind", "--notify", "psoas", deps=deps(clock=clock.clock(), bus=address, play=Played()))
    assert (len(first.received), len(servers[0].received)) == (1, 1)
    assert result.stdout.splitlines()[1:] == [
        "Snoozed: shown again at 08:25.",
        "Reminded: Psoas release, session 1 of 6 on each side. coach psoas --side auto (both sides), or the MP3. "
        "Day 1 of 14; sessions today: right 0, left 0.",
        "Skipped: session 1 on each side, recorded as skipped; it does not count toward today.",
    ]
    assert [(row[2], row[3], row[15]) for row in logged(tmp_path)] == [("both", "2026-11-21T08:25:00", 1)]


def test_the_bus_going_away_while_waiting_is_one_sentence(tmp_path):
    folder = tmp_path / "bus"
    folder.mkdir()
    with contextlib.ExitStack() as bus:
        address = bus.enter_context(private_bus(folder))
        server = bus.enter_context(notification_service(address))
        server.capabilities, server.answers = ["body", "actions"], [None]

        def end_the_bus_once_shown() -> None:
            while not server.received:
                threading.Event().wait(0.01)
            bus.close()

        ender = threading.Thread(target=end_the_bus_once_shown)
        ender.start()
        clock = FakeClock(datetime(2026, 11, 21, 8, 5)).clock()
        result = run_cli("remind", "--notify", "psoas", deps=deps(clock=clock, bus=address, play=Played()))
        ender.join(30)
    assert (result.exit_code, result.stdout.splitlines()[1:]) == (0, ["No answer: the session bus went away."])


def test_the_session_runs_with_no_input_and_is_stopped_as_systemd_stops_the_job(tmp_path):
    """run_session, what Start runs the session with: the child's status; and when the job is stopped meanwhile
    (SIGTERM, a KeyboardInterrupt here), the child is stopped with SIGTERM, so it records how far it went, and waited
    for."""
    import signal

    from coach.cli.deps import run_session

    child = (
        "import os, signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *a: (open(sys.argv[1], 'w').write('stopped'), sys.exit(143)))\n"
        "time.sleep(float(os.environ['WAIT']))\n"
        "sys.exit(int(os.environ['STATUS']) if sys.stdin.read() == '' else 99)\n"  # no input: /dev/null
    )
    args = [sys.executable, "-c", child, str(tmp_path / "stopped")]
    assert run_session(args, {**os.environ, "WAIT": "0", "STATUS": "3"}) == 3
    previous = signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        signal.setitimer(signal.ITIMER_REAL, 1.0)
        with pytest.raises(KeyboardInterrupt):
            run_session(args, {**os.environ, "WAIT": "60", "STATUS": "0"})
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert (tmp_path / "stopped").read_text() == "stopped"


# --- end to end ---------------------------------------------------------------------------------------------------

PROGRAM = '\n[program]\nsessions_per_day = 2\ndays = 3\nuntil = "it is fine"\nreminder = "Be gentle."\n'


@pytest.mark.e2e
def test_start_plays_the_session_through_alsa_with_no_terminal_and_its_player_on_the_bus(tmp_path):
    """The command the reminder's service runs, as a process of its own: Start runs the real `coach mini --side
    auto`, which plays into ALSA's file plugin (no sound card) with no terminal, is an MPRIS player on the same bus
    while it plays, and is logged; the samples are exactly the session's, with its program line."""
    from coach.mixer import render_all
    from coach.routine import parse_routine
    from coach.script import Options, build_script
    from coach.session import prepare
    from coach.speech.cache import Speaker, SpeechCache

    home, data, config, cache = tmp_path, tmp_path / "data", tmp_path / "config", tmp_path / "cache"
    (config / "routines").mkdir(parents=True)
    (config / "routines" / "mini.toml").write_text(MINI + PROGRAM)
    routine = parse_routine(MINI + PROGRAM, "mini.toml", "mini")
    options = Options(side=Side.BOTH, standing="This is your first session: day 1 of 3.", shape=Shape.TEACH)
    fill_cache(cache, [*build_script(routine, options).texts(), "Paused.", "Three.", "Two.", "One."])
    capture = home / "capture.raw"
    (home / ".asoundrc").write_text(
        f'pcm.!default {{\n  type file\n  slave.pcm "null"\n  file "{capture}"\n  format "raw"\n  truncate false\n}}\n'
    )
    env = {**os.environ, "HOME": str(home), "COACH_AUDIO": "simpleaudio", "COACH_DATA_DIR": str(data),
           "COACH_CONFIG_DIR": str(config), "COACH_CACHE_DIR": str(cache)}  # fmt: skip
    with private_bus() as address, notification_service(address) as server:
        server.capabilities, server.answers = ["body", "actions"], ["start"]
        rule = "type='signal',member='NameOwnerChanged',arg0='org.mpris.MediaPlayer2.coach'"
        with listening(address, [rule]) as seen:
            done = subprocess.run(
                [sys.executable, "-m", "coach", "remind", "--notify", "mini", "--from", "07:00", "--per-day", "1"],
                env={**env, "DBUS_SESSION_BUS_ADDRESS": address}, stdin=subprocess.DEVNULL, capture_output=True,
                text=True, timeout=300,
            )  # fmt: skip
            assert seen.wait_for(lambda member, body: body[2] == "", timeout=10)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "Reminded: Mini, session 1 of 1 on each side. coach mini --side auto (both sides), or the MP3. Day 1 of 3; "
        "sessions today: right 0, left 0.\nStarted: coach mini --side auto.\n"
    )
    assert done.stderr.startswith("Playing Mini, both sides: 2 strokes a side") and done.stderr.endswith(
        "Session complete.\n"
    )  # no keys, no tenderness question: there is no terminal
    owners = [body for member, body in seen.seen]
    assert [(name, bool(old), bool(new)) for name, old, new in owners] == [
        ("org.mpris.MediaPlayer2.coach", False, True), ("org.mpris.MediaPlayer2.coach", True, False),
    ]  # fmt: skip
    with contextlib.closing(sqlite3.connect(data / "log.sqlite3")) as db:
        assert db.execute("SELECT routine, side, strokes_done, status, shape FROM sessions").fetchall() == [
            ("mini", "both", 4, "finished", "teach")
        ]
    speaker = Speaker(deps().engines("piper"), "en_US-joe-medium", 1.0, SpeechCache(cache))
    session = prepare(routine, options, speaker)
    expected = render_all(session.timeline, session.clips, 0, session.timeline.length, channels=2)
    parts = sorted(home.glob("capture.raw*"), key=lambda p: (len(p.name), p.name))
    played = np.concatenate([np.fromfile(p, dtype="<i2") for p in parts]).reshape(-1, 2)  # stereo, interleaved
    assert len(played) == session.timeline.length and np.array_equal(played, expected)
