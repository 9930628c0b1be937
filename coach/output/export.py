"""Writing one session: the audio file, its tags (MP3) and, if asked, lyrics (.lrc, and ID3 text) and subtitles."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from coach import report
from coach.atomic import write_text
from coach.mixer import render
from coach.output.files import Encoding, write_file
from coach.output.tags import session_tags, session_title, write_id3
from coach.session import Session

MONO = Encoding()


def export_session(
    session: Session,
    path: Path,
    speech: str,
    encoding: Encoding = MONO,
    lyrics: bool = False,
    srt: bool = False,
    track: int = 1,
    tracks: int = 1,
    progress: Callable[[int], None] | None = None,
) -> list[Path]:
    """Write the session to `path` (format by suffix) and the sidecar files asked for; returns every file written.
    `speech` says how it is spoken ("voice en_US-joe-medium (piper), pace 1"), for the MP3's comment."""
    timeline = session.timeline
    finish = None
    if path.suffix.lower() == ".mp3":
        finish = partial(write_id3, tags=session_tags(timeline, speech, track, tracks, lyrics))
    write_file(path, render(timeline, session.clips), timeline.sample_rate, encoding, progress, finish)
    written = [path]
    if lyrics:
        written.append(path.with_suffix(".lrc"))
        write_text(written[-1], report.lrc_text(timeline, session_title(timeline)))
    if srt:
        written.append(path.with_suffix(".srt"))
        write_text(written[-1], report.srt_text(timeline))
    return written
