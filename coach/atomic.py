"""Atomic writes: a temp file beside each target, renamed over it only when complete.

After any failure, Ctrl-C, SIGTERM or SIGHUP nothing is left at a target path (an earlier file there stays as it
was), and no temp file is left behind. A writer killed outright (SIGKILL, a power cut) leaves its temp file; the
next write to the same target removes it (`remove_leftovers`: a temp file is locked while its writer lives).
Several files of one command (a session and its lyrics and subtitles, a systemd timer and its service) are one
`Transaction`: all are prepared as temp files first, then renamed into place together; if a rename fails, the ones
already renamed are put back as they were.

A temp file is named `.NAME.xxxxxxxx.part` beside its target, NAME cut short where the whole would pass the file
system's limit on a name (255 bytes), so any name the file system takes can be written. Each temp file is created,
and the renames of a transaction made, with the stopping signals held (coach.signals), so that an interrupt
cannot come between a temp file's creation and its being recorded for removal, nor between two renames.

Only a regular file is ever replaced: a target that is a FIFO, a device, a socket or a link to one is refused in one
sentence (`check_writable`) when its temp file is made and again just before the renames, and the thing at the
target is left as it was. Renaming over /dev/null, as root, would replace the device with a file.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from coach.errors import OutputFileError
from coach.quoting import shown
from coach.reading import kind_of
from coach.signals import held, settle, uncut, waiting

SUFFIX = ".part"
BACKUP = ".old"
RANDOM = 8  # characters tempfile adds to a name


def check_writable(target: Path) -> None:
    """OutputFileError unless `target` is absent, a regular file or a link to one: a folder, a FIFO, a device or a
    socket (or a link to one) is not replaced. A dangling link is replaced by the file, as any link is."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return  # nothing there (or what is there cannot be looked at: the write itself will say why)
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise OutputFileError(f"Cannot write {shown(target)}: it is a folder.")
    kind = kind_of(mode)
    if target.is_symlink():
        kind = f"a link to {kind} ({shown(os.readlink(target))})"
    raise OutputFileError(f"Cannot write {shown(target)}: it is {kind}, not a regular file.")


def name_limit(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def temp_prefix(path: Path) -> str:
    """The start of a temp file's name for `path`: a dot and the name, cut short so the whole fits the limit."""
    room = name_limit(path.parent) - len(b".." + SUFFIX.encode()) - RANDOM
    name = path.name
    while len(name.encode("utf-8", "surrogateescape")) > room:
        name = name[:-1]
    return f".{name}."


def leftovers(path: Path, backups: bool = True) -> list[Path]:
    """Temp files (and backups) for `path`: a live writer's, or those a process killed outright left behind."""
    start = glob.escape(temp_prefix(path))
    found = [*path.parent.glob(f"{start}*{SUFFIX}")]
    if backups:
        found += path.parent.glob(f"{start}*{BACKUP}")
    return sorted(found)


def remove_leftovers(path: Path, backups: bool = True) -> list[Path]:
    """Remove the temp files for `path` that no live process is writing (a writer holds a lock on its temp file
    until it is renamed or removed), and with `backups` the backups no process holds (a live commit's backup is not
    locked: only a caller that excludes other writers, such as the library's folder lock, removes them); returns
    those removed."""
    removed = []
    for leftover in leftovers(path, backups):
        try:
            fd = os.open(leftover, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.path.samestat(os.fstat(fd), os.stat(leftover, follow_symlinks=False)):
                leftover.unlink()
                removed.append(leftover)
        except OSError:  # locked: its writer is alive (or it went meanwhile)
            continue
        finally:
            os.close(fd)
    return removed


def make_temp(path: Path) -> tuple[Path, int]:
    """A new, empty temp file beside `path`, and a descriptor holding a lock on it: while it is open, no other
    coach process takes the file for a leftover (`remove_leftovers`)."""
    while True:
        fd, name = tempfile.mkstemp(prefix=temp_prefix(path), suffix=SUFFIX, dir=path.parent)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.path.samestat(os.fstat(fd), os.stat(name)):
                return Path(name), fd
        except FileNotFoundError:
            pass
        os.close(fd)  # removed as a leftover between its making and its locking: make another


@dataclass
class _Entry:
    target: Path
    temp: Path
    mode: int
    lock: int  # the descriptor that holds the temp file's lock


class Transaction:
    """Several files written as one: `temp(target)` gives each a temp file to write; `commit` renames them all into
    place, or, if one rename fails, puts back what was there before and raises. Use it as a context manager: it
    commits when the block ends normally, and removes every temp file however it ends. A stopping signal that
    comes as the block ends (coach.signals.uncut) is met once the temp files are removed, and nothing is renamed.

    `final`: these files are the command's result, so once they are in place a stopping signal is too late to stop
    the command (coach.signals.settle, in the renames' held block).

    Errors in making or renaming the temp files are OutputFileError naming the target, never the temp file."""

    def __init__(self, *, final: bool = False) -> None:
        self.entries: list[_Entry] = []
        self.final = final

    def __enter__(self) -> Transaction:
        return self

    @uncut
    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        try:
            if kind is None:
                self.commit()
        finally:
            self.discard()

    def temp(self, target: Path, mode: int = 0o644) -> Path:
        check_writable(target)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            remove_leftovers(target, backups=False)  # of a writer killed outright (SIGKILL): nothing removed them
            with held():  # created and recorded together
                temp, lock = make_temp(target)
                entry = _Entry(target, temp, mode, lock)
                self.entries.append(entry)
        except OSError as exc:
            raise OutputFileError(f"Could not write {shown(target)}: {reason(exc, target.parent)}.") from exc
        return entry.temp

    def commit(self) -> None:
        for entry in self.entries:  # what would fail surely, or replace what is not a file, is refused first
            check_writable(entry.target)
        umask = _umask()
        backups: list[tuple[_Entry, Path | None]] = []
        try:
            with held():  # all the renames, or none of them
                if waiting():  # a stopping signal came as the transaction ended: none, then
                    return
                for entry in self.entries:
                    current = entry
                    os.chmod(entry.temp, entry.mode & ~umask)
                    backups.append((entry, _backup(entry.target)))
                    os.replace(entry.temp, entry.target)
                if self.final:
                    settle()
        except OSError as exc:
            for entry, backup in reversed(backups):
                with contextlib.suppress(OSError):
                    if backup is not None:
                        os.replace(backup, entry.target)
                    elif not entry.temp.exists():  # it had been renamed: the target was not there before
                        entry.target.unlink()
            raise OutputFileError(
                f"Could not write {shown(current.target)}: {reason(exc, current.target.parent)}."
            ) from exc
        finally:
            for _, backup in backups:
                if backup is not None:
                    backup.unlink(missing_ok=True)

    @uncut
    def discard(self) -> None:
        for entry in self.entries:
            entry.temp.unlink(missing_ok=True)
            os.close(entry.lock)
        self.entries.clear()


def _backup(target: Path) -> Path | None:
    """A second name for the file at `target` (a hard link), so that it can be put back; None where there is no
    file, or the file system has no hard links (then a failed rename cannot restore it)."""
    if not target.is_file():
        return None
    for _ in range(3):
        backup = target.parent / f"{temp_prefix(target)}{secrets.token_hex(RANDOM // 2)}{BACKUP}"
        try:
            os.link(target, backup)
        except FileExistsError:
            continue
        except OSError:
            return None
        return backup
    return None


@contextlib.contextmanager
def atomic_path(path: Path, mode: int = 0o644, *, final: bool = False) -> Iterator[Path]:
    """Yield a temp path to write; on success it becomes `path` (with `mode`, less the umask). `final`: it is the
    command's result (Transaction)."""
    with Transaction(final=final) as transaction:
        yield transaction.temp(path, mode)


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes, *, final: bool = False) -> None:
    with atomic_path(path, final=final) as temp:
        try:
            temp.write_bytes(data)
        except OSError as exc:
            raise OutputFileError(f"Could not write {shown(path)}: {reason(exc, path.parent)}.") from exc


FULL_BELOW = 1024 * 1024  # free bytes under which an error with no errno (libsndfile's) is put down to a full disk


def reason(exc: BaseException, folder: Path) -> str:
    """Why writing in `folder` failed, in words fit for the end of a sentence. A full disk is named only when the
    error says so (ENOSPC, EDQUOT) or, for an error that gives no errno (libsndfile says "System error."), when a
    real file system has under 1 MB free: /proc, which has no space at all, is not full."""
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT) or (code is None and _nearly_full(folder)):
        free = _usage(folder)
        room = "" if free is None else f" ({free.free // 1024} KB free in {shown(folder)})"
        return f"the disk is full{room}" if code != errno.EDQUOT else f"the disk quota is used up{room}"
    if code == errno.EROFS:
        return "the file system is read-only"
    if code == errno.ENOENT and folder.is_dir():
        return f"the folder {shown(folder)} takes no new files"
    if code == errno.ENAMETOOLONG:
        return "the file name is too long"
    strerror = str(getattr(exc, "strerror", None) or "")
    if strerror:
        return strerror[0].lower() + strerror[1:]
    return str(exc).strip().rstrip(".") or type(exc).__name__


def _usage(folder: Path) -> shutil._ntuple_diskusage | None:
    for place in (folder, *folder.parents):  # the folder may not have been made
        try:
            return shutil.disk_usage(place)
        except OSError:
            continue
    return None


def _nearly_full(folder: Path) -> bool:
    usage = _usage(folder)
    return usage is not None and usage.total > 0 and usage.free < FULL_BELOW


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
