"""A routine's pictures, drawn as SVG from one small description (pure: a Figure and a side in, SVG text out).

A `Figure` says where things are on one body model seen from above, lying on the back: the starting spot, the
press, the slide (where it ends), the glide back, and for some routines circles, a foot lift or a partner's hands.
Each routine has two views: the position (the chapters before the strokes) and the stroke (the strokes chapters,
and the cover). The left side's picture is the right side's mirrored (coach.picture.svg.Mirror), labels readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from coach.kinds import Side
from coach.picture.svg import CANVAS, Mirror, P, Svg

INK = "#000"
BLUE = "#0072B2"  # the slide and the six-pack edge (Okabe-Ito blue: apart from orange for every kind of colour vision)
ORANGE = "#E69F00"  # the starting spot
SKIN = "#EEEEEE"
BONE = "#555555"
LABEL = 40  # font size, canvas units: on a 1200 px cover, 48 px letters
SCALE = 1.0  # canvas units per body unit
TOP = 105  # the body unit at the top of the canvas (the head is cut off above its chin)
FINGER = 38  # a finger's width, body units (the body is about 17 units to a centimetre)


class View(StrEnum):
    POSITION = "position"  # the body, the landmarks and the spot: settling in, the position and the spot
    STROKE = "stroke"  # the stroke itself: the strokes chapters, and the cover


class Pose(StrEnum):
    KNEES_DROPPED = "knees dropped"  # knees bent and fallen to the other side
    SIDE_VIEW_FOOT_LIFT = "foot lift"  # seen from the side: knees bent, the worked side's foot just off the mat


@dataclass(frozen=True)
class Body:
    """Where the body lies: its middle line on the canvas. Body units run from the middle line (dx, negative toward
    the worked side) and down from the top of the canvas (dy)."""

    middle: float = CANVAS / 2

    def at(self, dx: float, dy: float) -> P:
        return P(round(self.middle + dx * SCALE, 1), round((dy - TOP) * SCALE, 1))


@dataclass(frozen=True)
class Landmark:
    """A place on the body in body units: `dx` toward the worked side is negative."""

    dx: float
    dy: float

    def moved(self, outward: float = 0, down: float = 0) -> Landmark:
        """Moved by finger-widths: outward, away from the middle line; down, toward the feet."""
        return Landmark(self.dx - outward * FINGER, self.dy + down * FINGER)


# The body model's landmarks on the worked side (the right side's picture: the viewer's left).
NAVEL = Landmark(0, 540)
SIX_PACK_EDGE = Landmark(-90, 540)  # the outer edge of the six-pack muscle, level with the navel
HIP_POINT = Landmark(-200, 720)  # the bony point at the front of the hip
WAIST_SIDE = Landmark(-262, 590)  # the side of the waist, just above the hip bone


@dataclass(frozen=True)
class Legend:
    """The stroke's words, under the picture: one short line each."""

    start: str  # the starting spot (in the position view)
    slide: str = ""  # the slide (or the lift)
    back: str = ""  # the glide back
    stroke_start: str = ""  # the starting spot in the stroke view, where it says more (the press)

    def __post_init__(self) -> None:
        if not self.stroke_start:
            object.__setattr__(self, "stroke_start", self.start)


@dataclass(frozen=True)
class Figure:
    """One routine's pictures, for the right side (the left is mirrored)."""

    title: str
    spot: Landmark
    legend: Legend
    slide: tuple[Landmark, ...] = ()  # from the spot: one point (straight) or two (curved through the first)
    circles: bool = False  # small circles at the spot
    foot_lift: bool = False  # the stroke view is the foot lift, seen from the side
    partner: bool = False  # a giver kneels at the worked side and works with the thumbs
    body: Body = Body()
    words: tuple[str, ...] = ()  # what the routine's own words must say for the picture to match them

    def slide_end(self) -> Landmark | None:
        return self.slide[-1] if self.slide else None


def draw(figure: Figure, side: Side, view: View) -> str:
    """The SVG text of one routine's picture for one side (right or left) and view."""
    if side not in (Side.RIGHT, Side.LEFT):
        raise ValueError(f"a picture is drawn for one side, not {side}")
    svg = Svg(Mirror(flip=side is Side.LEFT), f"{figure.title}, {side} side")
    if view is View.STROKE and figure.foot_lift:
        _side_view(svg, figure)
    else:
        _top_view(svg, figure, side, view)
    _title(svg, figure, side)
    described = "the stroke" if view is View.STROKE else "the position and the starting spot"
    return svg.document(f"{figure.title}, {side} side: {described}.")


def _title(svg: Svg, figure: Figure, side: Side) -> None:
    svg = _unmirrored(svg)
    svg.text(P(28, 62), figure.title, size=48)
    svg.text(P(28, 114), f"{side} side", size=44, bold=False)


def _top_view(svg: Svg, figure: Figure, side: Side, view: View) -> None:
    body = figure.body
    _legs_dropped(svg, body)
    _torso(svg, body)
    svg.text(P(CANVAS - 15, 830), f"knees to the {side.other}", size=LABEL, anchor="end")
    _landmarks(svg, body)
    if figure.partner:
        _giver(svg, figure)
    spot = body.at(figure.spot.dx, figure.spot.dy)
    if figure.circles:
        _circles(svg, spot)
    if view is View.STROKE and figure.slide:
        _slide(svg, figure)
        _press(svg, spot)
    svg.circle(spot, 14, fill=ORANGE, stroke=INK, width=5, cls="spot")
    _legend(svg, figure, view)


def _unmirrored(svg: Svg) -> Svg:
    """The same document, drawn without mirroring: the title and the legend read the same on both sides."""
    return Svg(Mirror(), svg.title, svg.elements)


def _limb(svg: Svg, points: list[P], width: float) -> None:
    """An outlined limb: a thick black line under a slightly thinner light one."""
    svg.line(points, stroke=INK, width=width + 10)
    svg.line(points, stroke=SKIN, width=width)


def _legs_dropped(svg: Svg, body: Body) -> None:
    """Both knees bent and fallen to the other side (the viewer's right, in the right side's picture), with an
    arrow showing the fall."""
    _limb(svg, [body.at(120, 740), body.at(390, 800), body.at(260, 980)], 150)
    _limb(svg, [body.at(-110, 740), body.at(340, 870), body.at(150, 1040)], 160)
    knee = body.at(455, 725)
    svg.path(svg.curve(body.at(230, 690), body.at(360, 640), knee), stroke=INK, width=7)
    svg.arrowhead(knee, body.at(370, 665), size=34, fill=INK)


def _torso(svg: Svg, body: Body) -> None:
    half = [(-20, 140), (-80, 175), (-245, 205), (-275, 300), (-258, 440), (-250, 560), (-285, 690), (-235, 800)]
    left = [body.at(dx, dy) for dx, dy in half]
    right = [body.at(-dx, dy) for dx, dy in reversed(half)]
    svg.path(svg.smooth([*left, *right]) + " Z", stroke="none", width=0, fill=SKIN)
    svg.path(svg.smooth(left), stroke=INK, width=6)
    svg.path(svg.smooth(right), stroke=INK, width=6)
    svg.circle(body.at(0, 70), 92, fill=SKIN, stroke=INK, width=6)


def _landmarks(svg: Svg, body: Body) -> None:
    """The rib edge, the six-pack muscle, the navel and the hip bones, with their names."""
    edge = SIX_PACK_EDGE.dx
    for sign in (-1, 1):
        svg.path(svg.curve(body.at(sign * 245, 430), body.at(sign * 120, 400), body.at(0, 310)), stroke=BONE, width=8)
        crest = [body.at(sign * 262, 610), body.at(sign * 230, 670), body.at(sign * -HIP_POINT.dx, HIP_POINT.dy)]
        svg.path(svg.smooth(crest), stroke=BONE, width=10)
        groin = [body.at(sign * -HIP_POINT.dx, HIP_POINT.dy), body.at(sign * 120, 790), body.at(sign * 40, 820)]
        svg.path(svg.smooth(groin), stroke=BONE, width=5, extra=' stroke-dasharray="4 14"')
    top, bottom = P(-70, 330), P(-60, 800)  # the muscle's outer edge runs through SIX_PACK_EDGE, at the navel
    bend = P(2 * edge - (top.x + bottom.x) / 2, 2 * SIX_PACK_EDGE.dy - (top.y + bottom.y) / 2)
    for sign, colour, width in ((1, BONE, 4), (-1, BLUE, 9)):
        ends = [body.at(-sign * point.x, point.y) for point in (top, bend, bottom)]
        svg.path(svg.curve(*ends), stroke=colour, width=width, extra=' class="six-pack-edge"' if sign < 0 else "")
    svg.line([body.at(0, 330), body.at(0, 800)], stroke=BONE, width=3, extra=' stroke-dasharray="10 10"')
    svg.circle(body.at(NAVEL.dx, NAVEL.dy), 11, fill="none", stroke=INK, width=6, cls="navel")
    svg.text(body.at(20, 528), "navel", size=LABEL)
    svg.text(body.at(25, 300), "rib edge", size=LABEL)
    svg.text(body.at(-60, 300), "six-pack edge", size=LABEL, anchor="end")
    svg.text(body.at(-215, 800), "hip bone", size=LABEL, anchor="end")


def _circles(svg: Svg, spot: P) -> None:
    svg.circle(spot, 42, fill="none", stroke=BLUE, width=7, cls="circles")
    svg.arrowhead(P(spot.x + 6, spot.y - 42), P(spot.x - 20, spot.y - 42), size=26, fill=BLUE)


def _press(svg: Svg, spot: P) -> None:
    """Down and in: a ring around the spot, with four short ticks pointing into it."""
    svg.circle(spot, 28, fill="none", stroke=INK, width=6, cls="press")


def _slide(svg: Svg, figure: Figure) -> None:
    body = figure.body
    spot = body.at(figure.spot.dx, figure.spot.dy)
    points = [body.at(mark.dx, mark.dy) for mark in figure.slide]
    end = points[-1]
    through = points[0] if len(points) > 1 else P((spot.x + end.x) / 2, (spot.y + end.y) / 2)
    back = P(through.x, through.y - 60)  # the glide back bows above the slide
    svg.path(svg.curve(end, back, spot), stroke=INK, width=6, extra=' stroke-dasharray="14 10" class="back"')
    tail = points[-2] if len(points) > 1 else spot
    stem_end = end.toward(tail, 22)
    d = svg.curve(spot, through, stem_end) if len(points) > 1 else svg.polyline([spot, stem_end])
    svg.path(d, stroke=BLUE, width=12, extra=' class="slide"')
    svg.arrowhead(end, tail if len(points) == 1 else through, size=50, fill=BLUE, cls="slide-end")


def _legend(svg: Svg, figure: Figure, view: View) -> None:
    """The stroke's words in a band under the picture: the start and the press, then the slide and the glide back."""
    legend, y, svg = figure.legend, 920, _unmirrored(svg)
    svg.add(f'<rect x="0" y="{y - 70}" width="{CANVAS}" height="{CANVAS - y + 70}" fill="#fff"/>')
    svg.line([P(0, y - 70), P(CANVAS, y - 70)], stroke=BONE, width=3)
    stroke = view is View.STROKE and bool(figure.slide)
    svg.circle(P(58, y - 14), 14, fill=ORANGE, stroke=INK, width=5)
    if stroke:
        svg.circle(P(58, y - 14), 28, fill="none", stroke=INK, width=6)
    if figure.circles and not (view is View.STROKE and figure.foot_lift):
        svg.circle(P(58, y - 14), 34, fill="none", stroke=BLUE, width=7)
    svg.text(P(108, y), legend.stroke_start if view is View.STROKE else legend.start, size=LABEL)
    if view is View.STROKE and figure.foot_lift:
        y += 58
        svg.line([P(58, y + 4), P(58, y - 20)], stroke=BLUE, width=12)
        svg.arrowhead(P(58, y - 44), P(58, y + 4), size=36, fill=BLUE)
        svg.text(P(108, y), legend.slide, size=LABEL)
    if stroke and legend.slide:
        y += 58
        svg.line([P(30, y - 14), P(60, y - 14)], stroke=BLUE, width=12)
        svg.arrowhead(P(96, y - 14), P(30, y - 14), size=40, fill=BLUE)
        svg.text(P(108, y), legend.slide, size=LABEL)
        svg.line([P(650, y - 14), P(730, y - 14)], stroke=INK, width=6, extra=' stroke-dasharray="14 10"')
        svg.text(P(745, y), legend.back, size=LABEL)


def _giver(svg: Svg, figure: Figure) -> None:
    """The giver, seen from above, kneeling at the worked side and facing the receiver: shoulders, head, and both
    arms reaching to the spot, the hands' thumbs side by side on it."""
    body = figure.body
    spot = body.at(figure.spot.dx, figure.spot.dy)
    shoulder_x = 150
    for dy in (-1, 1):
        hand = P(spot.x - 40, spot.y + dy * 22)
        _limb(svg, [P(shoulder_x, spot.y + dy * 120), P(spot.x - 130, spot.y + dy * 75), hand], 50)
        svg.circle(hand, 30, fill=SKIN, stroke=INK, width=6)
        svg.line([P(hand.x + 10, spot.y + dy * 14), P(spot.x - 6, spot.y + dy * 8)], stroke=INK, width=18)
    svg.line([P(shoulder_x, spot.y - 150), P(shoulder_x, spot.y + 150)], stroke=INK, width=130)
    svg.line([P(shoulder_x, spot.y - 150), P(shoulder_x, spot.y + 150)], stroke=SKIN, width=118)
    svg.circle(P(shoulder_x + 35, spot.y), 58, fill=SKIN, stroke=INK, width=6)
    svg.text(P(30, spot.y + 215), "you, kneeling", size=LABEL)


def _side_view(svg: Svg, figure: Figure) -> None:
    """The foot lift, seen from the side: lying on the back, knees bent, fingertips resting on the spot, the worked
    side's foot lifted just off the mat (its place on the mat dashed)."""
    mat = 720
    svg.line([P(30, mat + 6), P(970, mat + 6)], stroke=BONE, width=8)
    _limb(svg, [P(215, 640), P(600, 640)], 150)
    svg.circle(P(125, 640), 76, fill=SKIN, stroke=INK, width=6)
    svg.line([P(880, mat - 18), P(975, mat - 18)], stroke=INK, width=3, extra=' stroke-dasharray="8 8"')
    ankle = P(880, mat - 80)
    _limb(svg, [P(600, 650), P(760, 330), ankle], 100)
    svg.line([P(ankle.x, ankle.y + 20), P(ankle.x + 90, ankle.y + 20)], stroke=INK, width=44)
    spot = P(455, 568)
    _limb(svg, [P(250, 600), P(340, 480), P(spot.x - 14, spot.y - 12)], 46)
    svg.circle(spot, 14, fill=ORANGE, stroke=INK, width=5, cls="spot")
    svg.line([P(790, mat - 10), P(790, mat - 100)], stroke=BLUE, width=12)
    svg.arrowhead(P(790, mat - 150), P(790, mat - 10), size=50, fill=BLUE, cls="lift")
    _legend(svg, figure, View.STROKE)


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
