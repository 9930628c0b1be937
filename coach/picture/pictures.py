"""Which picture a routine has, at the edge: a built-in routine's drawing, a user routine's own SVG (read from
beside its file, cleaned, rendered in a child process), or a plain title card. And which picture goes where in a
session: the cover, and one for each chapter (the position for the chapters before the strokes, the stroke for
the strokes chapters).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from coach.catalog import RoutineSource
from coach.errors import RoutineError
from coach.kinds import Side
from coach.picture.drawing import View, draw, title_card
from coach.picture.figures import FIGURES
from coach.picture.render import PictureError, render_png, render_untrusted
from coach.picture.untrusted import MAX_BYTES, Unsafe, clean_svg
from coach.reading import NotRegular, TooLarge, read_regular
from coach.routine import Routine
from coach.script import Grid, Script
from coach.template import fill
from coach.tomllines import key_lines


@dataclass(frozen=True)
class Picture:
    """One picture: its SVG, and how to render it (a user's drawing is rendered apart, with limits)."""

    svg: str
    untrusted: bool = False
    name: str = ""  # a user's file, for messages

    def png(self) -> bytes:
        return _render(self.svg, self.untrusted, self.name)


@cache
def _render(svg: str, untrusted: bool, name: str) -> bytes:
    """Each distinct picture rendered once in a process (a session uses the same one in several chapters)."""
    return render_untrusted(svg, name) if untrusted else render_png(svg)


PictureFor = Callable[[Side, View], Picture]


def routine_pictures(source: RoutineSource, routine: Routine) -> PictureFor:
    """The routine's pictures, by side and view. A user routine's picture file is read and checked here, once for
    each side: a problem is a RoutineError naming the routine's file, the `picture` key and the picture's file."""
    if source.path is None and source.name in FIGURES:
        figure = FIGURES[source.name]
        return lambda side, view: Picture(draw(figure, side, view))
    if not routine.picture:
        return lambda side, view: Picture(title_card(routine.title, side))
    own = {side: _user_picture(source, routine, side) for side in (Side.RIGHT, Side.LEFT)}
    return lambda side, view: own[side]


def _user_picture(source: RoutineSource, routine: Routine, side: Side) -> Picture:
    assert source.path is not None, "a routine with a picture key is a user's file"
    name = fill(routine.picture, {"side": side})
    path = source.path.parent / name
    try:
        data = read_regular(path, MAX_BYTES)
        svg = clean_svg(data, mirrored=side is Side.LEFT and name == routine.picture)
    except FileNotFoundError:
        raise _error(source, f"{name} is not there (it goes beside {source.path.name})") from None
    except TooLarge as exc:
        raise _error(source, f"{name} is too large ({exc.size} bytes; a picture holds at most {MAX_BYTES})") from None
    except NotRegular as exc:
        raise _error(source, f"{name} is {exc.kind}, not a picture file") from None
    except OSError as exc:
        raise _error(source, f"{name} cannot be read ({exc.strerror or exc})") from None
    except Unsafe as exc:
        raise _error(source, f"{name} {exc}") from None
    return Picture(svg, untrusted=True, name=str(path))


def _error(source: RoutineSource, problem: str) -> RoutineError:
    line = key_lines(source.read()).get(("picture",))
    return RoutineError(source.label, problem, key="picture", line=line)


def checked_png(source: RoutineSource, picture: Picture) -> bytes:
    """The picture's PNG; a user's picture that cannot be drawn is a RoutineError at the `picture` key."""
    try:
        return picture.png()
    except PictureError as exc:
        if not picture.untrusted:
            raise
        raise _error(source, str(exc).removeprefix(picture.name + " ").rstrip(".")) from None


@dataclass(frozen=True)
class SessionPictures:
    """A session's pictures as PNG: the cover, and one for each chapter (each phase of its timeline)."""

    cover: bytes
    chapters: tuple[bytes, ...]


def chapter_views(script: Script) -> list[tuple[Side, View]]:
    """Each phase's picture: its side (the side being worked; before the first side, the first, and after the
    last, the last) and its view (the stroke where the phase has strokes, else the position)."""
    sides = script.side.sides
    current = sides[0]
    views = []
    for phase in script.phases:
        current = phase.side or current
        view = View.STROKE if any(isinstance(cue, Grid) for cue in phase.cues) else View.POSITION
        views.append((current, view))
    return views


def session_pictures(script: Script, source: RoutineSource, pictures: PictureFor) -> SessionPictures:
    """The cover (the first side's stroke) and each chapter's picture, as PNG."""
    first = script.side.sides[0]
    cover = checked_png(source, pictures(first, View.STROKE))
    chapters = tuple(checked_png(source, pictures(side, view)) for side, view in chapter_views(script))
    return SessionPictures(cover, chapters)


def pictures_key(source: RoutineSource, routine: Routine) -> str:
    """What a routine's pictures are made from, as a digest: every picture's SVG, the renderer's version and the
    fonts. A library's file is made again when it changes."""
    import hashlib
    from importlib.metadata import version

    from coach.picture.render import font_files

    pictures = routine_pictures(source, routine)
    digest = hashlib.sha256(version("resvg-py").encode())
    for side in (Side.RIGHT, Side.LEFT):
        for view in View:
            digest.update(pictures(side, view).svg.encode("utf-8"))
    for font in font_files():
        digest.update(hashlib.sha256(read_regular(Path(font), FONT_BYTES)).digest())
    return digest.hexdigest()


FONT_BYTES = 16 * 1024 * 1024  # a font file is read whole for the digest, up to this size


def file_pictures(suffix: str, script: Script, source: RoutineSource, routine: Routine) -> SessionPictures | None:
    """The pictures a session's file carries: none in a WAV file (it has no place for them)."""
    if suffix.lower() == ".wav":
        return None
    return session_pictures(script, source, routine_pictures(source, routine))


def see_where(source: RoutineSource, side: Side) -> str:
    """The line that points a first session to the picture."""
    single = side.sides[0]
    return f"See where to press: coach show {source.command} --side {single} --picture"


def usable(source: RoutineSource) -> Routine:
    """The routine, once it and its picture (a user's file, if it names one) are known to be usable."""
    routine = source.load()
    routine_pictures(source, routine)
    return routine
