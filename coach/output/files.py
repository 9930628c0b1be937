"""Writing a session to a file (WAV or MP3, by suffix), atomically: a temp file beside the target, then a rename.

After any failure or Ctrl-C nothing is left at the target path (an earlier file there stays as it was).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from coach.errors import OutputFileError
from coach.mixer import CHANNELS, Pcm

FORMATS = {".wav": ("WAV", "PCM_16"), ".mp3": ("MP3", "MPEG_LAYER_III")}


def check_target(path: Path) -> tuple[str, str]:
    """The (format, subtype) for a target path; refuses what cannot be written before any work is done."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise OutputFileError(f"Cannot write {path.name}: the file name must end in .mp3 or .wav.")
    folder = path.parent
    if not folder.is_dir():
        raise OutputFileError(f"Cannot write {path}: the folder {folder} does not exist.")
    if path.is_dir():
        raise OutputFileError(f"Cannot write {path}: it is a folder.")
    if not os.access(folder, os.W_OK):
        raise OutputFileError(f"Cannot write {path}: the folder {folder} is not writable.")
    return kind


def write_file(
    path: Path,
    blocks: Iterable[Pcm],
    sample_rate: int,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Encode the blocks into `path`; `progress` is called with the samples written so far after each block."""
    import soundfile

    fmt, subtype = check_target(path)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        with soundfile.SoundFile(temp, "w", sample_rate, CHANNELS, subtype, format=fmt) as out:
            written = 0
            for block in blocks:
                out.write(block)
                written += len(block)
                if progress is not None:
                    progress(written)
        os.chmod(temp, 0o644 & ~_umask())
        os.replace(temp, path)
    except OSError as exc:
        raise OutputFileError(f"Could not write {path}: {exc.strerror or exc}.") from exc
    except soundfile.SoundFileRuntimeError as exc:
        raise OutputFileError(f"Could not write {path}: {exc}.") from exc
    finally:
        Path(temp).unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
