"""Desktop reminders: the systemd units' exact content, checked by systemd-analyze; install, list and uninstall
with systemctl's calls recorded; and the notification, through a real dbus-daemon on which the test owns
org.freedesktop.Notifications."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import ROOT, FakeClock, deps, run_cli
from desktop_bus import notification_service, private_bus

from coach.desktop.notify import NotShown, notify
from coach.desktop.systemd import Completed, NotInUnit, argument_word, environment_word, program_word
from coach.kinds import Side
from coach.programlog import ProgramLog

PYTHON = (os.path.abspath(sys.executable), "-m", "coach")  # how a unit runs coach under the test runner
MANAGER = "HOME=/home/ann\nDBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus\nXDG_RUNTIME_DIR=/run/user/1000\n"


class Systemctl:
    """systemctl --user as a running user instance answers it, recording every call; enable and disable link and
    unlink the timer as systemctl does. `fail` names a verb that fails."""

    def __init__(self, units: Path, environment: str = MANAGER, fail: str = "") -> None:
        self.units, self.environment, self.fail = units, environment, fail
        self.calls: list[tuple[str, ...]] = []

    def __call__(self, args):
        self.calls.append(tuple(args))
        assert args[:2] == ["systemctl", "--user"]
        verb, unit = args[2], args[-1]
        if verb == self.fail:
            return Completed(1, "", f"Failed to {verb} unit: Unit {unit} is masked.\n")
        if verb == "show-environment":
            return Completed(0, self.environment, "")
        link = self.units / "timers.target.wants" / unit
        if verb == "enable":
            link.parent.mkdir(parents=True, exist_ok=True)
            if not link.is_symlink():
                link.symlink_to(self.units / unit)
        elif verb == "disable":
            link.unlink(missing_ok=True)
        return Completed(0, "", "")


def tree(folder: Path) -> dict[str, str]:
    """Every file and link under a folder, with its content or target."""
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(folder)): os.readlink(path) if path.is_symlink() else path.read_text() if path.is_file()
        else "(folder)"
        for path in sorted(folder.rglob("*"))
    }  # fmt: skip


def installed_with(tmp_path: Path, systemctl: Systemctl, *args: str):
    return run_cli("remind", "psoas", "--install", *args, deps=deps(run=systemctl, coach=PYTHON))


TIMER = """\
# Written by coach remind psoas --install; coach remind psoas --uninstall removes it.
# To change the times, run coach remind psoas --install again with --from, --to or --per-day.

[Unit]
Description=coach: Psoas release reminders, 08:00, 10:36, 13:12, 15:48, 18:24 and 21:00

[Timer]
OnCalendar=*-*-* 08:00:00
OnCalendar=*-*-* 10:36:00
OnCalendar=*-*-* 13:12:00
OnCalendar=*-*-* 15:48:00
OnCalendar=*-*-* 18:24:00
OnCalendar=*-*-* 21:00:00
Persistent=false
AccuracySec=1min
Unit=coach-remind-psoas.service

[Install]
WantedBy=timers.target
"""


def service(tmp_path: Path, window: str = "--from 08:00 --to 21:00 --per-day 6") -> str:
    return f"""\
# Written by coach remind psoas --install; coach remind psoas --uninstall removes it.
# To change the times, run coach remind psoas --install again with --from, --to or --per-day.

[Unit]
Description=coach: Psoas release reminder

[Service]
Type=oneshot
TimeoutStartSec=2h
Environment=COACH_CONFIG_DIR={tmp_path}/config
Environment=COACH_DATA_DIR={tmp_path}/data
ExecStart={PYTHON[0]} -m coach remind --notify psoas {window}
"""


def test_install_writes_the_timer_and_service_and_enables_the_timer(tmp_path):
    units = tmp_path / "xdg-config" / "systemd" / "user"
    systemctl = Systemctl(units)
    result = installed_with(tmp_path, systemctl)
    assert (result.exit_code, result.output) == (
        0,
        "Installed the psoas reminders on this desktop: daily at 08:00, 10:36, 13:12, 15:48, 18:24 and 21:00.\n"
        f"Their units: {units}/coach-remind-psoas.timer and .service\n"
        "Remove them with: coach remind psoas --uninstall\n",
    )
    assert tree(units) == {
        "coach-remind-psoas.service": service(tmp_path),
        "coach-remind-psoas.timer": TIMER,
        "timers.target.wants": "(folder)",
        "timers.target.wants/coach-remind-psoas.timer": f"{units}/coach-remind-psoas.timer",
    }
    assert systemctl.calls == [
        ("systemctl", "--user", "show-environment"),
        ("systemctl", "--user", "daemon-reload"),
        ("systemctl", "--user", "enable", "--now", "coach-remind-psoas.timer"),
    ]


def systemd_analyze(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (Debian's systemd package; make installs it)")
    return subprocess.run(["systemd-analyze", *args], capture_output=True, text=True, env=env, timeout=60)


def verify(tmp_path: Path, *units: Path) -> subprocess.CompletedProcess[str]:
    """systemd-analyze --user verify, with a runtime dir of its own: no running systemd is needed. It only warns
    about some faults (a bad time, an unknown key) and still exits 0, so its stderr must be empty too."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime)}
    return systemd_analyze("--user", "verify", "--man=no", *map(str, units), env=env)


def test_the_written_units_pass_systemd_analyze_verify(tmp_path):
    units = tmp_path / "xdg-config" / "systemd" / "user"
    assert installed_with(tmp_path, Systemctl(units)).exit_code == 0
    checked = verify(tmp_path, units / "coach-remind-psoas.timer", units / "coach-remind-psoas.service")
    assert (checked.returncode, checked.stdout, checked.stderr) == (0, "", "")
    # the check can fail: a time of day that does not exist is only a warning, on stderr
    broken = tmp_path / "broken" / "coach-remind-psoas.timer"
    broken.parent.mkdir()
    broken.write_text(TIMER.replace("21:00:00", "25:00:00"))
    shutil.copy(units / "coach-remind-psoas.service", broken.parent)
    checked = verify(tmp_path, broken, broken.parent / "coach-remind-psoas.service")
    assert checked.returncode == 0 and "Failed to parse calendar specification" in checked.stderr


def test_a_command_with_spaces_and_percent_signs_is_quoted_as_systemd_reads_it(tmp_path):
    assert program_word("/usr/bin/coach") == "/usr/bin/coach"
    assert program_word("/home/ann/my $tools/100%/coach") == '"/home/ann/my $tools/100%%/coach"'  # no $ expansion
    with pytest.raises(NotInUnit):
        program_word('/home/ann/my tools/co"ach')  # systemd takes no quote in a program's path
    assert argument_word('say "100%" to $HOME') == '"say \\"100%%\\" to $$HOME"'
    assert environment_word("COACH_DATA_DIR", "/data/100%/$HOME") == '"COACH_DATA_DIR=/data/100%%/$HOME"'
    folder = tmp_path / "my 100% tools"
    folder.mkdir()
    coach = folder / "coach"
    coach.write_text("#!/bin/sh\n")
    coach.chmod(0o755)
    units = tmp_path / "xdg-config" / "systemd" / "user"
    result = run_cli("remind", "psoas", "--install", deps=deps(run=Systemctl(units), coach=(str(coach),)))
    assert result.exit_code == 0
    text = (units / "coach-remind-psoas.service").read_text()
    assert f'ExecStart="{tmp_path}/my 100%% tools/coach" remind --notify psoas --from 08:00' in text
    checked = verify(tmp_path, units / "coach-remind-psoas.timer", units / "coach-remind-psoas.service")
    assert (checked.returncode, checked.stderr) == (0, "")  # systemd finds the program under its quoted name


@pytest.mark.parametrize("base", ["2026-03-28 00:00", "2026-10-24 00:00"])
def test_systemd_keeps_the_local_times_across_a_change_of_clock(tmp_path, base):
    """In Berlin, 29 March 2026 and 25 October 2026 change the clock: every reminder keeps its wall time, and its
    time in UTC moves by the hour instead."""
    units = tmp_path / "xdg-config" / "systemd" / "user"
    assert installed_with(tmp_path, Systemctl(units)).exit_code == 0
    specs = re.findall(r"^OnCalendar=(.*)$", (units / "coach-remind-psoas.timer").read_text(), re.M)
    env = {**os.environ, "TZ": "Europe/Berlin"}
    result = systemd_analyze("calendar", f"--base-time={base}", "--iterations=3", *specs, env=env)
    assert result.returncode == 0 and result.stderr == ""
    local = re.findall(r"(?:Next elapse|Iter\. #\d): \w+ (\S+ \S+) (\w+)", result.stdout)
    utc = re.findall(r"\(in UTC\): \w+ (\S+ \S+) UTC", result.stdout)
    day = datetime.fromisoformat(base).date()
    zones = ["CET", "CEST", "CEST"] if base.startswith("2026-03") else ["CEST", "CET", "CET"]
    expected_local, expected_utc = [], []
    for at in ("08:00", "10:36", "13:12", "15:48", "18:24", "21:00"):
        for n, zone in enumerate(zones):
            when = datetime.fromisoformat(f"{day + timedelta(days=n)} {at}:00")
            expected_local.append((str(when), zone))
            expected_utc.append(str(when - timedelta(hours=1 if zone == "CET" else 2)))
    assert (local, utc) == (expected_local, expected_utc)


def test_a_second_install_replaces_the_first_and_restarts_the_timer(tmp_path):
    units = tmp_path / "xdg-config" / "systemd" / "user"
    assert installed_with(tmp_path, Systemctl(units)).exit_code == 0
    systemctl = Systemctl(units)
    result = installed_with(tmp_path, systemctl, "--from", "9:00", "--to", "18:00", "--per-day", "4")
    assert result.output.startswith(
        "Replaced the psoas reminders on this desktop: daily at 09:00, 12:00, 15:00 and 18:00.\n"
    )
    assert (units / "coach-remind-psoas.service").read_text() == service(
        tmp_path, "--from 09:00 --to 18:00 --per-day 4"
    )
    assert systemctl.calls[-1] == ("systemctl", "--user", "restart", "coach-remind-psoas.timer")


@pytest.mark.parametrize("before", ["nothing", "other units"])
def test_uninstall_removes_exactly_what_install_wrote(tmp_path, before):
    units = tmp_path / "xdg-config" / "systemd" / "user"
    if before == "other units":
        (units / "timers.target.wants").mkdir(parents=True)
        (units / "backup.timer").write_text("[Timer]\nOnCalendar=daily\n")
        (units / "timers.target.wants" / "backup.timer").symlink_to(units / "backup.timer")
    config = tmp_path / "xdg-config"
    config.mkdir(exist_ok=True)
    was = tree(config)
    systemctl = Systemctl(units)
    assert installed_with(tmp_path, systemctl).exit_code == 0
    systemctl.calls.clear()
    result = run_cli("remind", "psoas", "--uninstall", deps=deps(run=systemctl))
    assert (result.exit_code, result.output) == (
        0,
        "Removed the psoas reminders: coach-remind-psoas.timer and coach-remind-psoas.service.\n",
    )
    assert tree(config) == was
    assert systemctl.calls == [
        ("systemctl", "--user", "show-environment"),
        ("systemctl", "--user", "disable", "--now", "coach-remind-psoas.timer"),
        ("systemctl", "--user", "daemon-reload"),
    ]
    again = run_cli("remind", "psoas", "--uninstall", deps=deps(run=systemctl))
    assert (again.exit_code, again.output) == (0, "No psoas reminders are installed.\n")


def test_uninstall_without_a_user_instance_unlinks_the_timer_itself(tmp_path):
    units = tmp_path / "xdg-config" / "systemd" / "user"
    assert installed_with(tmp_path, Systemctl(units)).exit_code == 0
    gone = Systemctl(units, fail="show-environment")
    result = run_cli("remind", "psoas", "--uninstall", deps=deps(run=gone))
    assert result.exit_code == 0 and tree(tmp_path / "xdg-config") == {}
    assert gone.calls == [("systemctl", "--user", "show-environment")]


def test_list_shows_what_is_installed(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # paths under the home folder are shown from ~
    units = tmp_path / "xdg-config" / "systemd" / "user"
    assert run_cli("remind", "--list").output == (
        "No reminders are installed on this desktop. Install some with: coach remind ROUTINE --install\n"
    )
    assert installed_with(tmp_path, Systemctl(units)).exit_code == 0
    systemctl = Systemctl(units)
    result = run_cli("remind", "iliacus", "--install", "--per-day", "2", deps=deps(run=systemctl, coach=PYTHON))
    assert result.exit_code == 0
    (units / "timers.target.wants" / "coach-remind-iliacus.timer").unlink()
    assert run_cli("remind", "--list").output == (
        "iliacus         08:00 21:00  not enabled  (~/xdg-config/systemd/user/coach-remind-iliacus.timer)\n"
        "psoas           08:00 10:36 13:12 15:48 18:24 21:00  enabled  "
        "(~/xdg-config/systemd/user/coach-remind-psoas.timer)\n"
    )


@pytest.mark.parametrize(
    ("systemctl", "reason"),
    [
        (
            Systemctl(Path("/nowhere"), fail="show-environment"),
            "no systemd user instance is reachable (Failed to show-environment unit: Unit show-environment is masked.)",
        ),
        (
            Systemctl(Path("/nowhere"), environment="HOME=/home/ann\n"),
            "the systemd user instance has no session bus to show a notification on",
        ),
    ],
)
def test_without_a_user_instance_or_a_session_bus_install_says_so_and_suggests_a_calendar(tmp_path, systemctl, reason):
    result = run_cli("remind", "psoas", "--install", "--per-day", "5", deps=deps(run=systemctl))
    assert (result.exit_code, result.output) == (
        1,
        f"Error: Desktop reminders cannot be installed here: {reason}. For a calendar instead: coach remind psoas "
        f"--per-day 5 --ics psoas.ics\n",
    )
    assert systemctl.calls == [("systemctl", "--user", "show-environment")]
    assert not (tmp_path / "xdg-config").exists()


def test_install_through_the_real_systemctl_with_no_user_instance(tmp_path, monkeypatch):
    if shutil.which("systemctl") is None:
        pytest.skip("systemctl is not installed (Debian's systemd package; make installs it)")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # no user instance's socket here: nothing is reached
    result = run_cli("remind", "psoas", "--install")
    assert result.exit_code == 1
    assert re.fullmatch(
        r"Error: Desktop reminders cannot be installed here: no systemd user instance is reachable \(Failed to "
        r"connect to bus: [^)]+\)\. For a calendar instead: coach remind psoas --ics psoas\.ics\n",
        result.output,
    ), result.output
    assert not (tmp_path / "xdg-config").exists()


def test_a_failing_enable_leaves_nothing_installed(tmp_path):
    units = tmp_path / "xdg-config" / "systemd" / "user"
    systemctl = Systemctl(units, fail="enable")
    result = installed_with(tmp_path, systemctl)
    assert (result.exit_code, result.output) == (
        1,
        "Error: systemctl --user enable --now coach-remind-psoas.timer failed (Failed to enable unit: Unit "
        "coach-remind-psoas.timer is masked.); the reminders were removed.\n",
    )
    assert tree(tmp_path / "xdg-config") == {}
    assert systemctl.calls == [
        ("systemctl", "--user", "show-environment"),
        ("systemctl", "--user", "daemon-reload"),
        ("systemctl", "--user", "enable", "--now", "coach-remind-psoas.timer"),
        ("systemctl", "--user", "show-environment"),  # undoing it
        ("systemctl", "--user", "disable", "--now", "coach-remind-psoas.timer"),
        ("systemctl", "--user", "daemon-reload"),
    ]


def test_a_routine_given_by_path_is_installed_by_name_only(tmp_path):
    routine = tmp_path / "mine.toml"
    routine.write_text((ROOT / "coach" / "routines" / "psoas.toml").read_text())
    result = run_cli("remind", str(routine), "--install")
    assert (result.exit_code, result.output.splitlines()[-1]) == (
        2,
        f"Error: Desktop reminders are for a routine by name: put mine.toml in {tmp_path}/config/routines and run "
        f"coach remind mine --install.",
    )
    plan = run_cli("remind", str(routine), "--per-day", "1")
    assert (
        plan.output.splitlines()[2]
        == f"  08:00  Psoas release, session 1 of 1 on each side: coach {routine} --side auto, or the MP3"
    )


# --- notifications ------------------------------------------------------------------------------------------------


def record(tmp_path: Path, *sides: Side, day: datetime = datetime(2026, 11, 21, 8)) -> None:
    with ProgramLog(tmp_path / "data" / "log.sqlite3") as log:
        for n, side in enumerate(sides):
            session = log.begin("psoas", side, 8, day + timedelta(minutes=20 * n))
            log.end(session, True, 8, day + timedelta(minutes=20 * n + 5))


def test_notify_shows_the_session_due_with_where_the_user_stands(tmp_path):
    record(tmp_path, Side.RIGHT, day=datetime(2026, 11, 19, 8))
    record(tmp_path, Side.RIGHT, Side.LEFT, Side.RIGHT)
    clock = FakeClock(datetime(2026, 11, 21, 13, 13)).clock()  # the 13:12 timer, a minute late
    with private_bus() as address, notification_service(address) as shown:
        result = run_cli("remind", "--notify", "psoas", deps=deps(clock=clock, bus=address))
    body = (
        "coach psoas --side auto (the left side, to catch up), or the MP3. Day 3 of 14; sessions today: right 2, "
        "left 1."
    )
    assert shown.received == [
        {
            "app": "coach",
            "replaces": 0,
            "icon": "",
            "summary": "Psoas release, session 2 of 6 on the left side",
            "body": body,
            "actions": [],
            "hints": {"urgency": 1},
            "expire": -1,
        }
    ]
    assert (result.exit_code, result.output) == (
        0, f"Reminded: Psoas release, session 2 of 6 on the left side. {body}\n"
    )  # fmt: skip


def test_notify_skips_a_session_already_done_today(tmp_path):
    record(tmp_path, Side.BOTH, Side.BOTH)
    clock = FakeClock(datetime(2026, 11, 21, 10, 36)).clock()
    with private_bus() as address, notification_service(address) as shown:
        result = run_cli("remind", "--notify", "psoas", deps=deps(clock=clock, bus=address))
    assert shown.received == []
    assert (result.exit_code, result.output) == (
        0, "Psoas release, session 2 of 6 on each side is done today: no reminder.\n"
    )  # fmt: skip


def test_notify_shows_nothing_once_every_sides_program_is_done(tmp_path):
    """Both sides tender at 1 or less on three days in a row: the program is done (program.sides_due)."""
    with ProgramLog(tmp_path / "data" / "log.sqlite3") as log:
        for day in (18, 19, 20):
            session = log.begin("psoas", "both", 16, datetime(2026, 11, day, 9), least=6)
            log.progress(session, (8, 8), "both")
            log.end(session, True, 16, datetime(2026, 11, day, 9, 4))
            log.set_tenderness(session, 1)
    clock = FakeClock(datetime(2026, 11, 21, 10, 36)).clock()
    with private_bus() as address, notification_service(address) as shown:
        result = run_cli("remind", "--notify", "psoas", deps=deps(clock=clock, bus=address))
    assert shown.received == []
    assert (result.exit_code, result.output) == (0, "Every side's psoas program is done: no reminder.\n")


def test_with_no_bus_or_nothing_to_show_notifications_a_missed_reminder_is_one_sentence_and_no_error(tmp_path):
    clock = FakeClock(datetime(2026, 11, 21, 21, 0)).clock()
    cases = [(None, "no session bus"), (f"unix:path={tmp_path}/none", "the session bus cannot be reached (")]
    with private_bus() as address:
        cases.append((address, "nothing on the session bus shows notifications"))
        for bus, reason in cases:
            result = run_cli("remind", "--notify", "psoas", deps=deps(clock=clock, bus=bus))
            assert result.exit_code == 0 and result.stdout == ""
            assert result.stderr.startswith(f"No desktop notification could be shown ({reason}")
            assert result.stderr.endswith("): Psoas release, session 1 of 6 on each side.\n")  # none done yet
            assert result.stderr.count("\n") == 1


def test_notify_raises_not_shown_with_the_reason():
    with pytest.raises(NotShown, match=r"^no session bus$"):
        notify(None, "S", "B")


def fake_systemctl(folder: Path, log: Path) -> Path:
    """A systemctl program that records its arguments and answers as a user instance with a session bus."""
    folder.mkdir()
    program = folder / "systemctl"
    program.write_text(
        f'#!/bin/sh\necho "$*" >> {log}\n'
        f"[ \"$2\" = show-environment ] && printf 'DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus\\n'\nexit 0\n"
    )
    program.chmod(0o755)
    return folder


@pytest.mark.e2e
def test_the_installed_job_shows_its_notification(tmp_path):
    """End to end: the coach command installs the units (through a systemctl stand-in that records its calls), and
    the service's own ExecStart, run as systemd would run it, shows the notification on a real bus. With one
    reminder a day, the one due is the same whatever the time, so the real clock does no harm."""
    coach = Path(sys.prefix, "bin", "coach")  # this Python's venv: .venv, or .venv-3.12 and so on
    calls = tmp_path / "systemctl.log"
    path = f"{fake_systemctl(tmp_path / 'bin', calls)}:{os.environ['PATH']}"
    env = {**os.environ, "PATH": path}
    installed = subprocess.run(
        [str(coach), "remind", "psoas", "--install", "--from", "7:00", "--per-day", "1"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    units = tmp_path / "xdg-config" / "systemd" / "user"
    assert (
        calls.read_text()
        == "--user show-environment\n--user daemon-reload\n--user enable --now coach-remind-psoas.timer\n"
    )
    text = (units / "coach-remind-psoas.service").read_text()
    (exec_start,) = re.findall(r"^ExecStart=(.*)$", text, re.M)
    assert exec_start == f"{coach} remind --notify psoas --from 07:00 --to 21:00 --per-day 1"
    environment = dict(line.split("=", 1) for line in re.findall(r"^Environment=(.*)$", text, re.M))
    with private_bus() as address, notification_service(address) as shown:
        job_env = {"PATH": "/usr/bin:/bin", "DBUS_SESSION_BUS_ADDRESS": address, **environment}  # as systemd runs it
        job = subprocess.run(shlex.split(exec_start), capture_output=True, text=True, env=job_env, timeout=60)
    body = "coach psoas --side auto (both sides), or the MP3. Day 1 of 14; sessions today: right 0, left 0."
    summary = "Psoas release, session 1 of 1 on each side"
    assert [(n["summary"], n["body"]) for n in shown.received] == [(summary, body)]
    assert (job.returncode, job.stdout, job.stderr) == (0, f"Reminded: {summary}. {body}\n", "")
