"""Atomic writes: a temp file beside the target, renamed over it only when complete.

After any failure or Ctrl-C nothing is left at the target path (an earlier file there stays as it was), and no
temp file is left behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from coach.errors import OutputFileError


@contextlib.contextmanager
def atomic_path(path: Path, mode: int = 0o644) -> Iterator[Path]:
    """Yield a temp path to write; on success it becomes `path` (with `mode`, less the umask)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        os.chmod(temp, mode & ~_umask())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    try:
        with atomic_path(path) as temp:
            temp.write_bytes(data)
    except OSError as exc:
        raise OutputFileError(f"Could not write {path}: {exc.strerror or exc}.") from exc


FULL_BELOW = 1024 * 1024  # free bytes under which an error with no errno (libsndfile's) is put down to a full disk


def reason(exc: BaseException, folder: Path) -> str:
    """Why writing in `folder` failed, in words fit for the end of a sentence. A full disk is named only when the
    error says so (ENOSPC, EDQUOT) or, for an error that gives no errno (libsndfile says "System error."), when a
    real file system has under 1 MB free: /proc, which has no space at all, is not full."""
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT) or (code is None and _nearly_full(folder)):
        free = _usage(folder)
        room = "" if free is None else f" ({free.free // 1024} KB free in {folder})"
        return f"the disk is full{room}" if code != errno.EDQUOT else f"the disk quota is used up{room}"
    if code == errno.EROFS:
        return "the file system is read-only"
    if code == errno.ENOENT and folder.is_dir():
        return f"the folder {folder} takes no new files"
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
