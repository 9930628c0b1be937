"""The pictures of the built-in routines: one description each, for the right side (the left is mirrored).

Each spot and slide is put where the routine's words put it, in the same terms: the psoas's starting spot is two
finger-widths outside the six-pack muscle's edge, level with the navel, and its slide goes two finger-widths outward
toward the hip. `words` lists what the routine must keep saying for its picture to stay true (tests check it).
"""

from __future__ import annotations

from coach.picture.drawing import HIP_POINT, SIX_PACK_EDGE, WAIST_SIDE, Body, Figure, Landmark, Legend

PSOAS_SPOT = SIX_PACK_EDGE.moved(outward=2)
PSOAS_SLIDE = (PSOAS_SPOT.moved(outward=2, down=0.5),)
ILIACUS_SPOT = HIP_POINT.moved(outward=-1, down=-0.5)  # just inside the bony point, on the inside of the bone
ILIACUS_SLIDE = (Landmark(-178, 640), WAIST_SIDE.moved(outward=-0.8))  # along the bone's inside, toward the waist

FIGURES = {
    "psoas": Figure(
        title="Psoas",
        spot=PSOAS_SPOT,
        slide=PSOAS_SLIDE,
        legend=Legend("start", "slide toward the hip", "glide back", "start: press down and in"),
        words=("navel", "six-pack muscle", "two finger-widths outward", "down and", "toward your spine", "hip"),
    ),
    "iliacus": Figure(
        title="Iliacus",
        spot=ILIACUS_SPOT,
        slide=ILIACUS_SLIDE,
        legend=Legend(
            "start: just inside the hip bone", "slide to the waist", "glide back", "start: press on the bone's inside"
        ),
        words=("front of your {side} hip", "just inside", "along the bone", "toward your waist"),
    ),
    "psoas-gentle": Figure(
        title="Gentle psoas",
        spot=PSOAS_SPOT,
        circles=True,
        foot_lift=True,
        legend=Legend(
            "start: small, slow circles", "lift the foot just off the mat", stroke_start="fingertips rest on the spot"
        ),
        words=("navel", "six-pack muscle", "two finger-widths outward", "circles", "foot"),
    ),
    "psoas-partner": Figure(
        title="Psoas, partner",
        spot=PSOAS_SPOT,
        slide=PSOAS_SLIDE,
        partner=True,
        body=Body(middle=600),
        legend=Legend("start: both thumbs", "slide toward you", "glide back", "start: thumbs side by side"),
        words=("navel", "six-pack muscle", "two finger-widths", "thumbs", "toward you", "Kneel beside"),
    ),
}
