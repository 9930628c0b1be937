"""Reading files that could be anything (a leaf): only regular files are read, of a bounded size, and opening never
waits on a FIFO. A user's routine, a speech-cache entry, an export's manifest or a file given to `coach info` can be
a FIFO, a device such as /dev/zero or a link to one: read naively, a FIFO waits forever and /dev/zero fills memory.

The file is opened with O_NONBLOCK (a FIFO opens at once), checked with fstat on the open descriptor (so it cannot
be swapped between the check and the read), and read to at most its limit.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import BinaryIO


class NotRegular(OSError):
    """The path is not a regular file: `kind` says what it is ("a FIFO", "a character device", ...)."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"not a regular file ({kind})")
        self.path = path
        self.kind = kind


class TooLarge(OSError):
    def __init__(self, path: Path, size: int, limit: int) -> None:
        super().__init__(f"too large ({size} bytes; at most {limit})")
        self.path = path
        self.size = size
        self.limit = limit


KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISLNK, "a symbolic link"),
)


def kind_of(mode: int) -> str:
    return next((name for test, name in KINDS if test(mode)), "not a file")


def open_regular(path: Path, limit: int | None, *, follow_links: bool = True) -> BinaryIO:
    """Open a regular file for reading; NotRegular or TooLarge (both OSErrors) otherwise. Without `follow_links`, a
    symbolic link is refused too."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow_links else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if not follow_links and os.path.islink(path):  # O_NOFOLLOW's ELOOP
            raise NotRegular(path, "a symbolic link") from exc
        raise
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise NotRegular(path, kind_of(status.st_mode))
        if limit is not None and status.st_size > limit:
            raise TooLarge(path, status.st_size, limit)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path, limit: int, *, follow_links: bool = True) -> bytes:
    """A regular file's bytes, at most `limit` of them (one that grows past it while being read is TooLarge)."""
    with open_regular(path, limit, follow_links=follow_links) as file:
        data = file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(path, len(data), limit)
    return data


def why(exc: OSError) -> str:
    """Why a file could not be read, in words fit for the end of a sentence: "not a regular file (a FIFO)", "too
    large (...)", "permission denied"."""
    if isinstance(exc, NotRegular | TooLarge) or not exc.strerror:
        return str(exc)
    return exc.strerror[0].lower() + exc.strerror[1:]


def read_json(path: Path, limit: int, *, follow_links: bool = True) -> object:
    """A regular file's JSON, read to at most `limit` bytes. OSError when it cannot be read (NotRegular,
    TooLarge); ValueError when it is not JSON in UTF-8, or nests too deeply for Python's parser (which would
    raise RecursionError)."""
    data = read_regular(path, limit, follow_links=follow_links)
    try:
        return json.loads(data.decode("utf-8"))
    except RecursionError:
        raise ValueError("nested too deeply") from None
