"""Routine loading and validation: exact messages naming file, line, key and problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MINI

from coach.catalog import all_sources, builtin_sources, path_source
from coach.errors import RoutineError
from coach.routine import Line, key_lines, parse_routine


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
    assert mini.phases[0].lines == (Line("Hello, {sides}.", 1.0),)
    assert mini.phases[1].lines == (Line("Knees to your {other}, for your {side}.", 0.5),)
    assert mini.phases[3].lines == (Line("Done.", 1.5),)  # the default pause
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
        "(expected one of: title, description, source, strokes, phases, switch, summary, program)"
    )
    assert (e.file, e.line, e.key) == ("mini.toml", 3, "colour")


def test_unknown_key_in_a_phase():
    e = error(MINI.replace('title = "Start"\npause = 1', 'title = "Start"\npause = 1\nspeed = 2'))
    assert str(e) == (
        "mini.toml, line 31: phases[0].speed: unknown key "
        "(expected one of: title, lines, pause, each_side, strokes, intro, steps)"
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
        "mini.toml, line 54: phases[3].lines[0]: unknown placeholder {name} (here you may use: {sides}, {strokes})"
    )


def test_side_placeholder_outside_a_sided_phase():
    e = error(MINI.replace('"Done."', '"Done with your {side}."'))
    assert str(e) == (
        "mini.toml, line 54: phases[3].lines[0]: unknown placeholder {side} (here you may use: {sides}, {strokes};"
        " {side} and {other} work only where each_side = true)"
    )


def test_unknown_placeholder_in_a_multi_line_list_names_its_line():
    e = error(MINI.replace('lines = ["Hello, {sides}."]', 'lines = [\n  "Hello, {sides}.",\n  "Bye {nope}.",\n]'))
    assert (e.line, e.key) == (33, "phases[0].lines[1]")


def test_malformed_brace():
    e = error(MINI.replace('"Done."', '"Done {."'))
    assert str(e) == (
        "mini.toml, line 54: phases[3].lines[0]: malformed placeholder (expected '}' before end of string);"
        " write {{ or }} for a brace"
    )


def test_toml_syntax_error_names_the_line():
    e = error(MINI.replace('title = "End"', 'title = "End'))
    assert str(e) == "mini.toml, line 53: not valid TOML: Illegal character '\\n'"


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
    assert str(e) == "mini.toml, line 54: phases[3].lines[0]: text holds a control character"


def test_key_lines_maps_tables_arrays_and_items():
    lines = key_lines(MINI)
    assert lines[("title",)] == 2
    assert lines[("strokes", "bpm")] == 9
    assert lines[("strokes", "steps", 1)] == 22
    assert lines[("phases", 2, "lines")] == 42
    assert lines[("switch", "lines")] == 46


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
        f"{path}: 'My Routine' is not a usable routine name: name the file with lower-case letters, digits and "
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
    assert routine.stroke.steps[0].cue == "Press down and in, toward your spine."
