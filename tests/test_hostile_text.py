"""Hostile text in routine files: placeholders that are anything but a bare name, characters the docs forbid, lines
with nothing to say, a byte-order mark. Each is refused at load with its file, line and key, or loads and speaks
exactly what it says. docs/reliability.md lists these cases and their counts."""

from __future__ import annotations

import json
import re
import unicodedata

import numpy as np
import pytest
from conftest import MINI, FakeEngine, FakeEngines, deps, install_routine, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coach.errors import RoutineError
from coach.keyspec import MAX_TEXT
from coach.kinds import Side
from coach.routine import parse_routine
from coach.script import SIDES_SAID, Options, build_script

PLACE = "Knees to your {other}, for your {side}."  # phases[1].lines[0].text, on line 36 of MINI
PLACE_LINE = 36


def load(line: str, *, at: str = PLACE) -> RoutineError | object:
    try:
        return parse_routine(MINI.replace(json.dumps(at), json.dumps(line)), "mini.toml", "mini")
    except RoutineError as exc:
        return exc


def refusal(line: str) -> str:
    result = load(line)
    assert isinstance(result, RoutineError), line
    return str(result)


WHERE = f"mini.toml, line {PLACE_LINE}: phases[1].lines[0].text"


@pytest.mark.parametrize(
    "placeholder",
    [
        "{side:>100000}",  # a segmentation fault once
        "{side:x>1000000000}",  # 4 GB
        "{side:d}",
        "{side!z}",
        "{side!r}",  # the quotes were spoken
        "{side!s}",
        "{side:}",
        "{n:03}",
        "{side.upper}",
        "{side[0]}",
        "{side.__class__}",
        "{0}",
        "{}",
        "{ side }",
        "{Side}",
    ],
)
def test_a_placeholder_is_a_bare_name_and_anything_more_is_refused(placeholder):
    assert refusal(f"Knees to your {placeholder}.") == (
        f"{WHERE}: malformed placeholder {placeholder}: a placeholder is a name alone in braces, such as {{side}}, "
        "with no format, conversion or index; write {{ or }} for a brace"
    )


def test_braces_inside_a_placeholder_and_unpaired_braces_are_refused():
    assert refusal("Knees {side:{__class__}} here.") == (
        f"{WHERE}: malformed placeholder {{side:{{__class__}}: a placeholder is a name alone in braces, such as "
        "{side}, with no format, conversion or index; write {{ or }} for a brace"
    )
    assert (
        refusal("Knees { here.") == f"{WHERE}: malformed placeholder: a {{ that is never closed; write {{{{ for a brace"
    )
    assert (
        refusal("Knees } here.") == f"{WHERE}: malformed placeholder: a }} with no {{ before it; write }}}} for a brace"
    )


def test_escaped_braces_and_every_allowed_name_fill_exactly():
    routine = load("{{side}} is {side}, {{{other}}}, {strokes} and {sides}}}.")
    texts = build_script(routine, Options(side=Side.RIGHT)).texts()
    assert "{side} is right, {left}, 2 and right side}." in texts


@pytest.mark.parametrize(
    ("character", "kind"),
    [
        ("\x1b", "a control character (U+001B)"),
        ("\t", "a control character (U+0009)"),
        ("\x85", "a control character (U+0085)"),
        ("\x9b", "a control character (U+009B)"),
        ("\u2028", "a line or paragraph separator (U+2028)"),
        ("\u2029", "a line or paragraph separator (U+2029)"),
        ("\u200b", "an invisible formatting character (U+200B)"),
        ("\u200d", "an invisible formatting character (U+200D)"),
        ("\u202e", "an invisible formatting character (U+202E)"),
        ("\u2060", "an invisible formatting character (U+2060)"),
        ("\ufeff", "an invisible formatting character (U+FEFF)"),
        ("\u00ad", "an invisible formatting character (U+00AD)"),
        ("\ue000", "a private-use character (U+E000)"),
    ],
)
def test_control_separator_invisible_and_private_characters_are_refused(character, kind):
    assert refusal(f"Knees to your {character}side.") == f"{WHERE}: text holds {kind}"


@pytest.mark.parametrize("line", ["...", "\u2014", "\u2026", "?!", "- - -", "'", "\u00b7 \u00b7"])
def test_a_line_with_no_letter_or_digit_is_refused(line):
    assert refusal(line) == f"{WHERE}: text has nothing to say (it needs a word: a letter or a digit)"


def test_a_placeholder_alone_or_a_digit_or_any_script_is_something_to_say():
    for line in ("{side}", "{other}.", "3.", "\u00bd", "\u4e2d\u6587", "\u0394\u03b5\u03bb\u03c4\u03b1"):
        assert not isinstance(load(line), RoutineError), line


def test_a_byte_order_mark_is_accepted(tmp_path):
    from coach.catalog import path_source

    path = tmp_path / "mini.toml"
    path.write_bytes(b"\xef\xbb\xbf" + MINI.encode())
    assert path_source(path).load() == parse_routine(MINI, str(path), "mini")
    assert parse_routine("\ufeff" + MINI, "mini.toml", "mini") == parse_routine(MINI, "mini.toml", "mini")


class SaysNothingFor(FakeEngine):
    """Speaks like the fake engine, but gives silence for texts holding `mute` (as espeak-ng does for some)."""

    def __init__(self, mute: str) -> None:
        super().__init__()
        self.mute = mute

    def synthesize(self, text, voice, rate):
        pcm = super().synthesize(text, voice, rate)
        return np.zeros_like(pcm) if self.mute in text else pcm


@pytest.mark.parametrize(
    ("mute", "where"),
    [
        ("Cherokee", f"line {PLACE_LINE}: phases[1].lines[0].text"),
        ("Slide away", "line 25: strokes.steps[1].cue"),  # a step's full words: `coach show`'s brief says them too
        ("Stroke", "line 10: strokes.count"),
    ],
)
def test_silence_from_the_engine_names_the_routines_file_line_and_key(tmp_path, mute, where):
    text = MINI.replace(json.dumps(PLACE), json.dumps("Cherokee \u13ae."))
    install_routine(tmp_path, text)
    engine = FakeEngines(SaysNothingFor(mute))
    (tmp_path / "cache").mkdir(exist_ok=True)
    library = ["export", str(tmp_path / "lib"), "--routine", "mini", "--guidance", "full"]
    commands = (["mini", "--side", "right", "--script", "--guidance", "full"], ["show", "mini"], library)
    for args in commands:
        result = run_cli(*args, deps=deps(engines=engine))
        file = tmp_path / "config" / "routines" / "mini.toml"
        spoken = next(t for t in engine.engine.spoken if mute in t)
        assert (result.exit_code, result.stderr) == (
            1,
            f"Error: {file}, {where}: the speech engine says nothing for {spoken!r} (3 tries); "
            "give it words it can speak\n",
        ), args


# -- the fuzz target: placeholders and text ----------------------------------------------------------------------

FRAGMENTS = [
    *("{side}", "{other}", "{strokes}", "{sides}", "{n}", "{{", "}}", "{", "}", "{}", "{0}", "{ side }"),
    *("{side:>99}", "{side:x>9}", "{side:d}", "{side!r}", "{side!z}", "{side:{__class__}}", "{n:03}", "{side[0]}"),
    *("{side.upper}", "{nope}", "Press", " in", ".", "...", "\u2014", "\u2026", "!", "?", " ", "3", "\u00a0"),
    *("\x1b", "\t", "\x85", "\x9b", "\u2028", "\u2029", "\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad", "\ue000"),
]
line_texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=12).map("".join)
VALUES = {
    side: {"side": str(side), "other": other, "strokes": "2", "sides": SIDES_SAID[side]}
    for side, other in ((Side.RIGHT, "left"), (Side.LEFT, "right"))
}
FORBIDDEN = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}


def expected(template: str, values: dict[str, str]) -> str:
    """What a template says, by a separate reading (one regular expression, left to right): a doubled brace is a
    brace, each {name} its value."""
    return re.sub(r"\{\{|\}\}|\{([a-z]+)\}", lambda m: values[m.group(1)] if m.group(1) else m.group(0)[0], template)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line_texts, st.booleans())
def test_fuzz_any_line_is_refused_where_it_stands_or_spoken_exactly_as_written(line, bom):
    """Would have found the format specs and conversions (issue 13, item 1) and the control, invisible and empty
    lines (item 12): every line is refused with its file, line and key, or is spoken exactly as written, holds
    something to say, and no character the docs forbid."""
    text = MINI.replace(json.dumps(PLACE), json.dumps(line, ensure_ascii=False))
    try:
        routine = parse_routine(("\ufeff" if bom else "") + text, "mini.toml", "mini")
    except RoutineError as exc:
        assert (exc.file, exc.line) == ("mini.toml", PLACE_LINE), str(exc)
        assert exc.key == "phases[1].lines[0].text" or exc.problem.startswith("not valid TOML"), str(exc)
        return
    template = routine.phases[1].lines[0].text
    assert template == line.strip()
    for side in (Side.RIGHT, Side.LEFT):
        spoken = expected(template, VALUES[side])
        assert spoken in build_script(routine, Options(side=side)).texts()
        assert len(spoken) <= MAX_TEXT + 20 * template.count("{")
        assert any(c.isalnum() for c in spoken)
        assert not [c for c in spoken if unicodedata.category(c) in FORBIDDEN]
