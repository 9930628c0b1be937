"""Pictures: each routine's drawing (exact coordinates, the left side the right's mirror), rendering through the
real resvg (size, the same bytes), the pictures in exported files read back with mutagen, and a user's own SVG
(missing, broken, or pointing outside itself)."""

from __future__ import annotations

import base64
import math
import re
import subprocess
import sys
from dataclasses import replace
from importlib import resources

import numpy
import pytest
from conftest import MINI, fake_speaker, install_routine, run_cli
from mutagen import id3
from mutagen.flac import FLAC, Picture
from mutagen.oggvorbis import OggVorbis
from picture_layout import Box, frames, labels, marks, path_points, pixels

from coach.catalog import builtin_sources
from coach.kinds import Shape, Side
from coach.picture.body import FINGER, HIP_POINT, NAVEL, SIX_PACK_EDGE, WAIST_SIDE
from coach.picture.drawing import CORNER, View, draw, title_card
from coach.picture.figures import FIGURES, ILIACUS_SPOT, PSOAS_SPOT
from coach.picture.insets import CURL_TOUCH, PRESS_TOUCH, Contact
from coach.picture.palette import BLUE, BONE, DEEP, INK, MUSCLE, ORANGE, SKIN
from coach.picture.render import font_files, render_png
from coach.picture.untrusted import Unsafe, clean_svg

run = run_cli
SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">{}</svg>'


def circle(svg: str, cls: str) -> tuple[float, float]:
    (found,) = re.findall(rf'<circle class="{cls}" cx="([-0-9.]+)" cy="([-0-9.]+)"', svg)
    return float(found[0]), float(found[1])


def tip(svg: str, cls: str) -> tuple[float, float]:
    """The first point of a polygon of this class: an arrowhead's tip."""
    (points,) = re.findall(rf'<polygon class="{cls}" points="([-0-9.]+),([-0-9.]+) ', svg)
    return float(points[0]), float(points[1])


def away(point: tuple[float, float], start: tuple[float, float], end: tuple[float, float]) -> float:
    """How far a point is from a line segment."""
    (px, py), (ax, ay), (bx, by) = point, start, end
    t = max(0, min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)))
    return math.dist(point, (ax + t * (bx - ax), ay + t * (by - ay)))


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


# -- the drawings --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "spot", "end"),
    [
        ("psoas", (420, 410), (282, 456)),  # on the six-pack's edge at the navel; 3 finger-widths out, toward the hip
        ("iliacus", (345.4, 569.6), (270, 438)),  # just inside the hip's front point; up along the bone to the waist
        ("psoas-partner", (520, 410), (382, 456)),  # the psoas spot, the receiver lying further right
    ],
)
def test_the_spot_and_the_slide_end_sit_where_the_description_puts_them_and_mirror(name, spot, end):
    right = draw(FIGURES[name], Side.RIGHT, View.STROKE)
    left = draw(FIGURES[name], Side.LEFT, View.STROKE)
    assert circle(right, "spot") == spot
    assert tip(right, "slide-end") == end
    assert circle(left, "spot") == (1000 - spot[0], spot[1])
    assert tip(left, "slide-end") == (1000 - end[0], end[1])
    position = draw(FIGURES[name], Side.RIGHT, View.POSITION)
    assert circle(position, "spot") == spot and 'class="slide' not in position  # the position: the spot alone


def test_the_psoas_spot_is_on_the_six_pack_edge_level_with_the_navel_and_the_slide_goes_three_fingers_out():
    assert PSOAS_SPOT == SIX_PACK_EDGE and SIX_PACK_EDGE.dy == NAVEL.dy
    (end,) = FIGURES["psoas"].slide
    assert (end.dx, end.dy) == (PSOAS_SPOT.dx - 3 * FINGER, PSOAS_SPOT.dy + FINGER)  # outward, a little toward the hip
    assert end.dy < HIP_POINT.dy and end.dx < PSOAS_SPOT.dx  # outward, away from the spine, above the hip bone
    svg = draw(FIGURES["psoas"], Side.RIGHT, View.POSITION)
    assert circle(svg, "navel") == (500, 410) == (circle(svg, "spot")[0] + 80, circle(svg, "spot")[1])
    # the muscle's edge is drawn through the spot: two curves that meet there, upright
    assert re.search(r'<path d="M408,252 Q420,331 420,410 Q420,535 460,660"[^>]*class="six-pack-edge"', svg)


def test_the_iliacus_starts_just_inside_the_hip_point_and_slides_about_three_fingers_toward_the_waist():
    spot, (through, end) = ILIACUS_SPOT, FIGURES["iliacus"].slide
    assert spot.dx > HIP_POINT.dx and math.dist((spot.dx, spot.dy), (HIP_POINT.dx, HIP_POINT.dy)) < FINGER  # inside
    length = math.dist((spot.dx, spot.dy), (end.dx, end.dy))
    assert 3 * FINGER <= length <= 3.5 * FINGER
    assert math.dist((end.dx, end.dy), (WAIST_SIDE.dx, WAIST_SIDE.dy)) < FINGER and end.dx > WAIST_SIDE.dx  # inside it
    assert end.dy < through.dy < spot.dy  # up along the bone, toward the waist


def test_the_glide_back_is_a_dashed_line_from_the_slide_end_back_to_the_spot():
    svg = draw(FIGURES["psoas"], Side.RIGHT, View.STROKE)
    (back,) = re.findall(r'<path d="([^"]+)"[^>]*stroke-width="8" [^>]*stroke-dasharray="20 12" class="back"', svg)
    assert back == "M292.6,439 Q332,376.1 392,399.2"  # from beside the slide's end (282,456) to the spot (420,410)
    points = path_points(back)
    assert math.dist(points[0], (282, 456)) == pytest.approx(20, abs=0.1)
    assert math.dist(points[-1], (420, 410)) == pytest.approx(30, abs=0.1)
    assert away(points[10], (420, 410), (282, 456)) > 30  # bowed toward the head, clear of the slide


@pytest.mark.parametrize("name", sorted(FIGURES))
@pytest.mark.parametrize("side", [Side.RIGHT, Side.LEFT])
@pytest.mark.parametrize("view", list(View))
def test_no_label_overlaps_another_a_key_mark_or_an_inset(name, side, view):
    svg = draw(FIGURES[name], side, view)
    found = labels(svg)
    assert len(found) >= 6
    assert [label.words for label in found if not label.box.within(Box(0, 0, 1000, 1000))] == []
    overlapping = [(a.words, b.words) for i, a in enumerate(found) for b in found[i + 1 :] if a.box.meets(b.box)]
    assert overlapping == []
    hit = {(lab.words, m.name) for lab in found for m in marks(svg) for x, y in m.points if lab.box.near(x, y, m.reach)}
    assert hit == set()
    insets = frames(svg)
    assert [lab.words for lab in found for f in insets if lab.box.meets(f) and not lab.box.within(f)] == []
    assert min(float(size) for size in re.findall(r'<text [^>]*font-size="([0-9.]+)"', svg)) >= 40


def test_the_layout_test_sees_an_overlap():
    svg = draw(FIGURES["psoas"], Side.RIGHT, View.STROKE)
    moved = svg.replace('<text x="525.3" y="423.8"', '<text x="400" y="423.8"')  # "navel" over the spot
    assert {m.name for lab in labels(moved) for m in marks(moved) for x, y in m.points if lab.box.near(x, y, m.reach)}
    assert ("spot" in {m.name for m in marks(moved)}) and labels(moved)[0].words == "navel"


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_the_pictures_use_black_greys_blue_and_orange_only(name):
    colours = set()
    for side in (Side.RIGHT, Side.LEFT):
        for view in View:
            colours |= set(re.findall(r'(?:fill|stroke)="(#[0-9A-Fa-f]+)"', draw(FIGURES[name], side, view)))
    assert colours <= {INK, "#fff", SKIN, MUSCLE, DEEP, BONE, BLUE, ORANGE}
    assert {BLUE, ORANGE} <= colours


def test_the_press_goes_down_and_in_toward_the_spine_on_both_sides():
    for side, inward in ((Side.RIGHT, 1), (Side.LEFT, -1)):
        svg = draw(FIGURES["psoas"], side, View.STROKE)
        touch, head = circle(svg, "inset-spot"), tip(svg, "press")
        spine = re.search(r'<circle cx="([0-9.]+)" cy="([0-9.]+)" r="22" fill="#fff"', svg)
        assert spine and head[1] > touch[1]  # down
        assert (head[0] - touch[0]) * inward > 0 and abs(head[0] - float(spine[1])) < abs(touch[0] - float(spine[1]))
    at = CORNER.at(*PRESS_TOUCH)
    assert circle(draw(FIGURES["psoas"], Side.RIGHT, View.STROKE), "inset-spot") == (at.x, at.y) == (764, 104)


def heading(svg: str, cls: str) -> float:
    """Which way an arrowhead of this class points across: its tip's x less its base's middle's."""
    (points,) = re.findall(rf'<polygon class="{cls}" points="([^"]+)"', svg)
    (tip_x, _), (ax, _), (bx, _) = (tuple(map(float, pair.split(","))) for pair in points.split())
    return tip_x - (ax + bx) / 2


@pytest.mark.parametrize(("name", "inward"), [("psoas", True), ("psoas-partner", True), ("iliacus", False)])
def test_the_legends_press_mark_points_as_the_insets_arrow_does(name, inward):
    for side, toward_middle in ((Side.RIGHT, 1), (Side.LEFT, -1)):
        svg = draw(FIGURES[name], side, View.STROKE)
        expected = toward_middle if inward else -toward_middle  # the iliacus curls out, onto the bone's inside
        assert math.copysign(1, heading(svg, "press")) == math.copysign(1, heading(svg, "key")) == expected


def test_a_tool_variant_shows_the_tools_tip_where_the_fingertips_press():
    for name, touch in (("psoas", PRESS_TOUCH), ("iliacus", CURL_TOUCH)):
        tool = replace(FIGURES[name], contact=Contact.TOOL)
        svg = draw(tool, Side.LEFT, View.STROKE)
        at = CORNER.at(*touch)
        assert circle(svg, "tool-tip") == (1000 - at.x, at.y) and 'class="inset-spot"' not in svg
        assert circle(draw(FIGURES[name], Side.LEFT, View.STROKE), "inset-spot") == (1000 - at.x, at.y)


def test_the_partners_hands_stay_off_the_spot_and_the_slide():
    svg = draw(FIGURES["psoas-partner"], Side.RIGHT, View.STROKE)
    hands = circle(svg, "hands")
    assert hands == (474, 364)
    spot, end = circle(svg, "spot"), tip(svg, "slide-end")
    assert math.dist(hands, spot) > 34 + 19 + 3  # the hands' circle clear of the spot's
    assert away(hands, spot, end) > 34 + 8 + 3  # ... and of the slide's stem
    assert ">you</text>" in svg and ">start: thumbs stacked</text>" in svg and ">slide toward you</text>" in svg


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_each_picture_says_what_its_routine_says(name):
    text = resources.files("coach.routines").joinpath(f"{name}.toml").read_text("utf-8")
    assert [words for words in FIGURES[name].words if words not in text] == []


def test_every_built_in_routine_has_a_drawing():
    assert sorted(FIGURES) == sorted(source.name for source in builtin_sources())


def test_the_left_picture_keeps_its_words_readable():
    right = draw(FIGURES["psoas"], Side.RIGHT, View.STROKE)
    left = draw(FIGURES["psoas"], Side.LEFT, View.STROKE)
    assert "scale(-1" not in left and "matrix(-1" not in left  # mirrored by coordinates, never by a transform
    assert '<text x="525.3" y="423.8" font-size="42" font-weight="bold" text-anchor="start"' in right
    assert '<text x="474.7" y="423.8" font-size="42" font-weight="bold" text-anchor="end"' in left
    assert ">navel</text>" in left and ">the left</text>" in right and ">the right</text>" in left
    # the title moves to the other corner, the inset's; the legend is the same on both sides
    assert '<text x="974" y="60" font-size="50" font-weight="bold" text-anchor="end"' in left
    assert '<text x="112" y="980" font-size="42" font-weight="bold" text-anchor="start"' in left
    assert ">left side</text>" in left and ">slide 3 finger-widths</text>" in left


def test_the_gentle_pictures_show_the_circles_and_the_stroke_the_foot_lift():
    stroke = draw(FIGURES["psoas-gentle"], Side.RIGHT, View.STROKE)
    position = draw(FIGURES["psoas-gentle"], Side.RIGHT, View.POSITION)
    for svg in (stroke, position):
        assert circle(svg, "circles") == circle(svg, "spot") == (420, 410)
    assert tip(stroke, "lift") == (938, 154)  # straight up, in front of the lifted foot's toes
    assert 'class="foot"' in stroke and 'class="foot"' not in position and 'class="slide' not in stroke
    assert ">1. light circles on the spot</text>" in stroke and ">2. lift the foot just off the mat</text>" in stroke


def test_the_psoas_position_shows_the_check_by_the_foot():
    position = draw(FIGURES["psoas"], Side.RIGHT, View.POSITION)
    assert tip(position, "lift") == (938, 154) and ">check: lift the foot, feel it firm</text>" in position
    assert 'class="inset-press"' in draw(FIGURES["psoas"], Side.RIGHT, View.STROKE)


# -- rendering (the real resvg) ------------------------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.parametrize("name", sorted(FIGURES))
def test_each_picture_renders_square_small_and_the_same_every_time(name):
    for side in (Side.RIGHT, Side.LEFT):
        for view in View:
            png = render_png(draw(FIGURES[name], side, view))
            assert png_size(png) == (1000, 1000)
            assert 20_000 < len(png) < 300_000
            assert render_png(draw(FIGURES[name], side, view)) == png


@pytest.mark.e2e
def test_the_same_svg_gives_the_same_bytes_in_another_process():
    code = (
        "import sys, hashlib; from coach.picture.render import render_png; from coach.picture.drawing import *;"
        "from coach.picture.figures import FIGURES; from coach.kinds import Side;"
        "print(hashlib.sha256(render_png(draw(FIGURES['psoas'], Side.LEFT, View.STROKE))).hexdigest())"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    import hashlib

    assert other == hashlib.sha256(render_png(draw(FIGURES["psoas"], Side.LEFT, View.STROKE))).hexdigest()


@pytest.mark.e2e
def test_the_pictures_in_the_docs_are_the_ones_coach_draws():
    from conftest import ROOT

    for name in FIGURES:
        for side in (Side.RIGHT, Side.LEFT):
            shown = (ROOT / "docs" / "pictures" / f"{name}-{side}.png").read_bytes()
            assert shown == render_png(draw(FIGURES[name], side, View.STROKE)), f"{name}-{side}: make pictures"


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["psoas", "psoas-gentle"])
def test_the_label_boxes_hold_the_letters_resvg_draws(name):
    """The layout test's boxes come from the font's advance widths; each label drawn alone by resvg, with the
    same fonts, puts its ink inside its box, and the box is no more than a few pixels wider than the ink."""
    import resvg_py

    svg = draw(FIGURES[name], Side.RIGHT, View.STROKE)
    texts = re.findall(r"<text [^>]*>[^<]*</text>", svg)
    assert len(texts) == len(labels(svg)) >= 10
    for text, label in zip(texts, labels(svg), strict=True):
        box, halo = label.box, float(re.findall(r'stroke-width="([0-9.]+)"', text)[0]) / 2
        left, top = math.floor(box.x0) - 10, math.floor(box.y0) - 10
        width, height = math.ceil(box.x1) + 10 - left, math.ceil(box.y1) + 10 - top
        alone = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{left} {top} {width} {height}" width="{width}" '
                 f'height="{height}" font-family="DejaVu Sans">{text}</svg>')  # fmt: skip
        png = resvg_py.svg_to_bytes(
            svg_string=alone, width=width, height=height, background="#ffffff", skip_system_fonts=True,
            font_files=font_files(), font_family="DejaVu Sans",
        )  # fmt: skip
        rows, cols = numpy.nonzero(pixels(bytes(png))[:, :, :3].min(axis=2) < 128)
        ink = Box(left + cols.min(), top + rows.min(), left + cols.max() + 1, top + rows.max() + 1)
        assert ink.within(box), label.words
        assert box.x1 - halo - ink.x1 < 8 and ink.x0 - box.x0 - halo < 8, label.words  # no looser than the bearings


# -- coach show --picture ------------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_show_picture_writes_png_and_svg(tmp_path):
    png, svg = tmp_path / "psoas-left.png", tmp_path / "psoas-left.svg"
    result = run("show", "psoas", "--side", "left", "--picture", str(png))
    assert (result.exit_code, result.stderr) == (0, f"Wrote {png}: Psoas release, left side.\n")
    assert png.read_bytes() == render_png(draw(FIGURES["psoas"], Side.LEFT, View.STROKE))
    assert run("show", "psoas", "--side", "left", "--picture", str(svg)).exit_code == 0
    assert svg.read_text() == draw(FIGURES["psoas"], Side.LEFT, View.STROKE)
    wrong = run("show", "psoas", "--picture", str(tmp_path / "psoas.gif"))
    assert (wrong.exit_code, wrong.stderr) == (
        1,
        "Error: Cannot write psoas.gif: a picture's file name ends in .png or .svg.\n",
    )


@pytest.mark.e2e
def test_show_picture_with_no_file_opens_the_viewer_or_says_where_it_wrote(tmp_path):
    from conftest import deps

    opened = []
    viewer = deps(view_image=lambda path: opened.append(path) or True)
    result = run("show", "iliacus", "--side", "right", "--picture", deps=viewer)
    written = tmp_path / "cache" / "pictures" / "iliacus-right.png"
    assert (result.exit_code, result.stderr) == (0, f"Opened {written} in the image viewer.\n")
    assert opened == [written]
    assert written.read_bytes() == render_png(draw(FIGURES["iliacus"], Side.RIGHT, View.STROKE))
    none = run("show", "iliacus", "--side", "right", "--picture", deps=deps(view_image=lambda path: False))
    assert none.stderr == f"Wrote {written}: open it with any image viewer (none can be opened here).\n"


def test_the_routine_help_and_the_first_session_point_to_the_picture(tmp_path):
    assert "See where to press: coach show psoas --side right --picture" in run("psoas", "--help").stdout
    from coach.catalog import path_source
    from coach.picture.pictures import see_where

    assert see_where(path_source(tmp_path / "my routine.toml"), Side.BOTH) == (
        f"See where to press: coach show '{tmp_path}/my routine.toml' --side right --picture"
    )


# -- pictures in exported files -------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_an_mp3_carries_the_cover_and_each_chapters_picture(tmp_path):
    from conftest import fake_engine as make_engine  # noqa: F401

    from coach.catalog import RoutineSource
    from coach.catalog import builtin_sources as sources
    from coach.output.export import export_session
    from coach.picture.pictures import file_pictures
    from coach.script import Options
    from coach.session import prepare

    source = next(s for s in sources() if s.name == "psoas")
    assert isinstance(source, RoutineSource)
    routine = source.load()
    from conftest import FakeEngine

    speaker = fake_speaker(FakeEngine(), tmp_path / "cache")
    session = prepare(routine, Options(side=Side.BOTH, shape=Shape.QUICK), speaker)
    target = tmp_path / "psoas-both.mp3"
    pictures = file_pictures(".mp3", session.timeline.script, source, routine)
    export_session(session, target, "fake", pictures=pictures)
    tag = id3.ID3(target)
    (cover,) = tag.getall("APIC")
    shown = tmp_path / "shown.png"
    assert run("show", "psoas", "--side", "right", "--picture", str(shown)).exit_code == 0
    assert (cover.type, cover.mime, cover.data) == (id3.PictureType.COVER_FRONT, "image/png", shown.read_bytes())
    chapters = sorted(tag.getall("CHAP"), key=lambda c: c.start_time)
    titles = [str(c.sub_frames["TIT2"]) for c in chapters]
    assert titles == ["Strokes, right side", "Switching sides", "Strokes, left side", "Closing"]
    stroke = {side: render_png(draw(FIGURES["psoas"], side, View.STROKE)) for side in (Side.RIGHT, Side.LEFT)}
    position = render_png(draw(FIGURES["psoas"], Side.LEFT, View.POSITION))
    assert [c.sub_frames.getall("APIC")[0].data for c in chapters[:3]] == [
        stroke[Side.RIGHT],
        position,
        stroke[Side.LEFT],
    ]
    assert chapters[3].sub_frames.getall("APIC")[0].data == position  # the closing: the position, left side
    assert chapters[0].sub_frames.getall("APIC")[0].data == shown.read_bytes()


@pytest.mark.e2e
@pytest.mark.parametrize("suffix", [".flac", ".ogg"])
def test_flac_and_ogg_carry_the_cover(tmp_path, suffix):
    install_routine(tmp_path)
    target = tmp_path / f"mini-left{suffix}"
    assert run("mini", "--side", "left", "-o", str(target)).exit_code == 0
    card = tmp_path / "card.png"
    assert run("show", "mini", "--side", "left", "--picture", str(card)).exit_code == 0
    if suffix == ".flac":
        (picture,) = FLAC(target).pictures
    else:
        (value,) = OggVorbis(target)["metadata_block_picture"]
        picture = Picture(base64.b64decode(value))
    assert (picture.type, picture.mime, picture.width, picture.height) == (3, "image/png", 1000, 1000)
    assert picture.data == card.read_bytes() == render_png(title_card("Mini", Side.LEFT))


@pytest.mark.e2e
def test_a_wav_has_no_picture_and_a_routine_without_one_gets_its_title_card(tmp_path):
    install_routine(tmp_path)
    card = render_png(title_card("Mini", Side.RIGHT))
    target = tmp_path / "mini.mp3"
    assert run("mini", "--side", "right", "-o", str(target)).exit_code == 0
    assert id3.ID3(target).getall("APIC")[0].data == card
    wav = tmp_path / "mini.wav"
    assert run("mini", "--side", "right", "-o", str(wav)).exit_code == 0
    assert b"PNG" not in wav.read_bytes()


# -- a user's own picture ------------------------------------------------------------------------------------------


def with_picture(name: str) -> str:
    return MINI.replace('title = "Mini"', f'title = "Mini"\npicture = "{name}"', 1)


def pictured(tmp_path, name="mini.svg", svg=None):
    install_routine(tmp_path, with_picture(name))
    if svg is not None:
        (tmp_path / "config" / "routines" / name.replace("{side}", "right")).write_text(svg)
    return tmp_path / "config" / "routines"


@pytest.mark.e2e
def test_a_users_picture_is_drawn_and_mirrored_for_the_left(tmp_path):
    shape = '<rect x="0" y="0" width="40" height="100" fill="#0072B2"/>'
    folder = pictured(tmp_path, svg=SVG.format(shape))
    right, left = tmp_path / "r.png", tmp_path / "l.png"
    assert run("show", "mini", "--side", "right", "--picture", str(right)).exit_code == 0
    assert run("show", "mini", "--side", "left", "--picture", str(left)).exit_code == 0
    mirrored = SVG.format('<rect x="60" y="0" width="40" height="100" fill="#0072B2"/>').encode()
    assert left.read_bytes() == render_png(clean_svg(mirrored)) != right.read_bytes()
    assert right.read_bytes() == render_png(clean_svg((folder / "mini.svg").read_bytes()))


@pytest.mark.e2e
def test_a_side_in_the_name_gives_each_side_its_own_file(tmp_path):
    folder = pictured(tmp_path, "mini-{side}.svg", SVG.format('<circle cx="20" cy="50" r="10"/>'))
    (folder / "mini-left.svg").write_text(SVG.format('<circle cx="50" cy="50" r="30"/>'))
    left = tmp_path / "l.svg"
    assert run("show", "mini", "--side", "left", "--picture", str(left)).exit_code == 0
    assert left.read_text() == clean_svg((folder / "mini-left.svg").read_bytes())  # its own file, not mirrored
    assert "matrix(-1" not in left.read_text()


def test_a_missing_picture_is_one_sentence_naming_the_file_and_key(tmp_path):
    folder = pictured(tmp_path)
    result = run("show", "mini", "--picture", str(tmp_path / "x.png"))
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {folder / 'mini.toml'}, line 3: picture: mini.svg is not there (it goes beside mini.toml)\n",
    )
    written = run("mini", "--side", "right", "-o", str(tmp_path / "x.mp3"))
    assert written.exit_code == 1 and "picture: mini.svg is not there" in written.stderr
    assert not (tmp_path / "x.mp3").exists()


@pytest.mark.parametrize(
    ("svg", "problem"),
    [
        ("<svg", "is not valid SVG (unclosed token: line 1, column 0)"),
        ("<html/>", "is not an SVG drawing (its outer element is not <svg> in the SVG namespace)"),
        (
            '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><text>&b;</text></svg>',
            "declares a DTD or entities, which coach does not read",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><text>&x;</text></svg>',
            "declares a DTD or entities, which coach does not read",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"/>',
            "gives no size: it needs a viewBox, or a width and a height in pixels",
        ),
    ],
)
def test_a_broken_or_entity_laden_picture_is_refused_in_one_sentence(tmp_path, svg, problem):
    folder = pictured(tmp_path, svg=svg)
    result = run("show", "mini", "--picture", str(tmp_path / "x.png"))
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {folder / 'mini.toml'}, line 3: picture: mini.svg {problem}\n",
    )


def test_a_picture_too_large_is_refused(tmp_path):
    folder = pictured(tmp_path, svg=SVG.format(" " * (1024 * 1024)))
    result = run("show", "mini", "--picture", str(tmp_path / "x.png"))
    assert result.stderr == (
        f"Error: {folder / 'mini.toml'}, line 3: picture: mini.svg is too large (1048644 bytes; a picture holds at "
        "most 1048576)\n"
    )


@pytest.mark.parametrize(
    "outside",
    [
        '<image href="{secret}" width="100" height="100"/>',
        '<image xlink:href="../secret.png" width="100" height="100"/>',
        '<image href="file://{secret}" width="100" height="100"/>',
        '<image href="http://127.0.0.1:9/x.png" width="100" height="100"/>',
        '<rect width="100" height="100" fill="url(other.svg#paint)"/>',
        '<rect width="100" height="100" style="fill: url(http://127.0.0.1:9/p.svg#x)"/>',
        "<style>@import url(http://127.0.0.1:9/x.css); rect {{ fill: url(/tmp/x.svg#p) }}</style>",
        '<use href="other.svg#shape"/>',
        '<script>alert(1)</script><foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>',
    ],
)
def test_references_outside_the_svg_are_removed_before_it_is_drawn(tmp_path, outside):
    secret = tmp_path / "secret.png"
    secret.write_bytes(render_png(title_card("Secret", Side.RIGHT)))
    kept = '<circle cx="50" cy="50" r="20" fill="#E69F00"/>'
    ns = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 100"'
    hostile = f"<svg {ns}>{outside.format(secret=secret)}{kept}</svg>".encode()
    cleaned = clean_svg(hostile)
    for gone in ("secret", "127.0.0.1", "file:", "other.svg", "@import", "<script", "foreignObject", "/tmp/x.svg"):
        assert gone not in cleaned
    plain = clean_svg(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">{kept}</svg>'.encode())
    assert render_png(cleaned) == render_png(plain) or "<rect" in cleaned or "<image" in cleaned
    assert re.search(r'<circle cx="50" cy="50" r="20" fill="#E69F00" ?/>', cleaned)


@pytest.mark.e2e
def test_a_picture_that_points_outside_is_drawn_without_it_through_the_command(tmp_path):
    secret = tmp_path / "config" / "secret.png"
    svg = SVG.format(f'<image href="../secret.png" width="100" height="100"/><image href="{secret}" width="100" '
                     'height="100"/><circle cx="50" cy="50" r="20"/>')  # fmt: skip
    pictured(tmp_path, svg=svg)
    secret.write_bytes(render_png(title_card("Secret", Side.RIGHT)))
    out = tmp_path / "x.png"
    assert run("show", "mini", "--picture", str(out)).exit_code == 0
    assert out.read_bytes() == render_png(clean_svg(SVG.format('<circle cx="50" cy="50" r="20"/>').encode()))


def test_an_embedded_png_is_kept():
    data = "data:image/png;base64,iVBORw0KGgo="
    cleaned = clean_svg(SVG.format(f'<image href="{data}" width="10" height="10"/>').encode())
    assert f'href="{data}"' in cleaned


@pytest.mark.e2e
def test_a_picture_that_takes_too_long_is_refused(tmp_path, monkeypatch):
    import coach.picture.render as render

    monkeypatch.setattr(render, "TIME_LIMIT_S", 0.001)
    folder = pictured(tmp_path, svg=SVG.format('<circle cx="50" cy="50" r="20"/>'))
    result = run("show", "mini", "--picture", str(tmp_path / "x.png"))
    assert result.stderr == (
        f"Error: {folder / 'mini.toml'}, line 3: picture: takes too long to draw (more than 0.001 s)\n"
    )


def test_the_picture_key_is_checked_with_the_routine(tmp_path):
    for value, problem in [
        ("../up.svg", "'../up.svg' is not an SVG file's name (such as my-routine.svg, beside the routine)"),
        ("mini.png", "'mini.png' is not an SVG file's name (such as my-routine.svg, beside the routine)"),
        ("mini-{sides}.svg", "unknown placeholder {sides} (here you may use: {side})"),
    ]:
        path = tmp_path / "config" / "routines" / "mini.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(with_picture(value))
        result = run("mini", "--side", "right", "--script")
        assert (result.exit_code, result.stderr) == (1, f"Error: {path}, line 3: picture: {problem}\n"), value


def test_unsafe_is_raised_for_a_document_that_is_not_svg():
    with pytest.raises(Unsafe):
        clean_svg(b"<svg xmlns='http://example.com/not-svg'/>")


# -- the library --------------------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_a_library_rerun_writes_nothing_and_a_changed_picture_makes_the_files_again(tmp_path):
    folder = pictured(tmp_path, svg=SVG.format('<circle cx="50" cy="50" r="20"/>'))
    library = tmp_path / "lib"
    first = run("export", str(library), "--routine", "mini", "--workers", "1", "--shape", "teach")
    assert first.stderr == f"Wrote 3 sessions to {library} (0 already up to date), with coach.m3u and index.txt.\n"
    cover = id3.ID3(library / "mini-left.mp3").getall("APIC")[0].data
    mirrored = clean_svg(SVG.format('<circle cx="50" cy="50" r="20"/>').encode(), mirrored=True)
    assert cover == render_png(mirrored)
    stamps = {p.name: p.stat().st_mtime_ns for p in library.iterdir()}
    again = run("export", str(library), "--routine", "mini", "--workers", "1", "--shape", "teach")
    assert again.stderr == f"All 3 sessions in {library} are up to date.\n"
    assert {p.name: p.stat().st_mtime_ns for p in library.iterdir()} == stamps
    (folder / "mini.svg").write_text(SVG.format('<circle cx="30" cy="50" r="20"/>'))
    changed = run("export", str(library), "--routine", "mini", "--workers", "1", "--shape", "teach")
    assert changed.stderr == f"Wrote 3 sessions to {library} (0 already up to date), with coach.m3u and index.txt.\n"


def test_a_library_of_every_routine_leaves_out_one_whose_picture_is_missing(tmp_path):
    from conftest import FakeEngine, FakeEngines, deps

    folder = pictured(tmp_path)
    fake = deps(engines=FakeEngines(FakeEngine()))
    result = run(
        "export", str(tmp_path / "lib"), "--workers", "1", "--shape", "quick", "--format", "wav", "--voice", "fake/one",
        deps=fake,
    )  # fmt: skip
    assert result.stderr.startswith(
        f"Warning: left out, as it cannot be loaded: {folder / 'mini.toml'}, line 3: picture: mini.svg is not there "
        "(it goes beside mini.toml)\n"
    )
    named = run("export", str(tmp_path / "lib"), "--routine", "mini")
    assert (named.exit_code, named.stderr) == (
        1,
        f"Error: {folder / 'mini.toml'}, line 3: picture: mini.svg is not there (it goes beside mini.toml)\n",
    )
