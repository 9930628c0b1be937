"""A tool instead of the hands (--tool hands|cane|knobbler): the exact lines of psoas with a cane and a knobbler,
the refusal where a routine takes none, what `coach show` says, and a file's and an export's names and tags with
the tool (through the real encoder and tagger)."""

from __future__ import annotations

import pytest
from conftest import MINI, CalmEngine, FakeEngines, deps, install_routine, run_cli
from mutagen import id3
from test_shapes import until_the_strokes

from coach.kinds import Guidance, Side, Tool
from coach.routine import parse_routine
from coach.script import Grid, Options, build_script

HEAD = """\
00:00.0  # Settling in
00:02.0  Welcome. Psoas release, right side.
00:05.9  Skip this if pregnant, or with recent surgery, a hernia, an aneurysm, blood thinners or easy bruising.
00:14.7  Or with bowel inflammation, diverticulitis, kidney disease or cancer.
00:21.3  Back pain with bladder changes, a numb groin or a weak leg, or another illness: a doctor first.
00:29.5  Empty your bladder first, and not just after a meal.
00:34.7  Lie on your back on a firm surface, knees bent.
00:42.6  (chime)
00:44.6  # Position and spot, right side
00:44.6  Let both knees fall to your left, as far as is comfortable.
00:55.4  Walk your fingertips out from your navel to the six-pack's edge, and feel for a pulse.
01:06.4  (chime)
01:08.4  # Strokes, right side
01:08.4  A tool presses hard: start very light. A dull ache is fine, up to four out of ten.
01:15.6  Stop for sharp pain, nausea, dizziness, or tingling into your thigh, groin or genitals.
01:23.6  A pulse: move a little outward. A broad pulsing lump: stop, see a doctor.
"""

CANE = f"""\
Psoas release, right side, with a cane: 8 strokes a side at 50 beats a minute (medium), brief guidance, 4:49 in all.

{HEAD}\
01:30.6  Set the cane's hook tip on your spot, holding the handle.
01:41.2  Breathe out, and draw the handle toward you.
01:50.8  It should feel tender. Lift your right foot an inch, then lower it: the muscle firms.
02:03.7  Keep the pressure, and slide toward your right hip, three finger-widths.
02:15.6  Ease off, keep contact, and glide back as you breathe in. Now 8 like that.
02:26.2  (8 strokes of 9 beats at 50 a minute, 10.8 s each: press 2, slide 4, release 3)
"""

KNOBBLER = f"""\
Psoas release, right side, with a knobbler: 8 strokes a side at 50 beats a minute (medium), brief guidance, 4:48 in \
all.

{HEAD}\
01:30.6  Set the knobbler's tip on your spot, your palm over its knob.
01:41.5  Breathe out, and lean into your palm.
01:50.6  It should feel tender. Lift your right foot an inch, then lower it: the muscle firms.
02:03.5  Keep the pressure, and slide toward your right hip, three finger-widths.
02:15.4  Ease off, keep contact, and glide back as you breathe in. Now 8 like that.
02:26.0  (8 strokes of 9 beats at 50 a minute, 10.8 s each: press 2, slide 4, release 3)
"""

QUICK_CANE = """\
Psoas release, right side, with a cane, quick session: 8 strokes a side at 50 beats a minute (medium), brief \
guidance, 2:13 in all.

00:00.0  # Strokes, right side
00:02.0  Psoas, right side.
00:04.0  Anything new, such as belly pain or a fever? Skip this one.
00:09.9  Knees to your left, fingertips on the six-pack's edge.
00:16.8  A pulse: move outward. Sharp pain, nausea or tingling: stop.
00:22.2  Feel for a pulse, then set the tool's tip there.
00:28.6  (8 strokes of 9 beats at 50 a minute, 10.8 s each: press 2, slide 4, release 3)
"""

CLOSING_CANE = """\
03:57.0  # Closing
03:57.0  That was 8 strokes on your right side; your left another time.
04:04.1  Set the tool aside, bring your knees back to the middle, and stretch your legs out. Rest, and breathe slowly.
04:20.9  Do a few strokes like these five or six times a day, for about two weeks, until the spot is no longer tender.
04:31.7  If the pain stays with you, or gets worse, see a doctor or physical therapist.
04:40.1  Roll onto your side before you get up.
04:45.2  (chime)
04:48.7  (end)
"""


def script(name, *args):
    result = run_cli(name, "--side", "right", "--script", *args, deps=deps(engines=FakeEngines(CalmEngine())))
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    return result.stdout


def test_psoas_with_a_cane_and_with_a_knobbler_exactly():
    cane = script("psoas", "--tool", "cane")
    assert until_the_strokes(cane) == CANE
    assert cane.endswith(CLOSING_CANE)
    assert until_the_strokes(script("psoas", "--tool", "knobbler")) == KNOBBLER
    assert until_the_strokes(script("psoas", "--tool", "cane", "--shape", "quick")) == QUICK_CANE


def test_the_hands_are_the_default_and_say_none_of_the_tool_lines():
    hands = script("psoas")
    assert hands == script("psoas", "--tool", "hands")
    assert "Breathe out, and sink in slowly: down, and in toward your spine." in hands
    assert not any(word in hands for word in ("tool", "cane", "knobbler", "handle"))


def test_with_both_sides_the_second_hears_how_to_hold_and_press_again_and_the_strokes_are_the_hands_own():
    """With --side both the second side hears again the fingertips' pulse check, how to hold the tool and the press;
    the rule that a tool presses hard is said once, like the other rules."""
    from coach.catalog import builtin_sources

    psoas = next(s for s in builtin_sources() if s.name == "psoas").load()
    both = build_script(psoas, Options(side=Side.BOTH, tool=Tool.KNOBBLER, guidance=Guidance.FULL))
    texts = both.texts()
    assert texts.count("Set the knobbler's tip on your spot, your palm over its knob.") == 2
    assert texts.count("Breathe out, and lean into your palm.") == 2
    assert texts.count("Walk your fingertips out from your navel to the six-pack's edge, and feel for a pulse.") == 2
    assert texts.count("A tool presses hard: start very light. A dull ache is fine, up to four out of ten.") == 1
    hands = build_script(psoas, Options(side=Side.BOTH, guidance=Guidance.FULL))

    def strokes(script):
        return [cue.texts() for phase in script.phases for cue in phase.cues if isinstance(cue, Grid)]

    assert strokes(both) == strokes(hands) and len(strokes(both)) == 2


@pytest.mark.parametrize("name", ["psoas-partner", "psoas-gentle"])
def test_a_routine_done_with_the_hands_refuses_a_tool_in_one_sentence(name):
    for tool in ("cane", "knobbler"):
        result = run_cli(name, "--side", "right", "--tool", tool, "--script")
        assert (result.exit_code, result.stdout) == (1, "")
        assert result.stderr == f"Error: {name} is done with the hands: --tool {tool} goes with iliacus or psoas.\n"


def test_an_unknown_tool_is_a_usage_error():
    result = run_cli("psoas", "--side", "right", "--tool", "stick", "--script")
    assert result.exit_code == 2
    assert "Invalid value for '--tool': 'stick' is not one of 'hands', 'cane', 'knobbler'." in result.stderr


def test_show_says_which_tools_a_routine_takes():
    shown = {
        name: run_cli("show", name, deps=deps(engines=FakeEngines(CalmEngine()))) for name in ("psoas", "psoas-partner")
    }
    assert [r.exit_code for r in shown.values()] == [0, 0]
    assert "\nTools: hands (the default), cane, knobbler: --tool\n" in shown["psoas"].stdout
    assert "\nTools: hands only\n" in shown["psoas-partner"].stdout


TOOLED_MINI = MINI.replace(
    'description = "A tiny routine for tests."',
    'description = "A tiny routine for tests."\ntools = ["hands", "knobbler"]',
).replace(
    'lines = ["Hello, {sides}."]', 'lines = ["Hello, {sides}.", { text = "Palm over the knob.", tools = ["knobbler"] }]'
)


@pytest.fixture
def tooled_home(tmp_path):
    routine = parse_routine(TOOLED_MINI, "mini.toml", "mini")
    extra = [
        text
        for side in Side
        for guidance in Guidance
        for text in build_script(routine, Options(side=side, guidance=guidance, tool=Tool.KNOBBLER)).texts()
    ]
    install_routine(tmp_path, TOOLED_MINI, extra=tuple(extra))
    return tmp_path


@pytest.mark.e2e
def test_a_file_with_a_tool_names_it_in_its_title_comment_and_info(tooled_home):
    target = tooled_home / "mini-right-knobbler.mp3"
    result = run_cli("mini", "--side", "right", "--tool", "knobbler", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"Wrote {target}: Mini, right side, with a knobbler: 2 strokes a side at 60 beats a minute (medium), brief "
        "guidance, 0:27 in all.\n"
    )
    tags = id3.ID3(target)
    assert str(tags["TIT2"]) == "Mini, right side, with a knobbler"
    comment = (
        "strokes 2, tempo medium (60 bpm), guidance brief, tool knobbler, voice en_US-joe-medium (piper), pace 1, "
        "stereo"
    )
    assert str(tags.getall("COMM")[0]) == comment
    info = run_cli("info", str(target)).stdout
    assert "Title:    Mini, right side, with a knobbler\n" in info and f"Comment:  {comment}\n" in info


@pytest.mark.e2e
def test_an_export_with_a_tool_sits_beside_the_hands_one(tooled_home):
    folder = tooled_home / "library"
    for tool in ("hands", "knobbler"):
        result = run_cli(
            "export", str(folder), "--routine", "mini", "--tool", tool, "--shape", "teach", "--workers", "1"
        )
        assert result.exit_code == 0, result.output
    names = sorted(p.name for p in folder.glob("*.mp3"))
    assert names == [
        "mini-both-knobbler.mp3", "mini-both.mp3", "mini-left-knobbler.mp3", "mini-left.mp3",
        "mini-right-knobbler.mp3", "mini-right.mp3",
    ]  # fmt: skip
    assert str(id3.ID3(folder / "mini-left-knobbler.mp3")["TIT2"]) == "Mini, left side, with a knobbler"
    assert str(id3.ID3(folder / "mini-left.mp3")["TIT2"]) == "Mini, left side"
    index = (folder / "index.txt").read_text()
    assert ", teach sessions, with a knobbler, " in index and "mini-right-knobbler.mp3" in index
    assert "mini-right-knobbler.mp3" in (folder / "coach.m3u").read_text().splitlines()
    refused = run_cli("export", str(folder), "--routine", "psoas-partner", "--tool", "cane")
    assert (refused.exit_code, refused.stderr) == (
        1, "Error: psoas-partner is done with the hands: --tool cane goes with iliacus or psoas.\n"
    )  # fmt: skip
