"""All the files of one command, or none: a session with its lyrics and subtitles is prepared as temp files and
renamed into place together; a failure at any step leaves every target as it was and no temp file. Temp names
fit the file system's limit on a name, and errors name the target, never a temp file. docs/reliability.md lists
these cases and their counts."""

from __future__ import annotations

import errno
import os

import pytest
from conftest import install_routine, run_cli

from coach.atomic import Transaction, leftovers, name_limit
from coach.errors import OutputFileError


@pytest.fixture
def home(tmp_path):
    install_routine(tmp_path)
    return tmp_path


def test_a_folder_where_a_sidecar_goes_is_refused_before_any_work(home):
    out = home / "out"
    out.mkdir()
    (out / "s.mp3").write_bytes(b"the old session")
    (out / "s.srt").mkdir()
    result = run_cli("mini", "--side", "right", "-o", str(out / "s.mp3"), "--lyrics", "--srt")
    assert (result.exit_code, result.stderr) == (1, f"Error: Cannot write {out / 's.srt'}: it is a folder.\n")
    assert sorted(os.listdir(out)) == ["s.mp3", "s.srt"]
    assert (out / "s.mp3").read_bytes() == b"the old session"


def test_a_rename_that_fails_puts_back_what_was_there(tmp_path, monkeypatch):
    """Three files, the third rename fails: the first two are put back as they were, and nothing else is left."""
    targets = [tmp_path / "s.mp3", tmp_path / "s.lrc", tmp_path / "s.srt"]
    targets[0].write_bytes(b"old mp3")
    targets[2].write_bytes(b"old srt")  # s.lrc was not there
    real_replace = os.replace
    renames = []

    def failing_third(source, target):
        renames.append(target)
        if len(renames) == 3:
            raise OSError(errno.EIO, "Input/output error")
        real_replace(source, target)

    with monkeypatch.context() as patch, pytest.raises(OutputFileError) as caught, Transaction() as transaction:
        patch.setattr(os, "replace", failing_third)
        for target in targets:
            transaction.temp(target).write_bytes(b"new " + target.suffix.encode())
    assert str(caught.value) == f"Could not write {targets[2]}: input/output error."
    assert sorted(os.listdir(tmp_path)) == ["s.mp3", "s.srt"]
    assert (targets[0].read_bytes(), targets[2].read_bytes()) == (b"old mp3", b"old srt")


def test_ctrl_c_before_the_commit_leaves_every_target_as_it_was(tmp_path):
    (tmp_path / "a.txt").write_text("old")
    with pytest.raises(KeyboardInterrupt), Transaction() as transaction:
        transaction.temp(tmp_path / "a.txt").write_text("new")
        transaction.temp(tmp_path / "b.txt").write_text("new")
        raise KeyboardInterrupt
    assert sorted(os.listdir(tmp_path)) == ["a.txt"] and (tmp_path / "a.txt").read_text() == "old"


def test_a_single_export_removes_the_temp_file_of_a_killed_one_but_not_a_live_writers(home):
    """A writer killed outright (SIGKILL) leaves its hidden temp file beside the target; the next export to that
    name removes it. A temp file another process is writing now (it holds a lock on it) stays."""
    out = home / "out"
    out.mkdir()
    target = out / "s.mp3"
    dead = out / ".s.mp3.k1l2l3e4.part"
    dead.write_bytes(b"left by a process killed outright")
    with Transaction() as writer:  # another process writing the same name right now
        live = writer.temp(target)
        live.write_bytes(b"being written")
        result = run_cli("mini", "--side", "right", "-o", str(target))
        assert result.exit_code == 0, result.output
        assert leftovers(target) == [live] and live.read_bytes() == b"being written"
        writer.discard()
    assert os.listdir(out) == ["s.mp3"] and target.read_bytes()[:3] == b"ID3"


def test_the_longest_name_the_file_system_takes_can_be_written(home):
    limit = name_limit(home)
    for name in ("s" * (limit - 4) + ".mp3", "\u00e9" * ((limit - 4) // 2) + ".mp3"):  # bytes, not characters
        target = home / name
        result = run_cli("mini", "--side", "right", "-o", str(target), "--lyrics")
        assert (result.exit_code, result.stderr.split(":")[0]) == (0, f"Wrote {target}, {target.stem}.lrc"), result
        assert target.is_file() and target.with_suffix(".lrc").is_file()
        assert leftovers(target) == []
    too_long = home / ("s" * (limit - 3) + ".mp3")
    result = run_cli("mini", "--side", "right", "-o", str(too_long))
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: Cannot write {too_long.name}: the file name is too long ({limit + 1} bytes; at most {limit}).\n",
    )


@pytest.mark.parametrize("name", [".mp3", ".MP3", ".wav", "sub/.ogg"])
def test_a_name_that_is_only_a_suffix_is_refused_as_such(home, name):
    (home / "sub").mkdir(exist_ok=True)
    result = run_cli("mini", "--side", "right", "-o", str(home / name))
    suffix = name.rsplit("/", 1)[-1]
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: Cannot write {suffix}: the file needs a name before {suffix}.\n",
    )


def test_a_folder_that_takes_no_files_is_not_called_full(home):
    target = "/proc/x.mp3"
    result = run_cli("mini", "--side", "right", "-o", target)
    assert result.exit_code == 1
    assert result.stderr in (
        "Error: Could not write /proc/x.mp3: the folder /proc takes no new files.\n",  # as root
        "Error: Cannot write /proc/x.mp3: the folder /proc is not writable (or is read-only).\n",
    )


@pytest.fixture
def logged(home):
    from datetime import datetime

    from coach.programlog import ProgramLog

    with ProgramLog(home / "data" / "log.sqlite3") as log:
        session = log.begin("mini", "right", 2, datetime(2026, 11, 18, 8))
        log.end(session, True, 2, datetime(2026, 11, 18, 8, 1))
    return home


def test_history_plot_is_checked_and_drawn_before_the_table_is_printed(logged, monkeypatch):
    result = run_cli("history", "--plot", "q")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", "Error: Cannot draw q: the file name must end in .png.\n"
    )  # fmt: skip
    nowhere = logged / "nowhere" / "p.png"
    result = run_cli("history", "--plot", str(nowhere))
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", f"Error: Cannot write {nowhere}: the folder {nowhere.parent} does not exist.\n"
    )  # fmt: skip
    import tempfile

    target = logged / "p.png"

    def refused(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(logged / ".p.png.x1y2z3w4.part"))

    with monkeypatch.context() as patch:
        patch.setattr(tempfile, "mkstemp", refused)  # the folder changed after the check
        result = run_cli("history", "--plot", str(target))
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", f"Error: Could not write {target}: permission denied.\n"
    )  # fmt: skip
    drawn = run_cli("history", "--plot", str(target))
    assert (drawn.exit_code, drawn.stderr) == (0, f"Drew {target}.\n")
    assert drawn.stdout.startswith("mini\n  day  date")
