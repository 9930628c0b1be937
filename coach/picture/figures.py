"""The pictures of the built-in routines: one description each, for the right side (the left is mirrored).

Each spot and slide is put where the routine's words put it, in the same terms: the psoas's starting spot is on
the outer edge of the six-pack muscle, level with the navel; its slide goes three finger-widths outward, away from
the spine, toward the hip bone. `words` lists what the routine must keep saying for its picture to stay true
(tests check it).
"""

from __future__ import annotations

from coach.picture.body import HIP_POINT, NAVEL, SIX_PACK_EDGE, Body, Landmark
from coach.picture.drawing import Figure, Inset, Key, Label, Legend

PSOAS_SPOT = SIX_PACK_EDGE  # on the outer edge of the six-pack muscle, level with the navel
PSOAS_SLIDE = (PSOAS_SPOT.moved(outward=3, down=1),)  # three finger-widths outward, toward the hip bone
ILIACUS_SPOT = HIP_POINT.moved(outward=-0.9, down=-0.4)  # just inside the bony point, on the inside of the bone
# along the inside of the bone, three finger-widths toward the side of the waist (WAIST_SIDE, the rim's upper end)
ILIACUS_SLIDE = (Landmark(-204, 566), Landmark(-230, 468))

NAVEL_LABEL = Label("navel", NAVEL.moved(outward=-0.55, down=0.3))
RIBS_LABEL = Label("rib edge", Landmark(-250, 215), line=(Landmark(-200, 224), Landmark(-170, 318)))
HIP_LABEL = Label("hip bone", HIP_POINT.moved(outward=-0.4, down=1.4), anchor="middle")
KNEES_LABEL = Label("knees to\nthe {other}", Landmark(490, 390), anchor="end")
SIX_PACK_LABEL = Label("six-pack", Landmark(0, 736), anchor="middle")
LANDMARK_LABELS = (NAVEL_LABEL, RIBS_LABEL, HIP_LABEL, KNEES_LABEL, SIX_PACK_LABEL)

START = (Key.SPOT, "start: on the six-pack's edge")
PRESS = (Key.PRESS, "press down and in")
BACK = (Key.BACK, "glide back")
CURL = ((Key.CURL, "curl over the rim, onto its inside"),)
SLIDE_BACK = ((Key.SLIDE, "slide 3 finger-widths"), BACK)
LIFT = "2. lift the foot just off the mat"

FIGURES = {
    "psoas": Figure(
        title="Psoas",
        spot=PSOAS_SPOT,
        slide=PSOAS_SLIDE,
        corner=(Inset.FOOT_LIFT, Inset.PRESS),
        labels=LANDMARK_LABELS,
        legend=Legend(
            position=((START,), ((Key.LIFT, "check: lift the foot, feel it firm"),)),
            stroke=((START,), (PRESS,), SLIDE_BACK),
        ),
        words=("navel", "on the outer edge of the six-pack muscle", "down and", "toward your hip", "foot"),
    ),
    "iliacus": Figure(
        title="Iliacus",
        spot=ILIACUS_SPOT,
        slide=ILIACUS_SLIDE,
        corner=(Inset.CURL, Inset.CURL),
        labels=LANDMARK_LABELS,
        legend=Legend(
            position=(((Key.SPOT, "start: just inside the hip bone"),), CURL),
            stroke=(((Key.SPOT, "start: just inside the hip bone"),), CURL, SLIDE_BACK),
        ),
        words=("front of your {side} hip", "just inside", "along the", "toward your waist"),
    ),
    "psoas-gentle": Figure(
        title="Gentle psoas",
        spot=PSOAS_SPOT,
        circles=True,
        corner=(Inset.NONE, Inset.FOOT_LIFT),
        labels=LANDMARK_LABELS,
        legend=Legend(
            position=((START,), ((Key.CIRCLES, "small, light circles"),)),
            stroke=(((Key.CIRCLES, "1. light circles on the spot"),), ((Key.LIFT, LIFT),)),
        ),
        words=("navel", "on the outer edge of the six-pack muscle", "circles", "foot"),
    ),
    "psoas-partner": Figure(
        title="Psoas, partner",
        spot=PSOAS_SPOT,
        slide=PSOAS_SLIDE,
        partner=True,
        bow=60,
        body=Body(middle=600),
        labels=(NAVEL_LABEL,),
        legend=Legend(
            position=((START,), ((Key.YOU, "you: kneel, arms straight"),)),
            stroke=(((Key.SPOT, "start: thumbs stacked"),), (PRESS,), ((Key.SLIDE, "slide toward you"), BACK)),
        ),
        words=("navel", "six-pack muscle", "thumbs", "stacked", "toward you", "Kneel beside"),
    ),
}
