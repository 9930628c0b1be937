"""ID3 tags for MP3 sessions: title, album, artist, track, a comment with the settings, length, chapters (CHAP
frames with a CTOC table of contents, one per phase) and, if asked, the spoken text (USLT, and SYLT with times).

Tags are ID3v2.3, which phones and car stereos read most widely; chapters are the v2.3 chapter addendum.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from coach.kinds import Shape, Tool
from coach.timefmt import clock, length
from coach.timeline import SPEECH, Timeline

ALBUM = "coach sessions"
ARTIST = "coach"


@dataclass(frozen=True)
class Chapter:
    title: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Tags:
    title: str
    album: str
    artist: str
    track: int
    tracks: int
    comment: str
    length_ms: int
    chapters: tuple[Chapter, ...]
    lyrics: tuple[tuple[int, str], ...] = ()  # (start ms, text) for each spoken cue; empty: none written
    cover: bytes = b""  # a PNG: the front cover (APIC); empty: none
    chapter_pictures: tuple[bytes, ...] = ()  # a PNG for each chapter, in its CHAP frame; empty: none


def _ms(timeline: Timeline, samples: int) -> int:
    return round(samples * 1000 / timeline.sample_rate)


def session_title(timeline: Timeline) -> str:
    """ "Psoas release, right side", with the tool when it is not the hands and the shape when it is not a teach
    session: "..., right side, with a cane, quick"."""
    script = timeline.script
    shape = "" if script.shape is Shape.TEACH else f", {script.shape}"
    tool = f", {script.tool.named}" if script.tool.named else ""
    return f"{script.title}, {script.side.words}{tool}{shape}"


def settings_comment(timeline: Timeline, speech: str, channels: int = 2) -> str:
    """The session's settings in a line, for the comment tag: "strokes 8, ..., guidance brief, ..., pace 1, stereo",
    with the tool after the guidance when it is not the hands ("guidance brief, tool cane, ...")."""
    s = timeline.script
    tempo = f"{s.bpm} bpm" if s.tempo is None else f"{s.tempo} ({s.bpm} bpm)"
    sound = "mono" if channels == 1 else "stereo"
    tool = "" if s.tool is Tool.HANDS else f", tool {s.tool}"
    return f"strokes {s.strokes}, tempo {tempo}, guidance {s.guidance}{tool}, {speech}, {sound}"


def session_tags(
    timeline: Timeline,
    speech: str,
    track: int = 1,
    tracks: int = 1,
    lyrics: bool = False,
    pictures: tuple[bytes, tuple[bytes, ...]] = (b"", ()),
    channels: int = 2,
) -> Tags:
    """The session's tags; `pictures` is the cover and each chapter's picture (PNG), or none; `channels` says
    whether it is stereo or mono (in the comment)."""
    chapters = tuple(Chapter(p.title, _ms(timeline, p.start), _ms(timeline, p.end)) for p in timeline.phases)
    spoken = tuple((_ms(timeline, e.start), e.name) for e in timeline.events if e.kind == SPEECH) if lyrics else ()
    return Tags(
        title=session_title(timeline),
        album=ALBUM,
        artist=ARTIST,
        track=track,
        tracks=tracks,
        comment=settings_comment(timeline, speech, channels),
        length_ms=_ms(timeline, timeline.length),
        chapters=chapters,
        lyrics=spoken,
        cover=pictures[0],
        chapter_pictures=pictures[1],
    )


COVER_DESC = "cover"


def _apic(png: bytes, desc: str) -> object:
    from mutagen import id3

    return id3.APIC(encoding=id3.Encoding.LATIN1, mime="image/png", type=id3.PictureType.COVER_FRONT, desc=desc,
                    data=png)  # fmt: skip


def write_id3(path: Path, tags: Tags) -> None:
    """Replace the file's ID3 tag with these tags."""
    from mutagen import id3

    tag = id3.ID3()
    tag.add(id3.TIT2(encoding=id3.Encoding.UTF16, text=tags.title))
    tag.add(id3.TALB(encoding=id3.Encoding.UTF16, text=tags.album))
    tag.add(id3.TPE1(encoding=id3.Encoding.UTF16, text=tags.artist))
    tag.add(id3.TRCK(encoding=id3.Encoding.LATIN1, text=f"{tags.track}/{tags.tracks}"))
    tag.add(id3.TLEN(encoding=id3.Encoding.LATIN1, text=str(tags.length_ms)))
    tag.add(id3.COMM(encoding=id3.Encoding.UTF16, lang="eng", desc="settings", text=tags.comment))
    if tags.cover:
        tag.add(_apic(tags.cover, COVER_DESC))
    ids = [f"chp{index}" for index in range(len(tags.chapters))]
    pictures = tags.chapter_pictures or (b"",) * len(tags.chapters)
    tag.add(
        id3.CTOC(
            element_id="toc",
            flags=id3.CTOCFlags.TOP_LEVEL | id3.CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[id3.TIT2(encoding=id3.Encoding.UTF16, text=tags.title)],
        )
    )
    for element, chapter, picture in zip(ids, tags.chapters, pictures, strict=True):
        title = id3.TIT2(encoding=id3.Encoding.UTF16, text=chapter.title)
        tag.add(
            id3.CHAP(
                element_id=element,
                start_time=chapter.start_ms,
                end_time=chapter.end_ms,
                start_offset=0xFFFFFFFF,
                end_offset=0xFFFFFFFF,
                sub_frames=[title, _apic(picture, chapter.title)] if picture else [title],
            )
        )
    if tags.lyrics:
        text = "\n".join(line for _, line in tags.lyrics)
        tag.add(id3.USLT(encoding=id3.Encoding.UTF16, lang="eng", desc="", text=text))
        tag.add(
            id3.SYLT(
                encoding=id3.Encoding.UTF16,
                lang="eng",
                format=2,  # times in milliseconds
                type=1,  # lyrics
                desc="",
                text=[(line, start) for start, line in tags.lyrics],
            )
        )
    tag.save(str(path), v2_version=3, padding=lambda info: 0)


def write_cover(path: Path, png: bytes, flac: bool) -> None:
    """Put a front cover (PNG) into a FLAC file (a picture block) or an Ogg Vorbis file (its Vorbis comment)."""
    import base64

    from mutagen.flac import FLAC, Picture
    from mutagen.oggvorbis import OggVorbis

    picture = Picture()
    picture.type, picture.mime, picture.desc, picture.data = 3, "image/png", COVER_DESC, png
    size = _png_size(png)
    picture.width, picture.height, picture.depth = *(size or (0, 0)), 32
    if flac:
        audio = FLAC(path)
        audio.add_picture(picture)
        audio.save(padding=lambda info: 0)
    else:
        ogg = OggVorbis(path)
        ogg["metadata_block_picture"] = [base64.b64encode(picture.write()).decode("ascii")]
        ogg.save(padding=lambda info: 0)


class NotAudio(Exception):
    """A file `coach info` cannot describe; the message ends the sentence "FILE: ..."."""


def describe(file: BinaryIO, name: str) -> str:
    """What `coach info` prints about an open file: the audio, the tags and the chapters. The file may hold anything:
    every value shown is made printable, a length tag that is not milliseconds is shown as written, and what mutagen
    cannot parse is NotAudio."""
    import mutagen
    from mutagen import id3

    try:
        audio = mutagen.File(file)
    except Exception as exc:  # mutagen parses hostile bytes: its errors come in many types, some with no message
        raise NotAudio(f"cannot be read as audio ({printable(str(exc)) or 'it is cut short or damaged'})") from exc
    if audio is None:
        raise NotAudio("not an audio file coach can read")
    info = audio.info
    count = getattr(info, "channels", 0)
    channels = {1: "mono", 2: "stereo"}.get(count, f"{count} channels")
    kbps = getattr(info, "bitrate", 0) // 1000
    bitrate = f", {kbps} kbps" if kbps else ""
    out = [f"{printable(name)}: {_held_length(audio, file)}{bitrate}, {info.sample_rate} Hz {channels}"]
    tag = audio.tags if isinstance(audio.tags, id3.ID3) else None
    if tag is None:
        out.append("No ID3 tags.")
        out += [f"{'Cover:':<10}{_picture(p.mime, p.data)}" for p in _covers(audio)]
        return "\n".join(out) + "\n"
    fields = [("Title", "TIT2"), ("Album", "TALB"), ("Artist", "TPE1"), ("Track", "TRCK"), ("Length", "TLEN")]
    for label, key in fields:
        if key in tag:
            value = str(tag[key])
            out.append(f"{label + ':':<10}{_milliseconds(value) if key == 'TLEN' else printable(value)}")
    comments = tag.getall("COMM")
    if comments:
        out.append(f"{'Comment:':<10}{printable(str(comments[0]))}")
    lyrics = tag.getall("SYLT")
    if lyrics:
        out.append(f"{'Lyrics:':<10}{len(lyrics[0].text)} timed lines")
    out += [f"{'Cover:':<10}{_picture(frame.mime, frame.data)}" for frame in tag.getall("APIC")]
    chapters = sorted(tag.getall("CHAP"), key=lambda c: c.start_time)
    if chapters:
        out.append("Chapters:")
        for chap in chapters:
            title = str(chap.sub_frames["TIT2"]) if "TIT2" in chap.sub_frames else chap.element_id
            pictures = [frame for key, frame in chap.sub_frames.items() if key.startswith("APIC")]
            shown = f" (picture: {_picture(pictures[0].mime, pictures[0].data)})" if pictures else ""
            out.append(f"  {clock(chap.start_time / 1000)}  {printable(title)}{shown}")
    return "\n".join(out) + "\n"


def _held_length(audio: Any, file: BinaryIO) -> str:
    """The length the file holds, and, where its header says more (a file cut short), what the header says."""
    claimed = getattr(audio.info, "length", None)
    try:
        held = held_seconds(audio, file)
    except Exception:  # the codecs read hostile bytes: what they cannot follow leaves the header's word
        held = None
    if held is None or not isinstance(claimed, int | float) or held >= claimed - CUT_TOLERANCE:
        return _length(claimed)
    return f"{_length(held)} (cut short: its header says {_length(claimed)})"


CUT_TOLERANCE = 0.1  # seconds the audio may fall short of the header's length before the file counts as cut short


def held_seconds(audio: Any, file: BinaryIO) -> float | None:
    """How many seconds of audio the file holds, where its header may say more: an MP3's Xing or Info frame
    counts every frame's bytes (compared with the bytes there), a WAV's data chunk is compared with the file by
    libsndfile, and a FLAC is decoded to where it stops. None where the header's length is the file's own (Ogg
    Vorbis: the last page present gives it) or cannot be checked."""
    from mutagen.flac import FLAC
    from mutagen.mp3 import MP3
    from mutagen.wave import WAVE

    if isinstance(audio, MP3):
        return _mp3_held(audio.info, file)
    if isinstance(audio, WAVE | FLAC):
        import soundfile

        file.seek(0)
        with soundfile.SoundFile(file) as sound:
            if isinstance(audio, WAVE):
                return float(sound.frames / sound.samplerate)
            frames = 0
            try:
                while block := len(sound.read(FLAC_BLOCK, dtype="int16")):
                    frames += block
            except soundfile.LibsndfileError:  # "flac decoder lost sync": the file ends there
                pass
            return float(frames / sound.samplerate)
    return None


FLAC_BLOCK = 16384  # frames decoded at a time: a cut FLAC is measured to within this (0.7 s at 22050 Hz)


def _mp3_held(info: Any, file: BinaryIO) -> float | None:
    """An MP3's seconds held: its length in the proportion of the stream's bytes there to those its Xing or Info
    frame counts (exact for constant bitrate, as coach writes)."""
    from mutagen.mp3._util import XingHeader, XingHeaderError

    if info.layer != 3:
        return None
    file.seek(info.frame_offset + XingHeader.get_offset(info))
    try:
        counted = XingHeader(file).bytes
    except XingHeaderError:
        return None  # no Xing frame: mutagen measured the length from the file's size
    end = file.seek(0, 2)
    file.seek(max(0, end - 128))
    there = end - info.frame_offset - (128 if file.read(3) == b"TAG" else 0)  # less an ID3v1 tag at the end
    if counted <= 0 or there >= counted:
        return None
    return float(info.length * max(0, there) / counted)


def _covers(audio: object) -> list[Any]:
    """The pictures of a FLAC file (its picture blocks) or an Ogg Vorbis file (its picture comments)."""
    import base64

    from mutagen.flac import Picture

    blocks = getattr(audio, "pictures", None)
    if isinstance(blocks, list):
        return blocks
    comments: Any = getattr(audio, "tags", None)
    values = comments.get("metadata_block_picture", []) if hasattr(comments, "get") else []
    found = []
    for value in values[:8]:
        try:
            found.append(Picture(base64.b64decode(value)))
        except Exception:  # a damaged picture comment is left out, as a player would
            continue
    return found


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None


def _picture(mime: str, data: bytes) -> str:
    """A picture as `coach info` shows it: "PNG 1000 x 1000, 64 KB"."""
    size = _png_size(data)
    kind = "PNG" if size else {"image/jpeg": "JPEG", "image/jpg": "JPEG"}.get(str(mime).lower(), printable(str(mime)))
    shape = f" {size[0]} x {size[1]}" if size else ""
    return f"{kind}{shape}, {max(1, round(len(data) / 1024))} KB"


SHOWN = 200  # characters of a tag's value shown at most


def printable(text: str) -> str:
    """A value from a file, fit for a terminal: control, separator and formatting characters become "?" (an escape
    sequence in a tag cannot act on the terminal), and a long value is cut."""
    text = "".join("?" if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in text)
    return text if len(text) <= SHOWN else text[:SHOWN] + "..."


def _length(seconds: object) -> str:
    if isinstance(seconds, int | float) and math.isfinite(seconds) and seconds >= 0:
        return length(seconds)
    return "?"


def _milliseconds(value: str) -> str:
    """A TLEN value: milliseconds as a length, or anything else as written (it is only a tag)."""
    if re.fullmatch(r"[0-9]{1,12}", value):
        return length(int(value) / 1000)
    return f"{printable(value)} (as written: not in milliseconds)"
