"""SVG to PNG, at the edge: resvg (through resvg-py), with coach's fonts only, the same bytes from the same SVG.

coach's own drawings are rendered here, in this process. A user's picture (coach.picture.untrusted cleans it
first) is rendered in a child process of its own (`python -m coach.picture.child`), with a limit on its memory and
on its time, so a drawing that would take minutes or gigabytes is refused in one sentence instead.

Why resvg: docs/pictures.md has the measurements (it reads no network at all, draws only with the fonts it is
given, and gives the same bytes every time; its wheel is self-contained).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

from coach.errors import CoachError

PIXELS = 1000  # a picture's width and height: the cover's least size for phones' lock screens
FONT_FOLDERS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/TTF", "/usr/share/fonts/dejavu")
FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
TIME_LIMIT_S = 20  # a user's picture: the most time its rendering may take
MEMORY_LIMIT = 1 << 30  # ... and the most memory (bytes of address space) its process may take


class PictureError(CoachError):
    """A picture that cannot be made."""


def font_files() -> list[str]:
    """DejaVu Sans and its bold face: the only fonts any picture is drawn with (Debian's fonts-dejavu-core)."""
    for folder in FONT_FOLDERS:
        paths = [os.path.join(folder, name) for name in FONTS]
        if all(os.path.isfile(path) for path in paths):
            return paths
    raise PictureError(
        "The pictures need the DejaVu Sans font, which is not installed: install fonts-dejavu-core (Debian, Ubuntu) "
        "or your system's DejaVu fonts."
    )


def render_png(svg: str, pixels: int = PIXELS) -> bytes:
    """A PNG of `pixels` x `pixels` from SVG text that refers to nothing outside itself."""
    import resvg_py

    fonts = font_files()
    with tempfile.TemporaryDirectory(prefix="coach-picture-") as empty:  # nothing to find by a relative path
        try:
            data = resvg_py.svg_to_bytes(
                svg_string=svg, width=pixels, height=pixels, skip_system_fonts=True, font_files=fonts,
                font_family="DejaVu Sans", sans_serif_family="DejaVu Sans", resources_dir=empty,
            )  # fmt: skip
        except ValueError as exc:
            raise PictureError(f"The picture could not be drawn ({exc}).") from None
    return bytes(data)


def render_untrusted(svg: str, name: str, pixels: int = PIXELS) -> bytes:
    """A PNG from a cleaned user SVG, drawn in a child process with bounded time and memory; `name` names the
    picture in the one-sentence refusal."""
    command = [sys.executable, "-m", "coach.picture.child", str(pixels), str(MEMORY_LIMIT)]
    try:
        done = subprocess.run(command, input=svg.encode("utf-8"), capture_output=True, timeout=TIME_LIMIT_S)
    except subprocess.TimeoutExpired:
        raise PictureError(f"{name} takes too long to draw (more than {TIME_LIMIT_S} s).") from None
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = why[-1] if why and done.returncode == 1 else "it needs too much memory"
        raise PictureError(f"{name} could not be drawn ({reason.rstrip('.')}).")
    return done.stdout
