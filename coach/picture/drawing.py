"""A routine's pictures, drawn as SVG from one small description (pure: a Figure and a side in, SVG text out).

A `Figure` says where things are on one body model (coach.picture.body), seen from above, lying on the back: the
starting spot, the slide (where it ends), the glide back, and for some routines circles, a foot lift or a
partner's hands; an inset shows what the view from above cannot (the press, down and in; the foot lift). Each
routine has two views: the position (the chapters before the strokes) and the stroke (the strokes chapters, and
the cover). The left side's picture is the right side's mirrored (coach.picture.svg.Mirror), its words readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from coach.kinds import Side
from coach.picture import insets
from coach.picture.body import Body, Landmark, landmarks, legs_dropped, limb, torso
from coach.picture.insets import Contact
from coach.picture.palette import BLUE, BONE, INK, ORANGE, SKIN
from coach.picture.svg import CANVAS, Box, Mirror, P, Svg

LABEL = 42  # the labels' font size, canvas units: 42 px letters on the 1000 px cover
ROW = 58  # a legend line's height: the legend's band under the picture is as high as its lines need
CORNER = Box(646, 12, 340, 312)  # the inset, top right in the right side's picture (top left in the left's)
SOLO = Body()  # one person lying in the middle of the picture


class View(StrEnum):
    POSITION = "position"  # the body, the landmarks and the spot: settling in, the position and the spot
    STROKE = "stroke"  # the stroke itself: the strokes chapters, and the cover


class Key(StrEnum):
    """The marks a legend line explains, each drawn small in front of its words."""

    SPOT = "spot"
    SLIDE = "slide"
    BACK = "back"
    CIRCLES = "circles"
    LIFT = "lift"
    PRESS = "press"  # down and in, toward the middle: as in the press inset
    CURL = "curl"  # down and out, onto the inside of the hip bone: as in the curl inset
    YOU = "you"  # the giver, small: shoulders and head from above


class Inset(StrEnum):
    """The small picture in the corner."""

    NONE = "none"
    PRESS = "press"  # the press, down and in toward the spine, in a slice of the belly
    CURL = "curl"  # the fingertips curled over the hip bone's rim
    FOOT_LIFT = "foot lift"  # the foot an inch off the mat, from the side


Entry = tuple[Key, str]


@dataclass(frozen=True)
class Legend:
    """The words under each view's picture: lines of one or two entries, each a mark and a few words."""

    position: tuple[tuple[Entry, ...], ...]
    stroke: tuple[tuple[Entry, ...], ...]


@dataclass(frozen=True)
class Label:
    """A plain label on the body, in body units, with an optional line (from, to) to what it names."""

    text: str
    at: Landmark
    anchor: str = "start"
    line: tuple[Landmark, Landmark] | None = None


@dataclass(frozen=True)
class Figure:
    """One routine's pictures, for the right side (the left is mirrored)."""

    title: str
    spot: Landmark
    legend: Legend
    slide: tuple[Landmark, ...] = ()  # from the spot: one point (straight) or two (curved through the first)
    bow: float = -60  # how far the glide back bows aside: positive on the slide's left as it goes, else right
    circles: bool = False  # small circles at the spot
    corner: tuple[Inset, Inset] = (Inset.NONE, Inset.PRESS)  # the inset of the position view, of the stroke view
    contact: Contact = Contact.FINGERTIPS  # what presses, in the insets (a tool's tip instead of the fingertips)
    partner: bool = False  # a giver kneels at the worked side, arms straight, thumbs stacked on the spot
    labels: tuple[Label, ...] = ()
    body: Body = SOLO
    words: tuple[str, ...] = ()  # what the routine's own words must say for the picture to match them


def draw(figure: Figure, side: Side, view: View) -> str:
    """The SVG text of one routine's picture for one side (right or left) and view."""
    if side not in (Side.RIGHT, Side.LEFT):
        raise ValueError(f"a picture is drawn for one side, not {side}")
    svg = Svg(Mirror(flip=side is Side.LEFT), f"{figure.title}, {side} side")
    body = figure.body
    legs_dropped(svg, body)
    torso(svg, body)
    landmarks(svg, body)
    _labels(svg, figure, side)
    if figure.partner:
        _giver(svg, figure)
    spot = body.of(figure.spot)
    if figure.circles:
        _circles(svg, spot)
    if view is View.STROKE and figure.slide:
        _slide(svg, figure)
    svg.circle(spot, 19, fill=ORANGE, stroke=INK, width=6, cls="spot")
    _inset(svg, figure, figure.corner[view is View.STROKE])
    _title(svg, figure, side)
    _legend(svg, figure.legend.stroke if view is View.STROKE else figure.legend.position)
    described = "the stroke" if view is View.STROKE else "the position and the starting spot"
    return svg.document(f"{figure.title}, {side} side: {described}.")


def _title(svg: Svg, figure: Figure, side: Side) -> None:
    svg.text(P(26, 60), figure.title, size=50)
    svg.text(P(26, 116), f"{side} side", size=44, bold=False)


def _labels(svg: Svg, figure: Figure, side: Side) -> None:
    body = figure.body
    for label in figure.labels:
        if label.line is not None:
            svg.line([body.of(mark) for mark in label.line], stroke=INK, width=4)
        for index, text in enumerate(label.text.format(other=side.other).split("\n")):
            svg.text(body.of(label.at.moved(down=index * 1.1)), text, size=LABEL, anchor=label.anchor)


def _inset(svg: Svg, figure: Figure, inset: Inset) -> None:
    if inset is Inset.PRESS:
        insets.press(svg, CORNER, figure.contact)
    elif inset is Inset.CURL:
        insets.curl(svg, CORNER, figure.contact)
    elif inset is Inset.FOOT_LIFT:
        insets.foot_lift(svg, CORNER)


def _circles(svg: Svg, spot: P) -> None:
    """Small circles around the spot: a ring with an arrowhead on it."""
    svg.circle(spot, 50, fill="none", stroke=BLUE, width=9, cls="circles")
    svg.arrowhead(P(spot.x + 14, spot.y - 50), P(spot.x - 20, spot.y - 50), size=34, fill=BLUE)


def _slide(svg: Svg, figure: Figure) -> None:
    """The slide, a thick blue arrow from the spot to where it ends, and the glide back, a dashed black line from
    there back to the spot, bowed aside (Figure.bow)."""
    body = figure.body
    spot = body.of(figure.spot)
    points = [body.of(mark) for mark in figure.slide]
    end = points[-1]
    through = points[0] if len(points) > 1 else P((spot.x + end.x) / 2, (spot.y + end.y) / 2)
    tail = through if len(points) > 1 else spot
    across = P(spot.x + end.y - spot.y, spot.y - end.x + spot.x)  # a quarter turn from the slide's way
    bend = through.toward(P(through.x + across.x - spot.x, through.y + across.y - spot.y), figure.bow)
    svg.path(svg.curve(end.toward(bend, 20), bend, spot.toward(bend, 30)), stroke=INK, width=8,
             extra=' stroke-dasharray="20 12" class="back"')  # fmt: skip
    stem_end = end.toward(tail, 40)
    d = svg.curve(spot, through, stem_end) if len(points) > 1 else svg.polyline([spot, stem_end])
    svg.path(d, stroke=BLUE, width=16, extra=' class="slide"')
    svg.arrowhead(end, tail, size=58, fill=BLUE, cls="slide-end")


def _legend(svg: Svg, lines: tuple[tuple[Entry, ...], ...]) -> None:
    """The marks explained, in a band under the picture: one or two entries a line, the words the same on both
    sides (the press's mark points in, as in the picture)."""
    inward = -1 if svg.mirror.flip else 1
    svg = Svg(Mirror(), svg.title, svg.elements)
    top = CANVAS - 20 - ROW * len(lines)
    svg.add(f'<rect x="0" y="{top}" width="{CANVAS}" height="{CANVAS - top}" fill="#fff"/>')
    svg.line([P(0, top), P(CANVAS, top)], stroke=BONE, width=3)
    y = top + 58
    for line in lines:
        x = 24.0
        for key, words in line:
            _key(svg, key, P(x, y - 15), inward)
            svg.text(P(x + 88, y), words, size=LABEL)
            x = 624
        y += ROW


def _key(svg: Svg, key: Key, at: P, inward: int) -> None:
    """A legend's mark, about 70 units wide, at `at` (its left end, middle height)."""
    if key is Key.SPOT:
        svg.circle(P(at.x + 34, at.y), 19, fill=ORANGE, stroke=INK, width=6)
    elif key is Key.SLIDE:
        svg.line([P(at.x, at.y), P(at.x + 34, at.y)], stroke=BLUE, width=16)
        svg.arrowhead(P(at.x + 74, at.y), at, size=46, fill=BLUE)
    elif key is Key.BACK:
        svg.line([P(at.x + 74, at.y), P(at.x + 4, at.y)], stroke=INK, width=8, extra=' stroke-dasharray="20 12"')
    elif key is Key.CIRCLES:
        svg.circle(P(at.x + 34, at.y + 4), 22, fill="none", stroke=BLUE, width=8)
        svg.arrowhead(P(at.x + 44, at.y - 18), P(at.x + 20, at.y - 18), size=24, fill=BLUE)
    elif key in (Key.PRESS, Key.CURL):
        middle, way = at.x + 34, inward if key is Key.PRESS else -inward
        svg.line([P(middle - way * 18, at.y - 24), P(middle + way * 2, at.y + 4)], stroke=INK, width=10)
        svg.arrowhead(P(middle + way * 16, at.y + 26), P(middle - way * 18, at.y - 24), size=34, fill=INK, cls="key")
    elif key is Key.YOU:
        svg.ellipse(P(at.x + 34 - inward * 6, at.y), 14, 30, fill=SKIN, stroke=INK, width=4)
        svg.circle(P(at.x + 34 + inward * 4, at.y), 13, fill=SKIN, stroke=INK, width=4)
    elif key is Key.LIFT:
        svg.line([P(at.x + 34, at.y + 24), P(at.x + 34, at.y - 4)], stroke=BLUE, width=12)
        svg.arrowhead(P(at.x + 34, at.y - 30), P(at.x + 34, at.y + 24), size=36, fill=BLUE)


def _giver(svg: Svg, figure: Figure) -> None:
    """The giver from above, kneeling at the worked side and facing the receiver: the shoulders (an oval) and the
    head, both arms straight to the spot, one hand on the other, the thumbs stacked on the spot."""
    spot = figure.body.of(figure.spot)
    centre, hands = P(spot.x - 330, spot.y - 120), P(spot.x - 46, spot.y - 46)
    for end in (-1, 1):
        limb(svg, [P(centre.x + 10, centre.y + end * 112), hands], 48)
    svg.ellipse(centre, 58, 140, fill=SKIN, stroke=INK, width=6)
    svg.circle(P(centre.x + 26, centre.y), 50, fill=SKIN, stroke=INK, width=6)
    limb(svg, [hands, spot.toward(hands, 16)], 24)
    svg.circle(hands, 34, fill=SKIN, stroke=INK, width=6, cls="hands")
    svg.text(P(centre.x, centre.y + 205), "you", size=LABEL, anchor="middle")


def title_card(title: str, side: Side) -> str:
    """A plain card for a routine with no picture of its own: its title and side, large, on white."""
    svg = Svg(Mirror(), f"{title}, {side} side")
    words = title.split()
    lines: list[str] = []
    for word in words:  # wrapped at about 18 characters a line, four lines at most
        if lines and len(lines[-1]) + 1 + len(word) <= 18:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    lines = lines[:4]
    top = CANVAS / 2 - (len(lines) - 1) * 45 - 40
    svg.add(f'<rect x="40" y="40" width="{CANVAS - 80}" height="{CANVAS - 80}" rx="40" fill="none" stroke="{BLUE}" '
            'stroke-width="12"/>')  # fmt: skip
    for index, line in enumerate(lines):
        svg.text(P(CANVAS / 2, top + index * 90), line, size=76, anchor="middle")
    svg.text(P(CANVAS / 2, top + len(lines) * 90 + 30), f"{side} side", size=56, anchor="middle", bold=False)
    svg.text(P(CANVAS / 2, CANVAS - 100), "coach", size=44, anchor="middle", fill=BONE)
    return svg.document(f"{title}, {side} side.")
