"""Atomic writes: a temp file beside the target, renamed over it only when complete.

After any failure or Ctrl-C nothing is left at the target path (an earlier file there stays as it was), and no
temp file is left behind.
"""

from __future__ import annotations

import contextlib
import os
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


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
