"""Routine loading and validation: exact messages naming file, line, key and problem."""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path
from random import Random
from typing import Any

import pytest
from conftest import MINI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coach import routine
from coach.catalog import all_sources, builtin_sources, path_source
from coach.errors import CoachError, RoutineError
from coach.keyspec import Spec
from coach.kinds import Side, Tool
from coach.routine import Line, parse_routine
from coach.script import Options, build_script
from coach.tomllines import key_lines


def error(text: str) -> RoutineError:
    with pytest.raises(RoutineError) as caught:
        parse_routine(text, "mini.toml", "mini")
    return caught.value


def test_mini_parses_to_exact_values(mini):
    assert mini.name == "mini"
    assert mini.title == "Mini"
    assert [p.title for p in mini.phases] == ["Start", "Place, {side}", "Work, {side}", "End"]
    assert [(p.each_side, p.strokes) for p in mini.phases] == [
        (False, False),
        (True, False),
        (True, True),
        (False, False),
    ]
    assert mini.phases[0].lines == (Line(text="Hello, {sides}.", pause=1.0),)
    assert mini.phases[1].lines == (Line(text="Knees to your {other}, for your {side}.", pause=0.5),)
    assert mini.phases[3].lines == (Line(text="Done.", pause=1.5),)  # the default pause
    assert [(s.name, s.beats) for s in mini.stroke.steps] == [("press", 1), ("slide", 2)]
    assert mini.phases[2].steps == mini.stroke.steps  # a strokes phase with no steps of its own
    assert mini.phases[1].steps == ()
    assert (mini.stroke.default, mini.stroke.recommended, mini.stroke.tempo) == (2, (1, 3), "medium")
    assert dict(mini.stroke.bpm) == {"slow": 30, "medium": 60, "fast": 90}


def test_every_shipped_routine_validates():
    names = [source.name for source in builtin_sources()]
    assert "psoas" in names
    for source in builtin_sources():
        assert source.load().name == source.name


def test_unknown_key():
    e = error(MINI.replace('title = "Mini"', 'title = "Mini"\ncolour = "blue"'))
    assert str(e) == (
        "mini.toml, line 3: colour: unknown key "
        "(expected one of: title, description, source, strokes, phases, switch, summary, program, picture, tools)"
    )
    assert (e.file, e.line, e.key) == ("mini.toml", 3, "colour")


def test_unknown_key_in_a_phase():
    e = error(MINI.replace('title = "Start"\npause = 1', 'title = "Start"\npause = 1\nspeed = 2'))
    assert str(e) == (
        "mini.toml, line 31: phases[0].speed: unknown key "
        "(expected one of: title, lines, pause, shapes, each_side, strokes, intro, steps)"
    )


def test_wrong_type():
    e = error(MINI.replace("beats = 2", 'beats = "two"'))
    assert str(e) == "mini.toml, line 24: strokes.steps[1].beats: expected a whole number, found text"


def test_true_is_not_a_number():
    e = error(MINI.replace("count_in = 1", "count_in = true"))
    assert str(e) == "mini.toml, line 13: strokes.count_in: expected a whole number, found true or false"


def test_missing_key():
    e = error(MINI.replace('description = "A tiny routine for tests."\n', ""))
    assert str(e) == "mini.toml: description: missing (this key is required)"


def test_missing_text():
    e = error(MINI.replace('lines = ["Go."]', 'lines = ["Go.", "  "]'))
    assert str(e) == "mini.toml, line 42: phases[2].lines[1]: missing text (the value is empty)"


def test_count_out_of_range():
    e = error(MINI.replace("default = 2", "default = 5"))
    assert str(e) == "mini.toml, line 6: strokes.default: 5 is out of range (1 to 3)"


def test_range_out_of_range():
    e = error(MINI.replace("range = [1, 3]", "range = [1, 99]"))
    assert str(e) == "mini.toml, line 7: strokes.range: [1, 99] is out of range (1 to 30, fewest first)"


def test_unknown_placeholder():
    e = error(MINI.replace('"Done."', '"Done, {name}."'))
    assert str(e) == (
        "mini.toml, line 54: phases[3].lines[0]: unknown placeholder {name} (here you may use: {s}, {sides}, {strokes})"
    )


def test_side_placeholder_outside_a_sided_phase():
    e = error(MINI.replace('"Done."', '"Done with your {side}."'))
    assert str(e) == (
        "mini.toml, line 54: phases[3].lines[0]: unknown placeholder {side} (here you may use: {s}, {sides}, {strokes};"
        " {side} and {other} work only where each_side = true)"
    )


def test_unknown_placeholder_in_a_multi_line_list_names_its_line():
    e = error(MINI.replace('lines = ["Hello, {sides}."]', 'lines = [\n  "Hello, {sides}.",\n  "Bye {nope}.",\n]'))
    assert (e.line, e.key) == (33, "phases[0].lines[1]")


def test_malformed_brace():
    e = error(MINI.replace('"Done."', '"Done {."'))
    assert str(e) == (
        "mini.toml, line 54: phases[3].lines[0]: malformed placeholder: a { that is never closed; write {{ for a brace"
    )


def test_toml_syntax_error_names_the_line():
    e = error(MINI.replace('title = "End"', 'title = "End'))
    assert str(e) == "mini.toml, line 53: not valid TOML: Illegal character '\\n'"


def test_step_sounds_and_breath_words_parse():
    text = MINI.replace('short = "Press."', 'short = "Press."\nbreath = "Press, and breathe out."').replace(
        'short = "Slide."', 'short = "Slide."\nsound = "rise"'
    )
    press, slide = parse_routine(text, "mini.toml", "mini").stroke.steps
    assert (press.sound, press.breath, slide.sound, slide.breath) == ("accent", "Press, and breathe out.", "rise", "")
    mini = parse_routine(MINI, "mini.toml", "mini")
    assert [s.sound for s in mini.stroke.steps] == ["accent", "tick"]  # the defaults
    assert mini.stroke.breath_every == 3


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'short = "Slide."',
            'short = "Slide."\nsound = "bell"',
            "line 27: strokes.steps[1].sound: 'bell' is not a step sound (expected one of: tick, rise, fall)",
        ),
        (
            'short = "Slide."',
            'short = "Slide."\nsound = "accent"',
            "line 27: strokes.steps[1].sound: 'accent' is not a step sound (expected one of: tick, rise, fall) "
            "(the accent marks only the first step)",
        ),
        (
            'short = "Press."',
            'short = "Press."\nsound = "rise"',
            "line 21: strokes.steps[0].sound: the first step always has the accent, which starts a stroke",
        ),
        (
            'short = "Press."',
            'short = "Press."\nbreath = "Breathe out, and press."',
            "line 21: strokes.steps[0].breath: must start with 'Press', like short, so the step's word still lands "
            "on its beat",
        ),
        (
            "count_in = 1",
            "count_in = 1\nbreath_every = 2",
            "line 14: strokes.breath_every: goes with a step's breath, which no step has",
        ),
        (
            "count_in = 1",
            "count_in = 1\nfull_cues = 2",
            "line 14: strokes.full_cues: no longer used: brief guidance says each step's short words on every "
            "stroke, so every stroke is the same length; remove this key (the teaching goes in the strokes phase's "
            "lines)",
        ),
    ],
)
def test_step_sound_breath_and_retired_keys_are_checked(old, new, message):
    assert str(error(MINI.replace(old, new))) == f"mini.toml, {message}"


def test_safety_lines_name_their_rules():
    def with_safety(value: str) -> str:
        return MINI.replace('lines = ["Hello, {sides}."]', f'lines = [{{ text = "Careful.", safety = {value} }}]')

    def lines(value: str) -> tuple[Line, ...]:
        return parse_routine(with_safety(value), "mini.toml", "mini").phases[0].lines

    assert lines('"pulse"') == (Line(text="Careful.", pause=1.0, safety=True, rules=("pulse",)),)
    assert lines('["stop", "pulse", "stop"]') == (
        Line(text="Careful.", pause=1.0, safety=True, rules=("stop", "pulse")),
    )
    assert lines("true") == (Line(text="Careful.", pause=1.0, safety=True, rules=()),)  # a safety line naming no rule
    assert lines("false") == (Line(text="Careful.", pause=1.0),)
    rules = "contraindications, medical, pulse, stop, ache, persists, redflags, prepare, mass, feel, tip"
    assert str(error(with_safety('"pulses"'))) == (
        f"mini.toml, line 31: phases[0].lines[0].safety: 'pulses' is not a safety rule (expected one of: {rules})"
    )
    assert str(error(with_safety('["stop", 3]'))) == (
        "mini.toml, line 31: phases[0].lines[0].safety[1]: a whole number is not a safety rule "
        f"(expected one of: {rules})"
    )
    assert str(error(with_safety("[]"))) == (
        "mini.toml, line 31: phases[0].lines[0].safety: expected a rule's name or a list of them, found an empty list"
    )
    assert str(error(with_safety("2"))) == (
        "mini.toml, line 31: phases[0].lines[0].safety: expected true or false or text or a list, found a whole number"
    )


def test_every_shipped_safety_line_names_a_rule():
    for source in builtin_sources():
        routine = source.load()
        for phase in (*routine.phases, routine.switch):
            for line in phase.lines:
                assert line.safety == bool(line.rules), (source.name, line.text)


def test_a_strokes_phase_must_be_worked_on_each_side():
    e = error(MINI.replace('title = "Work, {side}"\neach_side = true\n', 'title = "Work"\n'))
    assert str(e) == "mini.toml, line 38: phases[2].each_side: a phase with strokes = true must have each_side = true"


def test_steps_go_only_in_a_strokes_phase():
    e = error(MINI + '[[phases.steps]]\nname = "x"\n')
    assert str(e) == "mini.toml, line 55: phases[3].steps: steps go only in a phase with strokes = true"


def test_a_strokes_phase_may_have_steps_of_its_own():
    text = MINI.replace(
        'lines = ["Go."]',
        'lines = ["Go."]\n\n[[phases.steps]]\nname = "hold"\nbeats = 3\nmin_seconds = 5\n'
        'cue = "Hold it."\nshort = "Hold."',
    )
    routine = parse_routine(text, "mini.toml", "mini")
    (hold,) = routine.phases[2].steps
    assert (hold.name, hold.beats, hold.min_seconds, hold.cue) == ("hold", 3, 5.0, "Hold it.")
    assert (hold.beats_at(30), hold.beats_at(60), hold.beats_at(90)) == (3, 5, 8)  # never shorter than 5 s
    e = error(text.replace("min_seconds = 5", "min_seconds = 45"))
    assert str(e) == "mini.toml, line 47: phases[2].steps[0].min_seconds: 45 is out of range (0 to 30 seconds)"


def test_an_intro_phase_cannot_be_sided():
    e = error(
        MINI.replace(
            'title = "Place, {side}"\neach_side = true', 'title = "Place, {side}"\neach_side = true\nintro = true'
        )
    )
    assert str(e) == "mini.toml, line 36: phases[1].intro: a phase with intro = true cannot have each_side = true"


def test_the_summary_is_required():
    e = error(MINI.split("[summary]")[0] + MINI.split('both_sides = "Did {strokes} a side."\n')[1])
    assert str(e) == "mini.toml: summary: missing (this key is required)"


def test_the_uneven_closing_is_the_routines_own_with_its_own_placeholders():
    """Both sides with different counts (a side ended early) have a closing line of their own: by default about
    "strokes" and "your" side; a routine whose unit is another (knee lifts) or whose listener works on someone else
    says its own, with {right} and {left} (the counts) and {right_s} and {left_s} (their plural s)."""
    said = "Did {right} lift{right_s} right, {left} lift{left_s} left."
    text = MINI.replace(
        'both_sides = "Did {strokes} a side."', f'both_sides = "Did {{strokes}} a side."\nuneven = "{said}"'
    )
    routine = parse_routine(text, "mini.toml", "mini")
    assert "Did 1 lift right, 2 lifts left." in build_script(routine, Options(side=Side.BOTH, done=(1, 2))).texts()
    assert "Did 2 lifts right, 1 lift left." in build_script(routine, Options(side=Side.BOTH, done=(2, 1))).texts()
    plain = build_script(parse_routine(MINI, "mini.toml", "mini"), Options(side=Side.BOTH, done=(1, 2))).texts()
    assert "That was 1 stroke on your right side and 2 on your left." in plain
    e = error(text.replace("{left_s} left", "{s} left"))
    assert str(e) == (
        "mini.toml, line 51: summary.uneven: unknown placeholder {s} (here you may use: {left}, {left_s}, {right},"
        " {right_s})"
    )
    e = error(text.replace("{left_s} left", "{left:>9} left"))
    assert str(e) == (
        "mini.toml, line 51: summary.uneven: malformed placeholder {left:>9}: a placeholder is a name alone in braces,"
        " such as {side}, with no format, conversion or index; write {{ or }} for a brace"
    )


def test_unknown_tempo():
    e = error(MINI.replace('tempo = "medium"', 'tempo = "brisk"'))
    assert str(e) == "mini.toml, line 8: strokes.tempo: 'brisk' is not a tempo (expected one of: slow, medium, fast)"


def test_sided_phases_must_follow_one_another():
    text = MINI.replace('title = "Work, {side}"\neach_side = true', 'title = "Work, {side}"\neach_side = true') + (
        '\n[[phases]]\ntitle = "Again, {side}"\neach_side = true\nlines = ["Once more."]\n'
    )
    e = error(text)
    assert str(e) == "mini.toml, line 28: phases: the phases with each_side = true must follow one another"


def test_control_characters_are_refused():
    e = error(MINI.replace('"Done."', '"Done.\\u0007"'))
    assert str(e) == "mini.toml, line 54: phases[3].lines[0]: text holds a control character (U+0007)"


def test_key_lines_maps_tables_arrays_and_items():
    lines = key_lines(MINI)
    assert lines[("title",)] == 2
    assert lines[("strokes", "bpm")] == 9
    assert lines[("strokes", "steps", 1)] == 22
    assert lines[("phases", 2, "lines")] == 42
    assert lines[("switch", "lines")] == 46


def test_a_trailing_comment_does_not_move_later_lines():
    # the line scanner this replaced kept comments on lines holding a quote, and so reported line 28 here
    text = MINI.replace('lines = ["Hello, {sides}."]', 'lines = ["Hello, {sides}."]  # said once')
    e = error(text.replace('title = "End"', 'title = "End"\ncolour = "red"'))
    assert str(e) == (
        "mini.toml, line 54: phases[3].colour: unknown key "
        "(expected one of: title, lines, pause, shapes, each_side, strokes, intro, steps)"
    )


def test_a_quote_in_a_comment_inside_a_multi_line_array_does_not_shift_later_phases():
    # the line scanner this replaced read on past the array's end and counted the later phases as its items
    text = MINI.replace(
        'lines = ["Hello, {sides}."]', "lines = [\n  'Hello, {sides}.',\n  'Ready.']  # said \"slowly\""
    )
    e = error(text.replace('lines = ["Done."]', 'lines = ["Done, {nope}."]'))
    assert str(e) == (
        "mini.toml, line 56: phases[3].lines[0]: unknown placeholder {nope} (here you may use: {s}, {sides}, {strokes})"
    )


def test_key_lines_reads_quoted_and_dotted_keys_inline_tables_and_every_string_kind():
    text = (
        "# a comment with \"quotes\", [brackets] and 'apostrophes'\n"  # 1
        '"ti\\u0074le" = """\n'  # 2
        'Mini"""  # ]\n'  # 3
        "[ strokes ]\n"  # 4
        "bpm.slow = 30\n"  # 5
        "bpm . 'medium' = 60  # \"\n"  # 6
        "[[strokes.steps]]\n"  # 7
        "cue = '''Press [in].'''\n"  # 8
        "[[phases]]\n"  # 9
        'lines = [  # "[\n'  # 10
        "  'One',  # ]\n"  # 11
        '  # ]] "\n'  # 12
        '  { text = "Two \\"[x]\\"", pause = 0.5 }]\n'  # 13
        'x = "#"\n'  # 14
    )
    assert key_lines(text) == {
        ("title",): 2,
        ("strokes",): 4,
        ("strokes", "bpm"): 5,
        ("strokes", "bpm", "slow"): 5,
        ("strokes", "bpm", "medium"): 6,
        ("strokes", "steps"): 7,
        ("strokes", "steps", 0): 7,
        ("strokes", "steps", 0, "cue"): 8,
        ("phases",): 9,
        ("phases", 0): 9,
        ("phases", 0, "lines"): 10,
        ("phases", 0, "lines", 0): 11,
        ("phases", 0, "lines", 1): 13,
        ("phases", 0, "lines", 1, "text"): 13,
        ("phases", 0, "lines", 1, "pause"): 13,
        ("phases", 0, "x"): 14,
    }


def test_user_routine_in_config_dir_becomes_a_command(tmp_path):
    folder = tmp_path / "conf" / "routines"
    folder.mkdir(parents=True)
    (folder / "mini.toml").write_text(MINI)
    sources = all_sources(tmp_path / "conf")
    assert sorted(sources) == ["iliacus", "mini", "psoas", "psoas-gentle", "psoas-partner"]
    assert sources["mini"].load().title == "Mini"


def test_unusable_file_name(tmp_path):
    path = tmp_path / "My Routine.toml"
    path.write_text(MINI)
    with pytest.raises(RoutineError) as caught:
        path_source(path).load()
    assert str(caught.value) == (
        f"'{path}': 'My Routine' is not a usable routine name: name the file with lower-case letters, digits and "
        "dashes, starting with a letter (such as my-routine.toml)"
    )


def test_missing_file(tmp_path):
    with pytest.raises(RoutineError) as caught:
        path_source(tmp_path / "gone.toml").load()
    assert str(caught.value) == f"{tmp_path / 'gone.toml'}: file not found"


def test_the_example_in_the_docs_is_a_valid_routine():
    text = (Path(__file__).resolve().parent.parent / "docs" / "routines.md").read_text()
    example = text.split("## An example to copy", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    routine = parse_routine(example, "iliacus-short.toml", "iliacus-short")
    assert routine.title == "Iliacus, short"
    assert [p.title for p in routine.phases] == [
        "Settling in",
        "Position, {side} side",
        "Strokes, {side} side",
        "Closing",
    ]


def test_the_format_sample_in_the_docs_names_only_real_keys():
    text = (Path(__file__).resolve().parent.parent / "docs" / "routines.md").read_text()
    sample = text.split("## The format", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    routine = parse_routine(sample, "sample.toml", "sample")
    assert routine.stroke.steps[0].cue == "Press down and in, and breathe out."
    assert [s.sound for s in routine.stroke.steps] == ["accent", "rise"]


def test_every_key_of_every_table_is_in_the_docs():
    """A routine key is one line in its table's spec and its words in docs/routines.md: a key left out of the docs
    fails here."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "routines.md").read_text()

    def documented(name: str) -> bool:  # as `name = ...`, a [table] or [[...name]] header, or `name` in the prose
        return re.search(rf"(\b{name} *=|\[{name}\]|\.{name}\]|`{name}`)", text) is not None

    specs = {name: value for name, value in vars(routine).items() if isinstance(value, Spec)}
    assert sorted(specs) == [
        "BPM", "FIRST_STEP", "LINE", "PHASE", "PROGRAM", "ROUTINE", "STEP", "STROKES", "SUMMARY", "SWITCH",
    ]  # fmt: skip
    keys = {key.name: key for spec in specs.values() for key in spec.keys}
    assert {"sessions_per_day", "slow", "check_in_every", "min_seconds", "once", "uneven"} <= set(keys)
    assert [name for name in keys if not documented(name)] == []
    assert [name for name, key in keys.items() if not key.doc] == []
    assert not documented("colour") and not documented("speed")


def test_the_error_shown_in_the_docs_is_the_one_the_example_gives():
    text = (Path(__file__).resolve().parent.parent / "docs" / "routines.md").read_text()
    example = text.split("## An example to copy", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    shown = text.split("### Errors", 1)[1].split("```\n", 2)[1].splitlines()[1]
    second_beats = example.index("beats = 4")  # the second step's
    broken = example[:second_beats] + 'beats = "four"' + example[second_beats + len("beats = 4") :]
    with pytest.raises(RoutineError) as caught:
        parse_routine(broken, "my-routine.toml", "my-routine")
    assert shown == f"Error: {caught.value}"
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert shown in readme


# -- every reported line holds its key, however the file is laid out ---------------------------------------------

MINI_DATA = tomllib.loads(MINI)
TRICKY = " ab\"'[]#=,.\\"  # what trips a line scanner: quotes, brackets, hashes


class Layout:
    """Writes a routine's data as TOML in a layout chosen at random (string kinds, comments, multi-line arrays,
    inline tables, dotted and quoted keys, tables or not), noting the line on which each key path starts.

    Its choices come from a Random that hypothesis seeds: far quicker than a draw for each of several hundred
    choices, and as repeatable."""

    def __init__(self, random: Random) -> None:
        self.random = random
        self.out: list[str] = []
        self.line = 1
        self.where: dict[tuple[str | int, ...], int] = {}
        self.newline = random.choice(["\n", "\r\n"])

    def tricky(self) -> str:
        return "".join(self.random.choice(TRICKY) for _ in range(self.random.randint(0, 12)))

    def maybe(self) -> bool:
        return self.random.random() < 0.5

    def write(self, text: str) -> None:
        text = text.replace("\n", self.newline)
        self.out.append(text)
        self.line += text.count("\n")

    def mark(self, path: tuple[str | int, ...]) -> None:
        for end in range(1, len(path) + 1):
            self.where.setdefault(path[:end], self.line)

    def comment(self) -> str:
        return f"  # {self.tricky()}" if self.maybe() else ""

    def end_line(self) -> None:
        self.write(self.comment() + "\n")
        while self.random.random() < 0.2:  # now and then a blank line or a comment of its own
            self.write(self.random.choice(["", f"# {self.tricky()}", f"  #{self.tricky()}"]) + "\n")

    def key(self, name: str) -> str:
        return self.random.choice([name, f'"{name}"', f"'{name}'"])

    def string(self, text: str, inline: bool) -> str:
        escaped = text.replace("\\", "\\\\").replace('"', '\\"')
        kinds = ["basic"] + (["literal"] if "'" not in text else [])
        if not inline:
            kinds += ["multi-line basic", "continued"] + (["multi-line literal"] if "'" not in text else [])
        kind = self.random.choice(kinds)
        first = self.random.choice(["", "\n"])  # a newline straight after the opening quotes is dropped
        if kind == "literal":
            return f"'{text}'"
        if kind == "multi-line basic":
            return f'"""{first}{escaped}"""'
        if kind == "multi-line literal":
            return f"'''{first}{text}'''"
        if kind == "continued":  # a backslash at a line's end joins it to the next line's first non-blank
            cut = self.random.randint(0, len(text))
            head, tail = text[:cut], text[cut:]
            if tail[:1].isspace() or not tail:
                return f'"{escaped}"'
            esc = [part.replace("\\", "\\\\").replace('"', '\\"') for part in (head, tail)]
            return f'"""{first}{esc[0]}\\\n    {esc[1]}"""'
        return f'"{escaped}"'

    def value(self, value: object, path: tuple[str | int, ...], inline: bool = False) -> None:
        if isinstance(value, bool):
            self.write("true" if value else "false")
        elif isinstance(value, (int, float)):
            self.write(repr(value))
        elif isinstance(value, str):
            self.write(self.string(value, inline))
        elif isinstance(value, dict):
            self.write("{ ")
            for index, (name, item) in enumerate(value.items()):
                self.write(", " if index else "")
                self.pair(name, item, path, inline=True)
            self.write(" }")
        elif isinstance(value, list):
            self.array(value, path, inline)

    def array(self, items: list[object], path: tuple[str | int, ...], inline: bool) -> None:
        many = not inline and self.maybe()
        self.write("[" + (self.comment() if many else ""))
        for index, item in enumerate(items):
            if many:
                self.write("\n")
                if self.maybe():
                    self.write(f"  # {self.tricky()}\n")
                self.write("  ")
            elif index:
                self.write(" ")
            self.mark((*path, index))
            self.value(item, (*path, index), inline=inline or isinstance(item, dict))
            last = index == len(items) - 1
            if not last or (many and self.maybe()):
                self.write(",")
            if many and not last:
                self.write(self.comment())
        if many and self.maybe():
            self.write(self.comment() + "\n")
        self.write("]")

    def pair(self, name: str, value: object, table: tuple[str | int, ...], inline: bool = False) -> None:
        path = (*table, name)
        if isinstance(value, dict) and not inline and value and self.maybe():
            for child, item in value.items():  # as dotted keys: name.child = ...
                self.mark(path)
                self.write(f"{self.key(name)}{self.random.choice(['.', ' . '])}")
                self.pair(child, item, path, inline=True)
                self.end_line()
            return
        self.mark(path)
        self.write(f"{self.key(name)}{self.random.choice([' = ', '=', '  =  '])}")
        self.value(value, path, inline)
        if not inline:
            self.end_line()

    def table(self, data: dict[str, object], path: tuple[str | int, ...], names: list[str]) -> None:
        """The pairs of a table, then its sub-tables and arrays of tables under headers of their own."""
        headed = {
            name: value
            for name, value in data.items()
            if (isinstance(value, dict) and self.maybe())
            or (isinstance(value, list) and value and all(isinstance(v, dict) for v in value) and self.maybe())
        }
        for name, value in data.items():
            if name not in headed:
                self.pair(name, value, path)
        for name, value in headed.items():
            header = self.random.choice([".", " . "]).join(self.key(part) for part in [*names, name])
            pad = self.random.choice(["", " "])
            if isinstance(value, dict):
                self.mark((*path, name))
                self.write(f"[{pad}{header}{pad}]")
                self.end_line()
                self.table(value, (*path, name), [*names, name])
            else:
                for index, element in enumerate(value):
                    self.mark((*path, name, index))
                    self.write(f"[[{pad}{header}{pad}]]")
                    self.end_line()
                    self.table(element, (*path, name, index), [*names, name])

    def text(self) -> str:
        return "".join(self.out)


def texts(data: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """The key paths of every spoken text in the routine's data."""
    if isinstance(data, dict):
        return [p for key, value in data.items() for p in texts(value, (*path, key))]
    if isinstance(data, list):
        return [p for index, value in enumerate(data) for p in texts(value, (*path, index))]
    spoken = isinstance(data, str) and path[-1] not in ("tempo", "name")
    return [path] if spoken else []


def tables(data: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """The key paths of every table in the routine's data."""
    if isinstance(data, dict):
        return [path, *(p for key, value in data.items() for p in tables(value, (*path, key)))]
    if isinstance(data, list):
        return [p for index, value in enumerate(data) for p in tables(value, (*path, index))]
    return []


def at(data: Any, path: tuple[str | int, ...]) -> Any:
    """The value at a key path of the routine's data (TOML's tables and arrays, as tomllib gives them)."""
    for part in path:
        data = data[part]
    return data


@st.composite
def laid_out_with_a_fault(draw: st.DrawFn) -> tuple[str, tuple[str | int, ...], dict[tuple[str | int, ...], int]]:
    layout = Layout(draw(st.randoms(use_true_random=True)))
    data = copy.deepcopy(MINI_DATA)
    for path in texts(data):  # texts that hold quotes, brackets and hashes too
        parent = at(data, path[:-1])
        parent[path[-1]] = at(data, path) + layout.tricky().rstrip()
    fault = draw(st.sampled_from(["unknown key", "placeholder", "type"]))
    if fault == "unknown key":
        table = draw(st.sampled_from(tables(data)))
        at(data, table)["colour"] = draw(st.sampled_from(["blue", 3, ["a", "b"]]))
        path = (*table, "colour")
    elif fault == "placeholder":
        path = draw(st.sampled_from(texts(data)))
        at(data, path[:-1])[path[-1]] = f"Say {{nope}} {layout.tricky()}"
    else:
        path = draw(
            st.sampled_from([("strokes", "steps", 1, "beats"), ("phases", 2, "pause"), ("strokes", "count_in")])
        )
        at(data, path[:-1])[path[-1]] = draw(st.sampled_from(["two", True, [1]]))
    if layout.maybe():
        layout.write(f"# {layout.tricky()}\n")
    layout.table(data, (), [])
    text = layout.text()
    assert tomllib.loads(text) == data  # the layout changed how it is written, not what it says
    return text, path, layout.where


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.large_base_example, HealthCheck.too_slow])
@given(laid_out_with_a_fault())
def test_every_reported_line_holds_its_key(case):
    text, fault, where = case
    assert key_lines(text) == where  # every key, table, element and array of tables, on the line it starts on
    e = error(text)
    assert (e.key, e.line) == (
        "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(fault)),
        where[fault],
    )


def tooled(routine_tools: str, line_tools: str) -> str:
    """MINI with a routine-level `tools` and a Start line said only with some tools (empty strings: none given)."""
    text = MINI.replace(
        'description = "A tiny routine for tests."', f'description = "A tiny routine for tests."\n{routine_tools}'
    )
    return text.replace(
        'lines = ["Hello, {sides}."]', f'lines = ["Hello, {{sides}}.", {{ text = "With it.", {line_tools} }}]'
    )


def test_tools_a_routine_takes_and_the_lines_said_with_each():
    parsed = parse_routine(tooled('tools = ["hands", "knobbler"]', 'tools = ["knobbler"]'), "mini.toml", "mini")
    assert parsed.tools == frozenset({Tool.HANDS, Tool.KNOBBLER})
    assert [(line.text, line.tools) for line in parsed.phases[0].lines] == [
        ("Hello, {sides}.", frozenset(Tool)),  # every tool the routine takes, unless given
        ("With it.", frozenset({Tool.KNOBBLER})),
    ]
    said = {tool: build_script(parsed, Options(side=Side.RIGHT, tool=tool)).texts() for tool in parsed.tools}
    assert "With it." in said[Tool.KNOBBLER] and "With it." not in said[Tool.HANDS]
    assert parse_routine(MINI, "mini.toml", "mini").tools == frozenset({Tool.HANDS})  # the default: hands only


def test_tools_errors():
    assert str(error(tooled('tools = ["cane"]', 'tools = ["cane"]'))) == (
        'mini.toml, line 4: tools: the hands are always a choice (--tool hands, the default): list "hands" too'
    )
    assert str(error(tooled('tools = ["hands", "cane"]', 'tools = ["knobbler"]'))) == (
        "mini.toml, line 32: phases[0].lines[1].tools: knobbler is not among its routine's tools (hands, cane)"
    )
    assert str(error(tooled('tools = ["hands", "stick"]', "pause = 1"))) == (
        "mini.toml, line 4: tools[1]: 'stick' is not a tool (expected one of: hands, cane, knobbler)"
    )
    assert str(error(tooled('tools = ["hands"]', "tools = []"))) == (
        "mini.toml, line 32: phases[0].lines[1].tools: expected one tool or more (hands, cane, knobbler), found an "
        "empty list"
    )
    with pytest.raises(CoachError) as refused:
        build_script(parse_routine(MINI, "mini.toml", "mini"), Options(side=Side.RIGHT, tool=Tool.CANE))
    assert str(refused.value) == "Mini is done with the hands, not with a cane."
