"""Desktop reminders through the user's service manager, systemd: a timer with the day's times and the service it
starts, which runs `coach remind --notify ROUTINE`. The desktop's own scheduler keeps them across reboots; nothing
of coach's runs in the background.

The unit files go in the user's systemd config dir ($XDG_CONFIG_HOME/systemd/user). systemctl is run through a
`Runner` handed in, so everything here can be tested without a running systemd.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import time
from pathlib import Path

from coach.atomic import Transaction
from coach.atomic import reason as why_not
from coach.errors import CoachError, OutputFileError
from coach.quoting import shown
from coach.reading import read_regular, why

PREFIX = "coach-remind-"
ROUTINE_NAME = re.compile(r"[a-z][a-z0-9-]{0,39}")  # the names coach gives routines (coach.routine)
WANTS = "timers.target.wants"


@dataclass(frozen=True)
class Completed:
    """What a command did: its exit status and what it printed."""

    returncode: int
    stdout: str
    stderr: str


Runner = Callable[[Sequence[str]], Completed]


class Unreachable(CoachError):
    """No systemd user instance to run reminders, or none with a session bus to show them on."""


def timer_name(routine: str) -> str:
    return f"{PREFIX}{routine}.timer"


def service_name(routine: str) -> str:
    return f"{PREFIX}{routine}.service"


class NotInUnit(CoachError):
    """A value a systemd unit file cannot hold as it is (the message says which and why)."""


_PLAIN = re.compile(r"[A-Za-z0-9_@+=:,./-]+")  # a word that needs no quotes (% and $ are doubled, not quoted)
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_UNSAFE_PROGRAM = re.compile(r"[\x00-\x1f\x7f\"'\\]")  # systemd refuses these in a program's path


def _quoted(word: str) -> str:
    """A word in double quotes, as systemd.syntax(7) reads it back exactly: a backslash, a quote and each control
    character as a C escape, and each byte of a file name that is not UTF-8 as \\xNN (the file itself is UTF-8)."""
    out = []
    for char in word:
        code = ord(char)
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's surrogateescape: a byte that is not UTF-8
            out.append(f"\\x{code - 0xDC00:02x}")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _check(text: str, what: str) -> None:
    """NotInUnit for what no escape can hold: a NUL, a lone surrogate that is not a file name's byte."""
    if "\0" in text:
        raise NotInUnit(f"{what} {shown(text)} holds a NUL character, which a systemd unit cannot hold")
    if any(0xD800 <= ord(c) <= 0xDFFF and not 0xDC80 <= ord(c) <= 0xDCFF for c in text):
        raise NotInUnit(f"{what} {shown(text)} is not text a systemd unit can hold")


def program_word(path: str) -> str:
    """The program's path, first on ExecStart=: absolute; specifiers resolved (% doubled) but not variables ($ is
    itself there); systemd refuses a quote, a backslash or a control character in it, which no escape changes."""
    _check(path, "the program's path")
    if not path.startswith("/"):
        raise NotInUnit(f"the program's path {shown(path)} is not absolute, as systemd needs it")
    if _UNSAFE_PROGRAM.search(path):
        raise NotInUnit(
            f"the program's path {shown(path)} holds a quote, a backslash or a control character, which systemd "
            "does not take in a program's path"
        )
    word = path.replace("%", "%%")
    return word if _PLAIN.fullmatch(word.replace("%", "")) else _quoted(word)


def argument_word(word: str) -> str:
    """An argument on ExecStart=: specifiers (%) and variables ($) doubled, quoted unless plain."""
    _check(word, "the argument")
    word = word.replace("%", "%%").replace("$", "$$")
    return word if _PLAIN.fullmatch(word.replace("%", "").replace("$", "")) else _quoted(word)


def environment_word(key: str, value: str) -> str:
    """KEY=VALUE on Environment=, in quotes: specifiers (%) doubled; a $ is itself there (no variables are
    expanded); quoted unless plain. systemd takes only UTF-8 values, so a file name that is not UTF-8 cannot be set."""
    _check(value, key)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        raise NotInUnit(f"{shown(key)} is not a name systemd takes for an environment variable")
    if any(0xDC80 <= ord(c) <= 0xDCFF for c in value):
        raise NotInUnit(f"{key} {shown(value)} is not UTF-8, and systemd's Environment= takes only UTF-8")
    word = f"{key}={value}".replace("%", "%%")
    return word if _PLAIN.fullmatch(word.replace("%", "")) else _quoted(word)


def line_value(text: str, what: str) -> str:
    """A value that runs to the end of its line (Description=): specifiers (%) doubled; no escapes are read there,
    so a control character, a line or paragraph separator or a backslash at the end cannot be written."""
    _check(text, what)
    if not text.isprintable() or text != text.strip() or text.endswith("\\"):
        raise NotInUnit(f"{what} {shown(text)} cannot be written on one line of a systemd unit")
    return text.replace("%", "%%")


def header(routine: str) -> str:
    return (
        f"# Written by coach remind {routine} --install; coach remind {routine} --uninstall removes it.\n"
        f"# To change the times, run coach remind {routine} --install again with --from, --to or --per-day.\n"
    )


def _check_routine(routine: str) -> None:
    if not ROUTINE_NAME.fullmatch(routine):
        raise NotInUnit(f"the routine's name {shown(routine)} is not one a unit file is named after")


def timer_text(routine: str, description: str, times: Sequence[time]) -> str:
    """The timer: an OnCalendar= for each time of the day, in local time. Persistent=false: a time missed while the
    machine was off is not shown late."""
    _check_routine(routine)
    calendar = "".join(f"OnCalendar=*-*-* {at:%H:%M}:00\n" for at in times)
    return (
        f"{header(routine)}\n[Unit]\nDescription={line_value(description, 'the description')}\n\n[Timer]\n"
        f"{calendar}Persistent=false\nAccuracySec=1min\nUnit={service_name(routine)}\n\n[Install]\n"
        "WantedBy=timers.target\n"
    )


SERVICE_LIMIT = "2h"  # the longest the service runs: it waits an hour at most for an answer, then plays a session


def service_text(routine: str, description: str, command: Sequence[str], environment: Mapping[str, str]) -> str:
    """The service the timer starts: the command once, with the environment it needs (where coach's files are).
    It waits for the notification's answer and plays a session started from it, within SERVICE_LIMIT (meanwhile the
    timer starts no second one). Every value is written as systemd reads it back exactly, or refused (NotInUnit)."""
    _check_routine(routine)
    env = "".join(f"Environment={environment_word(key, value)}\n" for key, value in environment.items())
    run = " ".join([program_word(command[0]), *(argument_word(word) for word in command[1:])])
    return (
        f"{header(routine)}\n[Unit]\nDescription={line_value(description, 'the description')}\n\n[Service]\n"
        f"Type=oneshot\nTimeoutStartSec={SERVICE_LIMIT}\n{env}ExecStart={run}\n"
    )


@dataclass(frozen=True)
class Installed:
    """A routine's reminders as its unit files stand."""

    routine: str
    times: tuple[time, ...]
    timer: Path
    enabled: bool  # the timer is linked into timers.target, as `systemctl --user enable` does
    problem: str = ""  # why its timer cannot be read ("not a regular file (a FIFO)"); empty when it was read


MAX_UNIT = 64 * 1024  # bytes: coach's timers are a few hundred


def installed(units: Path) -> list[Installed]:
    """The reminders installed in the units dir, by routine name, read from their timers. Only regular files of a
    bounded size are read (a FIFO there would wait forever); files whose names coach would not have written are
    not coach's, and are left out."""
    found = []
    for timer in sorted(units.glob(f"{PREFIX}*.timer")):
        routine = timer.name[len(PREFIX) : -len(".timer")]
        if not ROUTINE_NAME.fullmatch(routine):
            continue
        enabled = (units / WANTS / timer.name).is_symlink()
        try:
            text = read_regular(timer, MAX_UNIT).decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problem = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else why(exc)
            found.append(Installed(routine, (), timer, enabled, problem))
            continue
        times = tuple(
            time(int(h), int(m)) for h, m in re.findall(r"^OnCalendar=\*-\*-\* (\d\d):(\d\d):00$", text, re.M)
        )
        found.append(Installed(routine, times, timer, enabled))
    return found


def manager_environment(run: Runner) -> dict[str, str]:
    """The systemd user instance's environment; Unreachable when no instance answers."""
    try:
        result = run(["systemctl", "--user", "show-environment"])
    except FileNotFoundError:
        raise Unreachable("there is no systemctl here (systemd is not installed)") from None
    if result.returncode != 0:
        reason = _first_line(result.stderr) or f"systemctl exited with status {result.returncode}"
        raise Unreachable(f"no systemd user instance is reachable ({reason})")
    return dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)


def check_manager(run: Runner) -> None:
    """Unreachable unless a systemd user instance answers and has a session bus for notifications."""
    environment = manager_environment(run)
    runtime = environment.get("XDG_RUNTIME_DIR")
    if not environment.get("DBUS_SESSION_BUS_ADDRESS") and not (runtime and Path(runtime, "bus").exists()):
        raise Unreachable("the systemd user instance has no session bus to show a notification on")


def install(units: Path, routine: str, timer: str, service: str, run: Runner) -> bool:
    """Write the routine's timer and service, then have systemd reload and start the timer, now and at every
    login. Returns whether they replaced an earlier install. After a failure nothing of this install is left."""
    check_manager(run)
    timer_path, service_path = units / timer_name(routine), units / service_name(routine)
    replacing = timer_path.exists()
    try:
        with Transaction() as transaction:  # both files, or neither
            transaction.temp(service_path).write_text(service, encoding="utf-8")
            transaction.temp(timer_path).write_text(timer, encoding="utf-8")
    except OSError as exc:
        raise OutputFileError(f"Could not write the reminders into {units}: {why_not(exc, units)}.") from None
    steps = [["daemon-reload"], ["enable", "--now", timer_name(routine)]]
    if replacing:
        steps.append(["restart", timer_name(routine)])  # so that the new times count from now
    for step in steps:
        result = _systemctl(run, step)
        if result.returncode != 0:
            remove(units, routine, run)
            reason = _first_line(result.stderr) or f"exit status {result.returncode}"
            raise CoachError(f"systemctl --user {' '.join(step)} failed ({reason}); the reminders were removed.")
    return replacing


def remove(units: Path, routine: str, run: Runner) -> list[Path]:
    """Undo an install: stop and disable the timer (with systemctl where a user instance answers, else by removing
    its link), delete both unit files and the folders this leaves empty, and reload. Returns the files deleted."""
    timer_path, service_path = units / timer_name(routine), units / service_name(routine)
    link = units / WANTS / timer_name(routine)
    try:
        manager_environment(run)
        reachable = True
    except Unreachable:
        reachable = False
    if reachable and timer_path.exists():
        _systemctl(run, ["disable", "--now", timer_name(routine)])
    if link.is_symlink() and link.resolve() == timer_path.resolve():
        link.unlink()
    removed = [path for path in (timer_path, service_path) if path.exists() or path.is_symlink()]
    for path in removed:
        path.unlink()
    for folder in (units / WANTS, units, units.parent):  # systemd/user/timers.target.wants, systemd/user, systemd
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    if reachable and removed:
        _systemctl(run, ["daemon-reload"])
    return removed


def _systemctl(run: Runner, args: Sequence[str]) -> Completed:
    return run(["systemctl", "--user", *args])


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")
