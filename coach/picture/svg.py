"""A small SVG writer for coach's pictures (pure: values in, text out).

Every coordinate is given for the right side's picture; a `Mirror` turns it into the left side's (x becomes
CANVAS - x), and text is anchored from the mirrored side, so the left picture is the right one's mirror image with
its words still reading left to right. Numbers are written with at most one decimal, so the same drawing is the
same text, byte for byte.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

CANVAS = 1000  # the view box is CANVAS x CANVAS units; rendering scales it


@dataclass(frozen=True)
class P:
    """A point on the canvas, in the right side's picture."""

    x: float
    y: float

    def __add__(self, other: P) -> P:
        return P(self.x + other.x, self.y + other.y)

    def toward(self, other: P, distance: float) -> P:
        """The point `distance` from here on the way to `other`."""
        dx, dy = other.x - self.x, other.y - self.y
        scale = distance / math.hypot(dx, dy)
        return P(self.x + dx * scale, self.y + dy * scale)

    def distance(self, other: P) -> float:
        return math.hypot(other.x - self.x, other.y - self.y)


@dataclass(frozen=True)
class Box:
    """A rectangle on a canvas: its top left corner and its size (a view box, an inset's place)."""

    x: float
    y: float
    width: float
    height: float

    def at(self, x: float, y: float) -> P:
        """A point given from the box's top left corner."""
        return P(self.x + x, self.y + y)


def num(value: float) -> str:
    """A coordinate as written: at most one decimal, no trailing zero, no negative zero."""
    text = f"{round(value, 1):.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@dataclass(frozen=True)
class Mirror:
    """The side a picture is drawn for: the right side as given, the left side mirrored about the canvas's middle."""

    flip: bool = False

    def x(self, value: float) -> float:
        return CANVAS - value if self.flip else value

    def p(self, point: P) -> str:
        return f"{num(self.x(point.x))},{num(point.y)}"

    def anchor(self, anchor: str) -> str:
        if not self.flip or anchor == "middle":
            return anchor
        return "end" if anchor == "start" else "start"


@dataclass
class Svg:
    """An SVG document under construction: elements in drawing order, the later on top."""

    mirror: Mirror
    title: str
    elements: list[str] = field(default_factory=list)

    def add(self, element: str) -> None:
        self.elements.append(element)

    def path(self, d: str, *, stroke: str, width: float, fill: str = "none", extra: str = "") -> None:
        attrs = f'd="{d}" fill="{fill}" stroke="{stroke}" stroke-width="{num(width)}"'
        self.add(f'<path {attrs} stroke-linecap="round" stroke-linejoin="round"{extra}/>')

    def line(self, points: Sequence[P], *, stroke: str, width: float, extra: str = "") -> None:
        self.path(self.polyline(points), stroke=stroke, width=width, extra=extra)

    def polyline(self, points: Sequence[P]) -> str:
        first, *rest = points
        return f"M{self.mirror.p(first)}" + "".join(f" L{self.mirror.p(point)}" for point in rest)

    def smooth(self, points: Sequence[P]) -> str:
        """A smooth line near the points: from the first to the last, curving at each point between (through the
        midpoints of the segments, each point a control point)."""
        first, *middle, last = points
        d = f"M{self.mirror.p(first)}"
        for here, following in zip(middle, [*middle[1:], last], strict=True):
            half = following if following is last else P((here.x + following.x) / 2, (here.y + following.y) / 2)
            d += f" Q{self.mirror.p(here)} {self.mirror.p(half)}"
        return d

    def curve(self, start: P, control: P, end: P) -> str:
        return f"M{self.mirror.p(start)} Q{self.mirror.p(control)} {self.mirror.p(end)}"

    def circle(self, centre: P, r: float, *, fill: str, stroke: str = "none", width: float = 0, cls: str = "") -> None:
        name = f' class="{cls}"' if cls else ""
        self.add(
            f'<circle{name} cx="{num(self.mirror.x(centre.x))}" cy="{num(centre.y)}" r="{num(r)}" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="{num(width)}"/>'
        )

    def ellipse(self, centre: P, rx: float, ry: float, *, fill: str, stroke: str, width: float) -> None:
        """An upright ellipse, as a path of two arcs (it mirrors as the rest does)."""
        top, bottom, arc = P(centre.x, centre.y - ry), P(centre.x, centre.y + ry), f"A{num(rx)},{num(ry)} 0 1 1"
        d = f"M{self.mirror.p(top)} {arc} {self.mirror.p(bottom)} {arc} {self.mirror.p(top)} Z"
        self.path(d, stroke=stroke, width=width, fill=fill)

    def polygon(self, points: Sequence[P], *, fill: str, cls: str = "") -> None:
        name = f' class="{cls}"' if cls else ""
        self.add(f'<polygon{name} points="{" ".join(self.mirror.p(p) for p in points)}" fill="{fill}"/>')

    def text(
        self, at: P, words: str, *, size: float, anchor: str = "start", bold: bool = True, fill: str = "#000"
    ) -> None:
        """Words at a point (the baseline's start for anchor "start"), with a white halo so they read over lines."""
        weight = ' font-weight="bold"' if bold else ""
        self.add(
            f'<text x="{num(self.mirror.x(at.x))}" y="{num(at.y)}" font-size="{num(size)}"{weight} '
            f'text-anchor="{self.mirror.anchor(anchor)}" fill="{fill}" stroke="#fff" stroke-width="{num(size / 6)}" '
            f'stroke-linejoin="round" paint-order="stroke">{escape(words)}</text>'
        )

    def arrowhead(self, tip: P, tail: P, *, size: float, fill: str, cls: str = "") -> None:
        """A filled triangle pointing at `tip`, along the line from `tail`."""
        dx, dy = tip.x - tail.x, tip.y - tail.y
        length = math.hypot(dx, dy)
        ux, uy = dx / length, dy / length
        back = P(tip.x - ux * size, tip.y - uy * size)
        half = size * 0.6
        self.polygon(
            [tip, P(back.x - uy * half, back.y + ux * half), P(back.x + uy * half, back.y - ux * half)],
            fill=fill,
            cls=cls,
        )

    def document(self, description: str) -> str:
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CANVAS} {CANVAS}" width="{CANVAS}" '
            f'height="{CANVAS}" font-family="DejaVu Sans">\n<title>{escape(self.title)}</title>\n'
            f"<desc>{escape(description)}</desc>\n"
            f'<rect width="{CANVAS}" height="{CANVAS}" fill="#fff"/>\n'
        )
        return head + "\n".join(self.elements) + "\n</svg>\n"
