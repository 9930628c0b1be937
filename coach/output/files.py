"""Writing a session to an audio file, chosen by suffix: .mp3, .wav, .flac or .ogg.

Files are written atomically (coach.atomic): after any failure or Ctrl-C nothing is left at the target path. MP3s
come from lameenc with an Info frame and LAME tag of our own (coach.output.mp3), so decoders trim the encoder delay
and padding: decoded audio starts on the same sample as the session. The other formats go through soundfile.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from coach.atomic import atomic_path, check_writable, name_limit, reason
from coach.audio import Pcm
from coach.defaults import DEFAULT_BITRATE, DEFAULT_CHANNELS
from coach.errors import OutputFileError
from coach.quoting import shown

FORMATS = {
    ".mp3": ("MP3", "MPEG_LAYER_III"),
    ".wav": ("WAV", "PCM_16"),
    ".flac": ("FLAC", "PCM_16"),
    ".ogg": ("OGG", "VORBIS"),
}


@dataclass(frozen=True)
class Encoding:
    channels: int = DEFAULT_CHANNELS  # 2 stereo (each sound where coach.placement puts it), 1 mono (folded down)
    bitrate: int = DEFAULT_BITRATE  # kbps, constant; MP3 only (joint stereo in stereo)


def check_target(path: Path) -> tuple[str, str]:
    """The (format, subtype) for a target path; refuses what cannot be written before any work is done."""
    if path.name.lower() in FORMATS:  # ".mp3" is a hidden file's name with no suffix
        raise OutputFileError(f"Cannot write {shown(path.name)}: the file needs a name before {shown(path.name)}.")
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise OutputFileError(f"Cannot write {shown(path.name)}: the file name must end in .mp3, .wav, .flac or .ogg.")
    check_place(path)
    return kind


def check_place(path: Path) -> None:
    """Refuse, before any work, a file that could not be written: no folder, not writable, a folder in its place,
    a name longer than the file system takes."""
    folder = path.parent
    if not folder.is_dir():
        raise OutputFileError(f"Cannot write {shown(path)}: the folder {shown(folder)} does not exist.")
    size, limit = len(os.fsencode(path.name)), name_limit(folder)
    if size > limit:
        raise OutputFileError(
            f"Cannot write {shown(path.name)}: the file name is too long ({size} bytes; at most {limit})."
        )
    check_writable(path)  # a folder, a FIFO, a device or a link to one is never replaced
    if not os.access(folder, os.W_OK):
        raise OutputFileError(
            f"Cannot write {shown(path)}: the folder {shown(folder)} is not writable (or is read-only)."
        )


def write_file(
    path: Path,
    blocks: Iterable[Pcm],
    sample_rate: int,
    encoding: Encoding | None = None,
    progress: Callable[[int], None] | None = None,
    finish: Callable[[Path], None] | None = None,
) -> None:
    """Encode the blocks into `path`. `progress` gets the samples written so far after each block; `finish` gets
    the complete temp file before it takes the target's place (to add tags)."""

    check_target(path)
    with atomic_path(path) as temp:
        encode_into(temp, path, blocks, sample_rate, encoding, progress, finish)


def encode_into(
    temp: Path,
    path: Path,
    blocks: Iterable[Pcm],
    sample_rate: int,
    encoding: Encoding | None = None,
    progress: Callable[[int], None] | None = None,
    finish: Callable[[Path], None] | None = None,
) -> None:
    """Encode the blocks into `temp`, an existing temp file that is to become `path` (its suffix sets the format;
    errors name it). The blocks are as the encoding's channels have them: (n,) in mono, (n, 2) in stereo."""
    import soundfile

    fmt, subtype = FORMATS[path.suffix.lower()]
    try:  # the reason is found while the temp file still fills the disk, if that is what happened
        _encode(temp, blocks, sample_rate, encoding or Encoding(), fmt, subtype, progress)
        if finish is not None:
            finish(temp)
    except (OSError, soundfile.SoundFileRuntimeError) as exc:
        raise OutputFileError(f"Could not write {shown(path)}: {reason(exc, path.parent)}.") from exc


def _encode(
    temp: Path,
    blocks: Iterable[Pcm],
    sample_rate: int,
    encoding: Encoding,
    fmt: str,
    subtype: str,
    progress: Callable[[int], None] | None,
) -> None:
    written = 0
    if fmt == "MP3":
        from coach.output.mp3 import Mp3Writer

        with open(temp, "wb") as out:
            mp3 = Mp3Writer(out, sample_rate, encoding.channels, encoding.bitrate)
            for block in blocks:
                mp3.write(block)
                written += len(block)
                if progress is not None:
                    progress(written)
            mp3.close()
        return
    import soundfile

    with soundfile.SoundFile(temp, "w", sample_rate, encoding.channels, subtype, format=fmt) as out:
        for block in blocks:
            out.write(block)
            written += len(block)
            if progress is not None:
                progress(written)
