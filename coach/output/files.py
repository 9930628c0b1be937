"""Writing a session to an audio file, chosen by suffix: .mp3, .wav, .flac or .ogg.

Files are written atomically (coach.atomic): after any failure or Ctrl-C nothing is left at the target path. MP3s
come from libsndfile's LAME, which writes a Xing/LAME header so decoders trim the encoder delay and padding: decoded
audio starts on the same sample as the session.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coach.atomic import atomic_path
from coach.defaults import DEFAULT_BITRATE
from coach.errors import OutputFileError
from coach.mixer import Pcm

FORMATS = {
    ".mp3": ("MP3", "MPEG_LAYER_III"),
    ".wav": ("WAV", "PCM_16"),
    ".flac": ("FLAC", "PCM_16"),
    ".ogg": ("OGG", "VORBIS"),
}


@dataclass(frozen=True)
class Encoding:
    channels: int = 1  # 1 mono, 2 stereo (the same sound in both ears)
    bitrate: int = DEFAULT_BITRATE  # kbps, constant; MP3 only


def mp3_compression_level(bitrate: int) -> float:
    """libsndfile's 0-1 compression level that makes LAME write this constant bitrate at 22050 Hz."""
    return (160 - bitrate) / (160 - 8)


def check_target(path: Path) -> tuple[str, str]:
    """The (format, subtype) for a target path; refuses what cannot be written before any work is done."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise OutputFileError(f"Cannot write {path.name}: the file name must end in .mp3, .wav, .flac or .ogg.")
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
    encoding: Encoding | None = None,
    progress: Callable[[int], None] | None = None,
    finish: Callable[[Path], None] | None = None,
) -> None:
    """Encode the blocks into `path`. `progress` gets the samples written so far after each block; `finish` gets
    the complete temp file before it takes the target's place (to add tags)."""
    import soundfile

    fmt, subtype = check_target(path)
    encoding = encoding or Encoding()
    extra: dict[str, object] = {}
    if fmt == "MP3":
        extra = {"compression_level": mp3_compression_level(encoding.bitrate), "bitrate_mode": "CONSTANT"}
    try:
        with atomic_path(path) as temp:
            with soundfile.SoundFile(temp, "w", sample_rate, encoding.channels, subtype, format=fmt, **extra) as out:
                written = 0
                for block in blocks:
                    # libsndfile's MP3 encoder garbles interleaved 16-bit stereo; floats are exact and safe
                    data = block.astype(np.float32) / 32768 if fmt == "MP3" else block
                    out.write(data if encoding.channels == 1 else np.column_stack([data] * encoding.channels))
                    written += len(block)
                    if progress is not None:
                        progress(written)
            if finish is not None:
                finish(temp)
    except OSError as exc:
        raise OutputFileError(f"Could not write {path}: {exc.strerror or exc}.") from exc
    except soundfile.SoundFileRuntimeError as exc:
        raise OutputFileError(f"Could not write {path}: {exc}.") from exc
