"""The body model the pictures are drawn on: a person lying on the back, seen from above, head at the top (pure).

Places on the body are `Landmark`s in body units: `dx` from the middle line (negative toward the worked side, the
viewer's left in the right side's picture), `dy` down from the top of the canvas. A `Body` puts them on the canvas
(where its middle line lies, how large). The drawing is a schematic, not to scale: a finger's width is drawn a
little wide, so that a slide of three finger-widths reads as an arrow at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass

from coach.picture.palette import BONE, INK, MUSCLE, SKIN
from coach.picture.svg import CANVAS, P, Svg

FINGER = 46  # a finger's width, body units


@dataclass(frozen=True)
class Landmark:
    """A place on the body in body units: `dx` toward the worked side is negative."""

    dx: float
    dy: float

    def moved(self, outward: float = 0, down: float = 0) -> Landmark:
        """Moved by finger-widths: outward, away from the middle line; down, toward the feet."""
        return Landmark(self.dx - outward * FINGER, self.dy + down * FINGER)


@dataclass(frozen=True)
class Body:
    """Where the body lies on the canvas: its middle line, and the canvas row of body row 0 (above the canvas: the
    head is cut by its top edge)."""

    middle: float = CANVAS / 2
    top: float = -30

    def at(self, dx: float, dy: float) -> P:
        return P(round(self.middle + dx, 1), round(self.top + dy, 1))

    def of(self, mark: Landmark) -> P:
        return self.at(mark.dx, mark.dy)


# The landmarks, on the worked side.
NAVEL = Landmark(0, 440)
SIX_PACK_EDGE = Landmark(-80, 440)  # the outer edge of the six-pack muscle, level with the navel
HIP_POINT = Landmark(-196, 618)  # the bony point at the front of the hip bone
WAIST_SIDE = Landmark(-262, 450)  # the side of the waist, where the hip bone's rim runs up to

# The torso's outline on the worked side, top to bottom (the other side is its mirror image).
OUTLINE = (
    (-52, 84), (-150, 112), (-258, 140), (-274, 235), (-258, 340), (-250, 440), (-266, 540), (-280, 650), (-230, 730),
    (-40, 748),
)  # fmt: skip
SIX_PACK_TOP, SIX_PACK_BOTTOM = Landmark(-92, 282), Landmark(-40, 690)  # its outer edge's ends, on the worked side
SIX_PACK_ROWS = (332, 386)  # the tendon lines across the muscle above the navel (the third is level with it)


def limb(svg: Svg, points: list[P], width: float) -> None:
    """An outlined limb: a thick black line under a slightly thinner light one."""
    svg.line(points, stroke=INK, width=width + 10)
    svg.line(points, stroke=SKIN, width=width)


def torso(svg: Svg, body: Body) -> None:
    """The head (cut by the canvas's top), the trunk and its outline."""
    left = [body.at(dx, dy) for dx, dy in OUTLINE]
    right = [body.at(-dx, dy) for dx, dy in reversed(OUTLINE)]
    svg.circle(body.at(0, 10), 88, fill=SKIN, stroke=INK, width=6)
    svg.path(svg.smooth([*left, *right]) + " Z", stroke="none", width=0, fill=SKIN)
    svg.path(svg.smooth([*left, *right]), stroke=INK, width=6)


def landmarks(svg: Svg, body: Body) -> None:
    """The rib edge, the six-pack muscle, the navel and the hip bones (the bony point at the front a dot)."""
    for sign in (-1, 1):
        ribs = [body.at(sign * 254, 352), body.at(sign * 120, 306), body.at(0, 240)]
        svg.path(svg.curve(*ribs), stroke=BONE, width=9)
        point = body.at(-sign * HIP_POINT.dx, HIP_POINT.dy)
        rim = [body.at(sign * -WAIST_SIDE.dx, WAIST_SIDE.dy), body.at(sign * 246, 570), point]
        svg.path(svg.curve(*rim), stroke=BONE, width=12)
        svg.circle(point, 12, fill=BONE)
    _six_pack(svg, body)
    svg.circle(body.of(NAVEL), 12, fill=SKIN, stroke=INK, width=6, cls="navel")


def six_pack_edge(body: Body, sign: int = 1) -> list[P]:
    """The six-pack's outer edge, top to bottom, as the points of two curves meeting at SIX_PACK_EDGE (level with
    the navel, upright there): start, control, the edge at the navel, control, end. `sign` -1: the other side."""
    top, edge, bottom = SIX_PACK_TOP, SIX_PACK_EDGE, SIX_PACK_BOTTOM
    marks = [top, Landmark(edge.dx, (top.dy + edge.dy) / 2), edge, Landmark(edge.dx, (edge.dy + bottom.dy) / 2), bottom]
    return [body.at(sign * mark.dx, mark.dy) for mark in marks]


def _six_pack(svg: Svg, body: Body) -> None:
    """Both halves of the muscle, shaded (down the worked side's edge, across the bottom, up the other's, and over
    the top under the ribs), with its tendon lines; its outer edge on the worked side drawn dark."""
    left, right = six_pack_edge(body), six_pack_edge(body, -1)
    halves = f" Q{svg.mirror.p(left[1])} {svg.mirror.p(left[2])} Q{svg.mirror.p(left[3])} {svg.mirror.p(left[4])}"
    back = f" L{svg.mirror.p(right[4])} Q{svg.mirror.p(right[3])} {svg.mirror.p(right[2])}"
    back += f" Q{svg.mirror.p(right[1])} {svg.mirror.p(right[0])} Q{svg.mirror.p(body.at(0, 236))} "
    d = f"M{svg.mirror.p(left[0])}" + halves + back + f"{svg.mirror.p(left[0])} Z"
    svg.path(d, stroke=BONE, width=4, fill=MUSCLE)
    svg.line([body.at(0, 258), body.at(0, 696)], stroke=BONE, width=4)
    for row in SIX_PACK_ROWS:
        svg.line([body.at(-86, row), body.at(86, row)], stroke=BONE, width=4)
    svg.line([body.at(SIX_PACK_EDGE.dx, NAVEL.dy), body.at(-16, NAVEL.dy)], stroke=BONE, width=4)
    svg.line([body.at(16, NAVEL.dy), body.at(-SIX_PACK_EDGE.dx, NAVEL.dy)], stroke=BONE, width=4)
    edge = f"M{svg.mirror.p(left[0])}" + halves
    svg.path(edge, stroke=INK, width=9, extra=' class="six-pack-edge"')


def legs_dropped(svg: Svg, body: Body) -> None:
    """Both knees bent and fallen to the other side (the viewer's right in the right side's picture): the lower
    leg, then the upper one (the worked side's) over it, each a thigh to the knee and a shin back toward the feet."""
    for hip, knee, ankle in (((110, 610), (370, 610), (300, 850)), ((-60, 660), (350, 740), (215, 900))):
        limb(svg, [body.at(*knee), body.at(*ankle)], 100)
        limb(svg, [body.at(*hip), body.at(*knee)], 130)
        svg.circle(body.at(*knee), 65, fill=SKIN)
