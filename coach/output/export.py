"""Writing one session: the audio file, its tags (MP3) and, if asked, lyrics (.lrc, and ID3 text) and subtitles.

The files of one session are one transaction (coach.atomic): all are written as temp files first and renamed into
place together, so a failure or an interrupt leaves every target as it was. `write_session` writes into temp files
made elsewhere (coach export's workers write; only the main process renames).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from coach import report
from coach.atomic import Transaction, reason
from coach.errors import OutputFileError
from coach.mixer import render
from coach.output.files import Encoding, check_place, check_target, encode_into
from coach.output.tags import session_tags, session_title, write_cover, write_id3
from coach.session import Session

if TYPE_CHECKING:
    from coach.picture.pictures import SessionPictures

STEREO = Encoding()


def session_files(path: Path, lyrics: bool = False, srt: bool = False) -> list[Path]:
    """The files one session writes: its audio, then FILE.lrc and FILE.srt if asked."""
    return [path, *([path.with_suffix(".lrc")] if lyrics else []), *([path.with_suffix(".srt")] if srt else [])]


def check_session_files(path: Path, lyrics: bool = False, srt: bool = False) -> None:
    """Refuse, before any work, a session whose files could not all be written."""
    check_target(path)
    for sidecar in session_files(path, lyrics, srt)[1:]:
        check_place(sidecar)


def export_session(
    session: Session,
    path: Path,
    speech: str,
    encoding: Encoding = STEREO,
    lyrics: bool = False,
    srt: bool = False,
    progress: Callable[[int], None] | None = None,
    pictures: SessionPictures | None = None,
) -> list[Path]:
    """Write the session on its own to `path` (format by suffix) and the sidecar files asked for, all or none;
    returns them. `speech` says how it is spoken ("voice en_US-joe-medium (piper), pace 1"), for the MP3's comment;
    `pictures` go into an MP3 (the cover, and one in each chapter), a FLAC or an Ogg file (the cover). They are the
    command's result: once they are in place, a stopping signal is too late to undo them."""
    files = session_files(path, lyrics, srt)
    check_session_files(path, lyrics, srt)
    with Transaction(final=True) as transaction:
        temps = {target: transaction.temp(target) for target in files}
        write_session(session, temps, speech, encoding, progress=progress, pictures=pictures)
    return files


def write_session(
    session: Session,
    temps: Mapping[Path, Path],
    speech: str,
    encoding: Encoding = STEREO,
    track: int = 1,
    tracks: int = 1,
    progress: Callable[[int], None] | None = None,
    pictures: SessionPictures | None = None,
) -> None:
    """Write a session's files into their temp files: `temps` maps each target (session_files) to its temp file."""
    timeline = session.timeline
    path, *sidecars = temps
    lyrics = any(target.suffix == ".lrc" for target in sidecars)
    finish = None
    suffix = path.suffix.lower()
    if suffix == ".mp3":
        shown = (pictures.cover, pictures.chapters) if pictures is not None else (b"", ())
        tags = session_tags(timeline, speech, track, tracks, lyrics, shown, encoding.channels)
        finish = partial(write_id3, tags=tags)
    elif suffix in (".flac", ".ogg") and pictures is not None:
        finish = partial(write_cover, png=pictures.cover, flac=suffix == ".flac")
    blocks = render(timeline, session.clips, channels=encoding.channels)
    encode_into(temps[path], path, blocks, timeline.sample_rate, encoding, progress, finish)
    for target in sidecars:
        text = report.lrc_text(timeline, session_title(timeline)) if target.suffix == ".lrc" else None
        try:
            temps[target].write_text(text if text is not None else report.srt_text(timeline), encoding="utf-8")
        except OSError as exc:
            raise OutputFileError(f"Could not write {target}: {reason(exc, target.parent)}.") from exc
