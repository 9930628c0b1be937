"""Writing over what is not a file, round three: every file coach writes goes through coach.atomic, which replaces
only a regular file. A FIFO, a character device or a link to one (to /dev/null) at any target (an audio file and its
lyrics and subtitles, the calendar, the reminders' units, the history plot, a library's sessions, playlist, index
and manifest) is refused in one sentence and left as it was. docs/reliability.md lists these."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from conftest import deps, install_routine, run_cli
from test_desktop import PYTHON, Systemctl

KINDS = ["fifo", "device", "link"]


def odd(path: Path, kind: str) -> tuple[Path, str]:
    """A FIFO at `path`, a character device, or a link at `path` to /dev/null: the target to name, and what coach
    calls it. The device is a null device made at `path` where the test may make one (as root, as CI runs): a
    regression would then replace that node, not the machine's /dev/null. Elsewhere it is /dev/null itself, which a
    user who is not root cannot replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "device":
        try:
            os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except PermissionError:
            assert os.geteuid() != 0
            return Path("/dev/null"), "a character device"
        return path, "a character device"
    if kind == "fifo":
        os.mkfifo(path)
        return path, "a FIFO"
    path.symlink_to("/dev/null")
    return path, "a link to a character device (/dev/null)"


def unharmed(path: Path, kind: str) -> None:
    if kind == "fifo":
        assert stat.S_ISFIFO(path.lstat().st_mode)
    elif kind == "device":
        assert stat.S_ISCHR(path.lstat().st_mode)
    else:
        assert os.readlink(path) == "/dev/null" and stat.S_ISCHR(os.stat(path).st_mode)


def refused(result, target: Path, called: str) -> None:  # type: ignore[no-untyped-def]
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", f"Error: Cannot write {target}: it is {called}, not a regular file.\n"
    )  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
def test_remind_ics_never_replaces_what_is_not_a_file(tmp_path, kind):
    target, called = odd(tmp_path / "psoas.ics", kind)
    refused(run_cli("remind", "psoas", "--ics", str(target)), target, called)
    unharmed(target, kind)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", ["s.mp3", "s.lrc", "s.srt"])
def test_an_export_and_its_sidecars_never_replace_what_is_not_a_file(tmp_path, kind, name):
    install_routine(tmp_path)
    target, called = odd(tmp_path / "out" / name, kind)
    out = tmp_path / "out" / "s.mp3"
    refused(run_cli("mini", "--side", "right", "-o", str(out), "--lyrics", "--srt"), target, called)
    unharmed(target, kind)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [name]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("unit", ["coach-remind-psoas.timer", "coach-remind-psoas.service"])
def test_the_reminders_units_never_replace_what_is_not_a_file(tmp_path, kind, unit):
    units = tmp_path / "xdg-config" / "systemd" / "user"
    target, called = odd(units / unit, kind)
    systemctl = Systemctl(units)
    result = run_cli("remind", "psoas", "--install", deps=deps(run=systemctl, coach=PYTHON))
    refused(result, target, called)
    unharmed(target, kind)
    assert sorted(p.name for p in units.iterdir()) == [unit]
    assert systemctl.calls == [("systemctl", "--user", "show-environment")]


@pytest.mark.parametrize("kind", KINDS)
def test_the_history_plot_never_replaces_what_is_not_a_file(tmp_path, kind):
    target, called = odd(tmp_path / "h.png", kind)
    refused(run_cli("history", "--plot", str(target)), target, called)
    unharmed(target, kind)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", ["mini-right.mp3", "coach.m3u", "index.txt", ".coach-export.json"])
def test_a_library_export_never_replaces_what_is_not_a_file(tmp_path, kind, name):
    install_routine(tmp_path)
    folder = tmp_path / "lib"
    target, called = odd(folder / name, kind)
    result = run_cli("export", str(folder), "--routine", "mini", "--shape", "teach", "--workers", "1")
    refused(result, target, called)
    unharmed(target, kind)
    assert sorted(p.name for p in folder.iterdir()) == sorted([".coach-export.lock", name])


def test_the_checked_writer_refuses_before_the_rename_too(tmp_path):
    """A FIFO made at the target after its temp file was (between the check and the renames): still refused, and
    the temp file is gone."""
    from coach.atomic import Transaction
    from coach.errors import OutputFileError

    target = tmp_path / "t.txt"
    with pytest.raises(OutputFileError) as caught, Transaction() as transaction:
        transaction.temp(target).write_text("x")
        os.mkfifo(target)
    assert str(caught.value) == f"Cannot write {target}: it is a FIFO, not a regular file."
    assert stat.S_ISFIFO(target.lstat().st_mode) and sorted(p.name for p in tmp_path.iterdir()) == ["t.txt"]
