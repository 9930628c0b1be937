"""Pictures: each routine's drawing (exact coordinates, the left side the right's mirror), rendering through the
real resvg (size, the same bytes), the pictures in exported files read back with mutagen, and a user's own SVG
(missing, broken, or pointing outside itself)."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from importlib import resources

import pytest
from conftest import MINI, fake_speaker, install_routine, run_cli
from mutagen import id3
from mutagen.flac import FLAC, Picture
from mutagen.oggvorbis import OggVorbis

from coach.catalog import builtin_sources
from coach.kinds import Shape, Side
from coach.picture.drawing import FINGER, NAVEL, SIX_PACK_EDGE, View, draw, title_card
from coach.picture.figures import FIGURES, PSOAS_SPOT
from coach.picture.render import render_png
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


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


# -- the drawings --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "spot", "end"),
    [
        ("psoas", (334, 435), (258, 454)),  # two finger-widths outside the six-pack's edge at the navel; 2 more out
        ("iliacus", (338, 596), (268.4, 485)),  # just inside the hip's front point; up along the bone to the waist
        ("psoas-partner", (434, 435), (358, 454)),  # the psoas spot, the receiver lying further right
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


def test_the_psoas_spot_is_the_one_its_words_give():
    # "just to the side of your navel ... the outer edge of the six-pack muscle ... two finger-widths outward"
    assert SIX_PACK_EDGE.dy == NAVEL.dy
    assert (PSOAS_SPOT.dx, PSOAS_SPOT.dy) == (SIX_PACK_EDGE.dx - 2 * FINGER, NAVEL.dy)
    assert circle(draw(FIGURES["psoas"], Side.RIGHT, View.POSITION), "navel") == (500, 435)


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
    assert '<text x="520" y="423" font-size="40" font-weight="bold" text-anchor="start"' in right
    assert '<text x="480" y="423" font-size="40" font-weight="bold" text-anchor="end"' in left
    assert ">navel</text>" in left and ">knees to the left</text>" in right and ">knees to the right</text>" in left
    # the title and the legend are not mirrored
    assert '<text x="28" y="62" font-size="48" font-weight="bold" text-anchor="start"' in left
    assert ">left side</text>" in left and ">slide toward the hip</text>" in left


def test_the_gentle_stroke_is_the_foot_lift_and_its_position_the_circles():
    stroke = draw(FIGURES["psoas-gentle"], Side.RIGHT, View.STROKE)
    assert tip(stroke, "lift") == (790, 570)  # an arrow straight up, beside the lifted foot
    assert ">lift the foot just off the mat</text>" in stroke
    position = draw(FIGURES["psoas-gentle"], Side.RIGHT, View.POSITION)
    assert circle(position, "circles") == circle(position, "spot") == (334, 435)


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
    session = prepare(routine, Options(Side.BOTH, shape=Shape.QUICK), speaker)
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
    assert titles == ["Strokes, right side", "Switching sides", "Strokes, left side"]
    stroke = {side: render_png(draw(FIGURES["psoas"], side, View.STROKE)) for side in (Side.RIGHT, Side.LEFT)}
    position = render_png(draw(FIGURES["psoas"], Side.LEFT, View.POSITION))
    assert [c.sub_frames.getall("APIC")[0].data for c in chapters] == [stroke[Side.RIGHT], position, stroke[Side.LEFT]]
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
