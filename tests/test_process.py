"""The process at its edges, as a shell runs it: signals (Ctrl-C from the first instant, SIGTERM, SIGHUP), standard
streams that are closed or a pipe that closes early. Each ends in one short message or none, with the status a
Unix user expects, never a traceback or a file left behind. docs/reliability.md lists these cases and their counts.

Exit statuses: 130 Ctrl-C, 143 SIGTERM, 129 SIGHUP (128 and the signal's number, as a shell reports a program the
signal stopped); 141 output into a pipe that was closed (as `coach list | head -1`: nothing is said, as for a
program SIGPIPE stopped); 1 standard output closed (`>&-`), with one sentence.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import MINI, fill_cache, install_routine, process_env

import coach
from coach.catalog import builtin_sources
from coach.kinds import Side, Tempo
from coach.live import NUMBER_TEXTS, question_text
from coach.routine import parse_routine
from coach.script import Options, build_script

COACH = Path(sys.executable).with_name("coach")  # the console script, as a user runs it
PACKAGE = Path(coach.__file__).parent


@pytest.fixture
def env(tmp_path):
    install_routine(tmp_path)
    return process_env(tmp_path)


LIST = (
    "iliacus         Iliacus release (8 strokes a side, 6-12 advised)\n"
    "mini            Mini (2 strokes a side, 1-3 advised)\n"
    "psoas           Psoas release (8 strokes a side, 6-12 advised)\n"
    "psoas-gentle    Gentle psoas (6 strokes a side, 6-12 advised)\n"
    "psoas-partner   Psoas with a partner (8 strokes a side, 6-12 advised)\n"
)


def test_ctrl_c_at_any_moment_of_start_up_is_a_short_message(env):
    """Ctrl-C every 5 ms through the first 0.3 s of `coach list` (imports, loading the routines, printing, ending).

    The only other outcomes allowed are the interpreter's own: killed before Python handles signals at all (no
    output), and its traceback when the signal comes while it imports its own `site` module or looks for coach's
    first module, before any line of coach runs (no program can catch those); there, Python's own handler can also
    raise inside a callback, where the interrupt is printed as ignored and the command runs to its end."""
    seen = {"listed": 0, "stopped": 0, "before python": 0, "in python's start": 0}
    for step in range(60):
        process = subprocess.Popen(
            [str(COACH), "list"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        time.sleep(step * 0.005)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
        if (out, err) == (LIST, "") and process.returncode in (0, 130, -signal.SIGINT):
            seen["listed"] += 1  # done, or stopped as it ended (130), or by the interpreter's own ending (-2)
        elif (process.returncode, err) in ((130, "Stopped.\n"), (130, "\nStopped.\n")):
            seen["stopped"] += 1
        elif (process.returncode, out, err) == (-signal.SIGINT, "", ""):
            seen["before python"] += 1
        elif "KeyboardInterrupt" in err and f'File "{PACKAGE}' not in err and "Signalled" not in err:
            # importing site (a .pth file's line, which site reports and skips), or finding coach's first module: no
            # line of coach ran. Python's own handler may also raise inside the import system's clean-up callback,
            # which prints "Exception ignored" and goes on
            seen["in python's start"] += 1
        else:
            pytest.fail(f"after {step * 5} ms: status {process.returncode}, stdout {out!r}, stderr {err!r}")
    assert seen["stopped"] >= 1, seen  # the window was hit


def long_session(env: dict[str, str]) -> list[str]:
    """psoas on both sides, 12 strokes, slow: a 10-minute session, with its speech in the cache."""
    routine = next(s for s in builtin_sources() if s.name == "psoas").load()
    fill_cache(
        Path(env["COACH_CACHE_DIR"]),
        build_script(routine, Options(side=Side.BOTH, strokes=12, tempo=Tempo.SLOW)).texts(),
    )
    return ["psoas", "--side", "both", "--strokes", "12", "--tempo", "slow"]


def wait_for(predicate, seconds=60.0):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.002)


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 130)])
@pytest.mark.parametrize("suffix", [".mp3", ".wav"])
def test_a_signal_during_a_single_export_leaves_nothing(tmp_path, env, signum, status, suffix):
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / f"s{suffix}"
    process = subprocess.Popen(
        [str(COACH), *long_session(env), "-o", str(target), "--lyrics", "--srt"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    wait_for(lambda: any(p.name.endswith(".part") for p in folder.iterdir()))  # writing has begun
    process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out, err) == (status, "", f"Stopped: {target} was not written.\n")
    assert os.listdir(folder) == []


DRIVER = Path(__file__).with_name("ending_driver.py")
MINI_RIGHT = "Mini, right side: 2 strokes a side at 60 beats a minute (medium), brief guidance, 0:25 in all."
ENDINGS = {  # a command whose result is a file: its arguments, and the end of its work before the file is committed
    "a single export": (["mini", "--side", "right", "-o", "s.mp3"], "coach/output/export.py", "write_session"),
    "a calendar": (["remind", "psoas", "--ics", "p.ics"], "coach/output/calendar.py", "calendar_bytes"),
}


@pytest.mark.parametrize("command", ENDINGS)
def test_a_signal_at_any_step_of_a_commands_end_stops_it_in_time_or_comes_too_late(tmp_path, env, command):
    """Ctrl-C as a single export finished printed "Wrote s.mp3: ..." and then a traceback ending in Signalled, raised
    in __main__'s ending, status 1. tests/ending_driver.py forks at every place Python may meet a signal from the
    end of the work to the end of main() (the renames, the message, click's return, __main__'s ending: over 100),
    and each child meets Ctrl-C there: it is stopped in time (130, nothing in the folder) or too late to matter (the
    command's own messages, status and file, as the run itself ended), in that order, never anything else."""
    args, where, function = ENDINGS[command]
    folder = tmp_path / "out"
    folder.mkdir()
    args[-1] = str(folder / args[-1])
    results = tmp_path / "steps.jsonl"
    done = subprocess.run(
        [sys.executable, str(DRIVER), str(results), str(int(signal.SIGINT)), str(folder), where, function, "return",
         "--", *args],
        env={**env, "TZ": "Europe/Berlin"}, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    out, err = ((tmp_path / f"parent.{name}").read_text() for name in ("out", "err"))
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    if command == "a single export":
        assert (out, err) == ("", f"Wrote {args[-1]}: {MINI_RIGHT}\n")
        stopped = f"Stopped: {args[-1]} was not written.\n"
    else:
        assert re.fullmatch(rf"Wrote {re.escape(args[-1])}: 6 daily events, .* in Europe/Berlin\.\n", out), out
        stopped = "Stopped.\n"
    steps = [json.loads(line) for line in results.read_text().splitlines()]
    in_time = (130, "", stopped, [])
    too_late = (0, out, err, [Path(args[-1]).name])
    outcomes = [(step["status"], step["out"], step["err"], step["files"]) for step in steps]
    late = outcomes.index(too_late) if too_late in outcomes else len(outcomes)
    wrong = [step for n, step in enumerate(steps) if outcomes[n] != (in_time if n < late else too_late)]
    assert wrong == [], f"{len(wrong)} of {len(steps)} steps, such as {wrong[:3]}"
    places = {step["where"].split(":")[0].rsplit("/", 1)[-1] for step in steps[late:]}
    assert {"atomic.py", "core.py", "app.py", "__main__.py"} <= places, places
    assert steps[late - 1]["where"].endswith(" waiting call"), steps[late - 1]  # the last look before the renames
    assert len(steps) > 100 and late > 10, (len(steps), late)


def test_a_signal_as_an_uncut_function_starts_waits_for_its_end(monkeypatch: pytest.MonkeyPatch) -> None:
    """Python may run a handler as a function starts, before a `with held()` inside could hold the signal: a
    transaction's end met there left its temp file (found by the test above), and stopping the workers met there
    would leave them running. An uncut function is held from its first instruction, and the signal is met as it
    returns."""
    from coach import signals

    monkeypatch.setattr(signals, "state", signals.State())
    ran: list[str] = []

    def clean_up() -> None:
        ran.append("started")
        ran.append("done")

    def met_as_it_starts(function) -> list[str]:
        ran.clear()

        def profile(frame, event, arg):
            if event == "call" and frame.f_code is function.__code__:
                sys.setprofile(None)
                os.kill(os.getpid(), signal.SIGINT)  # its handler runs here, as `function` starts

        old = signal.signal(signal.SIGINT, signals.stop)
        try:
            sys.setprofile(profile)
            with pytest.raises(signals.Signalled) as caught:
                function()
        finally:
            sys.setprofile(None)
            signal.signal(signal.SIGINT, old)
        assert caught.value.signum == signal.SIGINT
        return list(ran)

    assert met_as_it_starts(clean_up) == []
    assert met_as_it_starts(signals.uncut(clean_up)) == ["started", "done"]
    assert (signals.state.held, signals.state.pending, signals.state.raised) == (0, [], [signal.SIGINT] * 2)


SETTLED = """
import os, signal, sys
from coach import signals
signals.note_early()
signals.take_over()
signals.settle()
os.kill(os.getpid(), signal.SIGINT)
print("the first is too late", flush=True)
os.kill(os.getpid(), signal.SIGTERM)
print("not printed", flush=True)
"""


def test_once_the_result_is_settled_a_signal_is_let_go_and_a_second_ends_the_process():
    done = subprocess.run([sys.executable, "-c", SETTLED], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (143, "the first is too late\n", "")


def test_output_into_a_pipe_closed_early_is_silent_with_status_141(env):
    for args in (["list"], ["--help"], ["mini", "--side", "right", "--script"], ["show", "mini"]):
        reader, writer = os.pipe()
        os.close(reader)  # as `| head -1` once head has gone
        done = subprocess.run([str(COACH), *args], env=env, stdout=writer, stderr=subprocess.PIPE, text=True)
        os.close(writer)
        assert (done.returncode, done.stderr) == (141, ""), args


def closed(stream: str, *args: str) -> list[str]:
    """The command with standard input (0), output (1) or error (2) closed, as `coach ... >&-` in a shell."""
    return ["sh", "-c", f'exec "$0" "$@" {stream}>&-', str(COACH), *args]


def test_a_closed_standard_output_is_one_sentence_and_status_1(env):
    for args in (["list"], ["mini", "--side", "right", "--script"], ["--help"], ["voices"]):
        done = subprocess.run(closed("1", *args), env=env, capture_output=True, text=True)
        assert (done.returncode, done.stderr) == (
            1,
            "Error: Cannot write to standard output: it is closed.\n",
        ), args


def test_a_closed_standard_error_or_input_changes_nothing_else(env, tmp_path):
    done = subprocess.run(closed("2", "list"), env=env, capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, LIST)
    failed = subprocess.run(closed("2", "nosuch"), env=env, capture_output=True, text=True)
    assert (failed.returncode, failed.stdout) == (2, "")
    capture = tmp_path / "capture.raw"
    (tmp_path / ".asoundrc").write_text(
        f'pcm.!default {{\n  type file\n  slave.pcm "null"\n  file "{capture}"\n  format "raw"\n  truncate false\n}}\n'
    )
    fill_cache(Path(env["COACH_CACHE_DIR"]), ["Paused.", "Three.", "Two.", "One."])
    live = subprocess.run(closed("0", "mini", "--side", "right"), env=env, capture_output=True, text=True, timeout=120)
    assert (live.returncode, live.stderr.splitlines()[-1]) == (0, "Session complete."), live.stderr
    assert capture.exists()


def on_a_terminal(env: dict[str, str], args: list[str], answers: list[tuple[str, bytes]]) -> tuple[int, str]:
    """Run coach with a pseudo-terminal as its controlling terminal; each time `prompt` has appeared in what it
    printed since the last keys were typed, type `keys`. Returns the exit status (or -signal) and all it printed."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: coach, with the terminal as stdin, stdout and stderr
        os.execve(str(COACH), [str(COACH), *args], env)
    printed = b""
    pending = list(answers)
    answered = 0  # how much had been printed when the last keys were typed
    deadline = time.monotonic() + 120
    while True:
        if not select.select([fd], [], [], 1.0)[0]:
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                pytest.fail(f"no end after 120 s: {printed.decode('utf-8', 'replace')}")
            continue
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: the child has closed the terminal
            break
        if not data:
            break
        printed += data
        if pending and pending[0][0].encode() in printed[answered:]:
            os.write(fd, pending.pop(0)[1])
            answered = len(printed)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    code = os.waitstatus_to_exitcode(status)
    return code, printed.decode("utf-8", "replace").replace("\r\n", "\n")


@pytest.fixture
def live_env(env, tmp_path):
    """The mini routine played live into ALSA's file plugin (no sound card), logged in the data dir."""
    (tmp_path / ".asoundrc").write_text(
        f'pcm.!default {{\n  type file\n  slave.pcm "null"\n  file "{tmp_path / "capture.raw"}"\n  format "raw"\n}}\n'
    )
    routine = parse_routine(MINI, "mini.toml", "mini")
    standing = "This is session 1 of 6 today, on day 1 of 14."
    texts = [
        *build_script(routine, Options(side=Side.RIGHT, standing=standing)).texts(),
        "Paused.",
        "Three.",
        "Two.",
        "One.",
    ]
    texts += [question_text(Side.RIGHT), *NUMBER_TEXTS]  # the tenderness question, and each answer said back
    fill_cache(Path(env["COACH_CACHE_DIR"]), texts)
    (Path(env["COACH_CONFIG_DIR"]) / "routines" / "mini.toml").write_text(MINI + PROGRAM)
    return env


PROGRAM = """
[program]
sessions_per_day = 6
days = 14
until = "the spot is no longer tender"
reminder = "Stop at any sharp pain."
"""
PROMPT = "How tender was it, 0 to 10? Press a number key (ten: 1 then 0); 10 s of quiet skips it."


def logged(env: dict[str, str]) -> list[tuple[str, int | None]]:
    import sqlite3

    with contextlib.closing(sqlite3.connect(Path(env["COACH_DATA_DIR"]) / "log.sqlite3")) as db:
        return db.execute("SELECT status, tenderness FROM sessions").fetchall()


@pytest.mark.parametrize(
    ("typed", "answer", "said"),
    [
        ("\u00b2", None, "No tenderness noted; 'coach log' can add it later."),
        (
            "7",
            7,
            "Tenderness 7 noted.\nThe next sessions on your right side are lighter (1 stroke) until its tenderness "
            "is 6 or less. If it stays or gets worse, see a doctor or physical therapist.",
        ),  # a 7: the next sessions are lighter, at mini's fewest advised strokes
    ],
)
def test_the_tenderness_key_takes_a_digit_and_any_other_key_skips_it(live_env, typed, answer, said):
    """The question is answered with one key on the real terminal: a key that is not a digit 0-9 (here a
    superscript two, two bytes of UTF-8) skips it, as the spoken question says; before, it was a traceback."""
    code, printed = on_a_terminal(live_env, ["mini", "--side", "right"], [(PROMPT, typed.encode())])
    assert code == 0, printed
    assert printed.endswith(said + "\n"), printed
    assert "Traceback" not in printed
    assert logged(live_env) == [("finished", answer)]


def test_ctrl_c_at_the_tenderness_question_is_status_130(live_env):
    code, printed = on_a_terminal(live_env, ["mini", "--side", "right"], [(PROMPT, b"\x03")])
    assert code == 130, printed
    assert printed.endswith("Stopped: the session is recorded, without a tenderness.\n"), printed
    assert "Aborted" not in printed and "Traceback" not in printed
    assert logged(live_env) == [("finished", None)]


@pytest.mark.parametrize(
    ("where", "inside_the_hook"),
    [
        ("weakref callback", None),
        ("__del__", None),
        ("__del__", signal.SIGALRM),  # the alarm rings before the hook has returned (a loaded machine)
        ("__del__", signal.SIGINT),  # a second Ctrl-C while the hook runs
    ],
)
def test_a_signal_where_python_would_drop_it_comes_again(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], where: str, inside_the_hook: int | None
) -> None:
    """An exception raised inside a weakref callback (the import system's clean-up of a module lock) or an object's
    __del__ is handed to sys.unraisablehook, printed as ignored and lost: Ctrl-C there did nothing but print a
    traceback (seen in a start-up, and in a single export). With coach's hook the signal comes again instead, even
    when a signal is handled while the hook itself runs (what the hook raises is dropped as well: when the hook
    started a timer thread, the signal it sent came during Thread.start on a loaded machine and was lost)."""
    import weakref

    from coach import signals
    from coach.signals import Signalled

    monkeypatch.setattr(signals, "state", signals.State())
    before: list[BaseException | None] = []  # what reaches the hook there was (Python's prints it)
    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: before.append(unraisable.exc_value))
    monkeypatch.setattr(signals, "_previous", signals._previous)
    in_the_hook = pytest.MonkeyPatch()
    if inside_the_hook is not None:
        arm = signal.setitimer
        sent: list[int] = []

        def arm_then_signal(which: int, seconds: float) -> tuple[float, float]:
            done = arm(which, seconds)
            if not sent:
                sent.append(inside_the_hook)
                os.kill(os.getpid(), inside_the_hook)  # handled at the hook's next instruction
            return done

        in_the_hook.setattr("coach.signals._signal.setitimer", arm_then_signal)  # signal's C half
    old_alarm = signal.getsignal(signal.SIGALRM)
    signals.keep_lost_interrupts()
    reached = []

    def interrupted(*_: object) -> None:
        os.kill(os.getpid(), signal.SIGINT)  # the handler runs in this frame, at its next instruction
        reached.append("after the signal")

    class Doomed:
        def __del__(self) -> None:
            interrupted()

    class Target:
        pass

    old = signal.signal(signal.SIGINT, signals.stop)
    try:
        if where == "__del__":
            Doomed()  # collected at once, its __del__ interrupted
        else:
            target = Target()
            ref = weakref.ref(target, interrupted)
            del target  # the callback runs, and is interrupted
            assert ref() is None
        assert reached == []  # Signalled was raised inside, and Python dropped it
        in_the_hook.undo()  # the real setitimer again
        with pytest.raises(Signalled) as caught:
            time.sleep(30)  # the signal comes again, in a few milliseconds
        assert caught.value.signum == signal.SIGINT
        assert signals.state.lost == []
    finally:
        in_the_hook.undo()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGINT, old)
        signal.signal(signal.SIGALRM, old_alarm)
    assert before == []  # nothing reached Python's hook
    assert capfd.readouterr().err == ""  # and nothing was printed as ignored

    class Faulty:
        def __del__(self) -> None:
            raise ValueError("x")

    Faulty()
    assert [repr(e) for e in before] == ["ValueError('x')"]  # any other exception still goes where it went


def test_an_interrupt_that_a_c_function_made_another_error_of_is_still_a_stop(monkeypatch, capsys):
    """Ctrl-C 200 ms into `coach list` came while ssl imported `RAND_egd` (a name it expects to miss): CPython
    turned the interrupt into "TypeError: expected a message argument", a traceback. An error that follows an
    interrupt is that interrupt; with none, an error is not hidden."""
    import coach.cli.app
    from coach import signals

    handlers = {signum: signal.getsignal(signum) for signum in (*signals.STOPPING, signal.SIGALRM)}
    monkeypatch.setattr(sys, "unraisablehook", sys.unraisablehook)
    monkeypatch.setattr(signals, "_previous", signals._previous)
    from coach.__main__ import _run  # its first lines, and _run, take the signals: the test runner's come back after

    def interrupted(args):
        try:
            signals.stop(signal.SIGTERM, sys._getframe())
        except KeyboardInterrupt:
            raise TypeError("expected a message argument") from None  # as the import machinery does

    try:
        monkeypatch.setattr(signals, "state", signals.State())
        monkeypatch.setattr(coach.cli.app, "run", interrupted)
        assert _run(["list"]) == 143
        assert capsys.readouterr().err == "Stopped.\n"
        monkeypatch.setattr(signals, "state", signals.State())
        monkeypatch.setattr(coach.cli.app, "run", lambda args: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            _run(["list"])
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
