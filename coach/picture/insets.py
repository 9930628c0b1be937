"""The small pictures in a corner of a routine's picture (pure): what the view from above cannot show.

- the press, in a slice of the belly seen from the feet: the fingertips (or a partner's thumbs, or a tool's tip)
  on the spot at the six-pack's outer edge, and the way they press, down and in toward the spine, beside which
  the psoas lies;
- the curl, in a slice through the hip bone: the fingertips curled over its rim onto its inside (the iliacus);
- the foot lift, seen from the side: the foot an inch off the mat, its place on the mat dashed.

Each is drawn in a framed box; its coordinates are in the box (`Box.at`), mirrored with the rest of the picture,
so that in the left side's picture the worked side is on the right in the slice too.
"""

from __future__ import annotations

from enum import StrEnum

from coach.picture.body import limb
from coach.picture.palette import BLUE, BONE, DEEP, INK, MUSCLE, ORANGE, SKIN
from coach.picture.svg import Box, P, Svg, num

WORDS = 40  # the insets' words, font size: as large as the labels, within a box a third of the picture wide


# Where the fingertips (or the tool's tip) touch in an inset, in the box's coordinates.
PRESS_TOUCH = (118, 92)  # on the six-pack's outer edge, at the belly's surface
CURL_TOUCH = (112, 150)  # over the rim, on the inside of the bone


class Contact(StrEnum):
    """What presses on the spot."""

    FINGERTIPS = "fingertips"  # the fingertips of both hands, side by side
    THUMBS = "thumbs"  # a partner's thumbs, one stacked on the other
    TOOL = "tool"  # the tip of a cane or a knobbler, instead of the hands


def frame(svg: Svg, box: Box, cls: str) -> None:
    """The inset's white ground and thin border, with its class (which the layout tests look for)."""
    left = svg.mirror.x(box.x + box.width if svg.mirror.flip else box.x)
    svg.add(
        f'<rect class="{cls}" x="{num(left)}" y="{num(box.y)}" width="{num(box.width)}" height="{num(box.height)}" '
        f'rx="18" fill="#fff" stroke="{BONE}" stroke-width="4"/>'
    )


def press(svg: Svg, box: Box, contact: Contact) -> None:
    """A slice of the belly seen from the feet: the six-pack on top, the spine at the bottom with the psoas either
    side, and the press at the six-pack's outer edge, down and in toward the spine."""
    frame(svg, box, "inset-press")
    belly = [box.at(22, 252), box.at(24, 96), box.at(170, 62), box.at(316, 96), box.at(318, 252)]
    svg.path(svg.smooth(belly) + " Z", stroke=INK, width=5, fill=SKIN)
    svg.line([box.at(12, 256), box.at(328, 256)], stroke=BONE, width=7)
    for side in (-1, 1):
        svg.ellipse(box.at(170 + side * 38, 96), 34, 15, fill=MUSCLE, stroke=BONE, width=3)
        svg.ellipse(box.at(170 + side * 50, 212), 24, 28, fill=DEEP, stroke=BONE, width=3)
    svg.circle(box.at(170, 218), 22, fill="#fff", stroke=BONE, width=5)
    svg.text(box.at(170, 294), "spine", size=WORDS, anchor="middle", bold=False)
    _presser(svg, contact, [box.at(46, 10), box.at(*PRESS_TOUCH)])
    _arrow(svg, box.at(128, 122), box.at(152, 184), INK, 10, "press")


def curl(svg: Svg, box: Box, contact: Contact) -> None:
    """A slice through the hip bone from the feet: its wing rising to the rim, the iliacus lining its inside, and
    the fingertips curled over the rim, pressing on the inside of the bone."""
    frame(svg, box, "inset-press")
    svg.path(svg.smooth([box.at(52, 96), box.at(70, 200), box.at(170, 262)]), stroke=BONE, width=30)
    svg.path(svg.smooth([box.at(86, 112), box.at(104, 192), box.at(180, 232)]), stroke=DEEP, width=18)
    svg.text(box.at(22, 292), "hip bone", size=WORDS, bold=False)
    _presser(svg, contact, [box.at(318, 40), box.at(88, 44), box.at(*CURL_TOUCH)])
    _arrow(svg, box.at(168, 150), box.at(126, 176), INK, 10, "press")


def foot_lift(svg: Svg, box: Box) -> None:
    """The lower leg and the foot from the side, the foot an inch off the mat (its place on the mat dashed), and
    an arrow up in front of the toes."""
    frame(svg, box, "inset-lift")
    mat, lift = 262, 42
    svg.line([box.at(14, mat + 4), box.at(box.width - 14, mat + 4)], stroke=BONE, width=8)
    _foot(svg, box.at(120, mat - 48), dashed=True)
    ankle = box.at(120, mat - 48 - lift)
    limb(svg, [box.at(40, 30), ankle], 64)
    _foot(svg, ankle, dashed=False)
    _arrow(svg, box.at(292, mat - 4), box.at(292, mat - lift - 78), BLUE, 14, "lift")


def _foot(svg: Svg, ankle: P, dashed: bool) -> None:
    """A foot from the side, toes to the right, below the ankle: the heel, the sole, the toes, the instep."""
    shape = ((-30, -10), (-36, 30), (-10, 48), (60, 48), (128, 46), (146, 30), (126, 14), (60, -2), (26, -24))
    outline = [P(ankle.x + dx, ankle.y + dy) for dx, dy in shape]
    d = svg.smooth([*outline, outline[0], outline[1]]) + " Z"
    if dashed:
        svg.path(d, stroke=INK, width=4, extra=' stroke-dasharray="10 9"')
    else:
        svg.path(d, stroke=INK, width=6, fill=SKIN, extra=' class="foot"')


def _presser(svg: Svg, contact: Contact, reach: list[P]) -> None:
    """What presses, reaching in along `reach` to its last point: a finger or a partner's thumb (with the spot's
    orange at its tip), or a tool's shaft and round black tip."""
    touch = reach[-1]
    if contact is Contact.TOOL:
        svg.line(reach, stroke=INK, width=12)
        svg.circle(touch, 17, fill=INK, stroke=ORANGE, width=5, cls="tool-tip")
        return
    limb(svg, reach, 46 if contact is Contact.THUMBS else 38)
    svg.circle(touch, 8, fill=ORANGE, stroke=INK, width=3, cls="inset-spot")


def _arrow(svg: Svg, start: P, end: P, colour: str, width: float, cls: str) -> None:
    """A straight arrow: its stem, then its head (of this class) at `end`."""
    svg.line([start, start.toward(end, max(0.0, start.distance(end) - width * 2))], stroke=colour, width=width)
    svg.arrowhead(end, start, size=width * 3.4, fill=colour, cls=cls)
