"""The script engine: exact cues, in order, for each side; counts; guidance levels; the shipped routines."""

from __future__ import annotations

import re

import pytest
from conftest import MINI

from coach.catalog import builtin_sources
from coach.errors import CoachError
from coach.kinds import Guidance, Shape, Side, Tempo, Tool
from coach.routine import SAFETY_RULES, TOOL_RULES, parse_routine
from coach.script import (
    ACCENT,
    BRIEF_FULL_STROKES,
    CHIME,
    FALL,
    LEAD_IN,
    RISE,
    TICK,
    Grid,
    GridStep,
    Options,
    Rest,
    Say,
    Sound,
    Stroke,
    build_script,
)

ROUTINES = {source.name: source for source in builtin_sources()}


def grids(script):
    return [cue for phase in script.phases for cue in phase.cues if isinstance(cue, Grid)]


def counts(grid):
    return [stroke.count for stroke in grid.strokes]


def spoken_outside_grids(script):
    return [(p.title, c.text) for p in script.phases for c in p.cues if isinstance(c, Say)]


def test_mini_right_exact_script(mini):
    script = build_script(mini, Options(side=Side.RIGHT))
    assert (script.side, script.strokes, script.tempo, script.bpm, script.guidance) == (
        "right",
        2,
        "medium",
        60,
        "brief",
    )
    assert [p.title for p in script.phases] == ["Start", "Place, right", "Work, right", "End"]
    assert script.phases[0].cues == (Sound(LEAD_IN, 2000), Say("Hello, right side.", 1000), Sound(CHIME, 2000))
    assert script.phases[1].cues == (Say("Knees to your left, for your right.", 500), Sound(CHIME, 2000))
    assert script.phases[2].cues == (
        Say("Go.", 1500),
        Grid(
            bpm=60,
            count_in=1,
            steps=(GridStep("press", 1, ACCENT), GridStep("slide", 2, TICK)),
            strokes=(
                Stroke("Stroke 1.", ("Press in.", "Slide away.")),
                Stroke("Last, 2.", ("Press in.", "Slide away.")),
            ),
        ),
        Sound(CHIME, 2000),
    )
    assert script.phases[3].cues == (
        Say("Did 2 on your right; now your left.", 2000),
        Say("Done.", 1500),
        Sound(CHIME, 2000),
        Rest(1500),
    )


def test_both_sides_work_right_then_switch_then_left(mini):
    script = build_script(mini, Options(side=Side.BOTH, strokes=1))
    assert [p.title for p in script.phases] == [
        "Start",
        "Place, right",
        "Work, right",
        "Switch",
        "Place, left",
        "Work, left",
        "End",
    ]
    assert script.texts() == [
        "Hello, right side, then the left.",
        "Knees to your left, for your right.",
        "Go.",
        "Stroke 1.",
        "Press in.",  # brief guidance: the first two strokes of each side in full words
        "Slide away.",
        "Now your left.",
        "Knees to your right, for your left.",
        "Go.",
        "Stroke 1.",
        "Press in.",
        "Slide away.",
        "Did 1 a side.",
        "Done.",
    ]


def test_counting_three_more_and_last_one(mini):
    grid = grids(build_script(mini, Options(side=Side.RIGHT, strokes=6, guidance=Guidance.MINIMAL)))[0]
    assert counts(grid) == ["Stroke 1.", "Stroke 2.", "Stroke 3.", "Three to go, 4.", "Stroke 5.", "Last, 6."]
    assert all(stroke.words == (None, None) for stroke in grid.strokes)  # minimal: counts and sounds only
    # too few strokes for "three to go"; one stroke is not called the last
    grid = grids(build_script(mini, Options(side=Side.RIGHT, strokes=3, guidance=Guidance.MINIMAL)))[0]
    assert counts(grid) == ["Stroke 1.", "Stroke 2.", "Last, 3."]
    grid = grids(build_script(mini, Options(side=Side.RIGHT, strokes=1, guidance=Guidance.MINIMAL)))[0]
    assert counts(grid) == ["Stroke 1."]


def test_psoas_counts_are_one_phrase_each(psoas):
    grid = grids(build_script(psoas, Options(side=Side.RIGHT)))[0]
    assert counts(grid) == [
        "Stroke 1.",
        "Stroke 2.",
        "Stroke 3.",
        "Stroke 4.",
        "Stroke 5.",
        "6 of 8.",
        "Stroke 7.",
        "Last stroke.",
    ]


@pytest.mark.parametrize("name", sorted(ROUTINES))
@pytest.mark.parametrize("strokes", [1, 6, 12])
def test_every_strokes_phase_has_exactly_the_strokes_asked_for(name, strokes):
    routine = ROUTINES[name].load()
    for side, sides in [(Side.RIGHT, 1), (Side.BOTH, 2)]:
        script = build_script(routine, Options(side=side, strokes=strokes))
        found = grids(script)
        assert len(found) == sides * sum(p.strokes for p in routine.phases)
        for grid in found:
            assert len(grid.strokes) == strokes
            assert grid.steps[0].sound == ACCENT


KNEES = re.compile(r"knees? fall (?:slowly |gently )?(?:over )?(?:to|toward) (?:your|their) (right|left)")
SPOT = re.compile(r"on (?:the|their) (right|left)\b")
WORKED = re.compile(r"(?:your|their) (right|left) (psoas|iliacus|side|knee|hip)")


@pytest.mark.parametrize("name", sorted(ROUTINES))
@pytest.mark.parametrize("side", list(Side))
def test_side_words_name_the_worked_side_and_the_knees_fall_away_from_it(name, side):
    routine = ROUTINES[name].load()
    script = build_script(routine, Options(side=side))
    worked = {"right": ["right"], "left": ["left"], "both": ["right", "left"]}[side]
    seen = []
    for phase in script.phases:
        current = next((s for s in ("right", "left") if phase.title.endswith(f"{s} side")), None)
        for cue in phase.cues:
            texts = [cue.text] if isinstance(cue, Say) else cue.texts() if isinstance(cue, Grid) else []
            for text in texts:
                for match in KNEES.finditer(text):
                    assert current is not None and match.group(1) != current, (phase.title, text)
                for match in [*WORKED.finditer(text), *SPOT.finditer(text)]:
                    if current is not None:
                        assert match.group(1) == current, (phase.title, text)
        if current is not None:
            seen.append(current)
    assert list(dict.fromkeys(seen)) == worked


SIDE_LINES = {
    "psoas": "Slide toward your {side} hip, three finger-widths.",
    "iliacus": "Put your fingertips just inside the bony point at the front of your {side} hip.",
    "psoas-gentle": "Lift your {side} foot just off the mat, breathe out.",
    "psoas-partner": "Ask them to let both knees fall slowly to their {other}, only as far as is comfortable.",
}


@pytest.mark.parametrize("name", sorted(ROUTINES))
def test_each_routine_says_its_side_line_for_each_side(name):
    script = build_script(ROUTINES[name].load(), Options(side=Side.BOTH, guidance=Guidance.FULL))
    texts = script.texts()
    right = SIDE_LINES[name].format(side="right", other="left")
    left = SIDE_LINES[name].format(side="left", other="right")
    assert right in texts and left in texts
    assert texts.index(right) < texts.index(left)


@pytest.mark.parametrize("name", sorted(ROUTINES))
def test_guidance_levels_change_only_the_stroke_words(name):
    routine = ROUTINES[name].load()
    full, brief, minimal = (build_script(routine, Options(side=Side.RIGHT, strokes=7, guidance=g)) for g in Guidance)
    assert spoken_outside_grids(full) == spoken_outside_grids(brief) == spoken_outside_grids(minimal)
    every = routine.stroke.breath_every
    for phase, f, b, m in zip(
        [p for p in routine.phases if p.strokes], grids(full), grids(brief), grids(minimal), strict=True
    ):
        assert f.steps == b.steps == m.steps
        assert counts(f) == counts(b) == counts(m)  # every level counts
        assert [s.check_in for s in f.strokes] == [s.check_in for s in b.strokes] == [s.check_in for s in m.strokes]
        for n, (sf, sb, sm) in enumerate(zip(f.strokes, b.strokes, m.strokes, strict=True), start=1):
            assert sf.words == tuple(fill_step(step.cue) for step in phase.steps)
            breathing = (n - 1) % every == 0
            short = tuple(fill_step(step.breath if breathing and step.breath else step.short) for step in phase.steps)
            assert sb.words == (sf.words if n <= BRIEF_FULL_STROKES else short)  # brief: the first strokes in full
            assert sm.words == (None,) * len(phase.steps)


def test_brief_guidance_reminds_the_breath_every_third_stroke(psoas):
    grid = grids(build_script(psoas, Options(side=Side.RIGHT)))[0]
    cues = (
        "Down and in, breathe out.",
        "Slide toward your right hip, three finger-widths.",
        "Ease off, and glide back.",
    )
    assert [stroke.words for stroke in grid.strokes] == [
        cues if n <= 2 else ("Press, and breathe out." if n in (4, 7) else "Press.", "Slide.", "Release.")
        for n in range(1, 9)
    ]  # the first two strokes in full words (they say the breath too), then the short ones
    full = grids(build_script(psoas, Options(side=Side.RIGHT, guidance=Guidance.FULL)))[0]
    assert set(stroke.words for stroke in full.strokes) == {cues}


def fill_step(text):
    return text.format(side="right", other="left", strokes=6, sides="right side")


@pytest.mark.parametrize("name", sorted(ROUTINES))
def test_no_intro_skips_settling_in_and_safety_only(name):
    routine = ROUTINES[name].load()
    whole = build_script(routine, Options(side=Side.RIGHT))
    short = build_script(routine, Options(side=Side.RIGHT, intro=False))
    intro_titles = [p.title for p in routine.phases if p.intro]
    assert intro_titles
    assert [p.title for p in short.phases] == [p.title for p in whole.phases if p.title not in intro_titles]
    said = set(short.texts())
    assert not said & set(safety_lines(routine, "contraindications"))
    assert set(safety_lines(routine, "pulse")) <= said and set(safety_lines(routine, "stop", sided=True)) <= said
    assert not set(safety_lines(routine, "medical")) & said


def safety_lines(routine, rule, sided=None, shape=Shape.TEACH, tool=Tool.HANDS):
    """The texts of a routine's lines tagged with a safety rule in a session shape and with a tool, as said for the
    right side (sided: only those of the phases said for each side, or only those of the others)."""
    return [
        fill_step(line.text)
        for phase in (*routine.phases, routine.switch)
        if (sided is None or phase.each_side == sided) and shape in phase.shapes
        for line in phase.lines
        if rule in line.rules and shape in line.shapes and tool in line.tools
    ]


TOOLED = [(name, tool) for name in sorted(ROUTINES) for tool in sorted(ROUTINES[name].load().tools)]


@pytest.mark.parametrize(("name", "tool"), TOOLED)
def test_a_first_session_says_every_safety_rule_at_its_moment(name, tool):
    routine = ROUTINES[name].load()
    script = build_script(routine, Options(side=Side.RIGHT, tool=tool))
    texts = script.texts()
    rules = [rule for rule in SAFETY_RULES if tool is not Tool.HANDS or rule not in TOOL_RULES]
    tagged = {rule: safety_lines(routine, rule, tool=tool) for rule in rules}
    for rule, lines in tagged.items():
        assert lines, f"{name} has no line tagged {rule}"
        assert all(line in texts for line in lines), (rule, lines)
    # who should not do it comes before any pressure, in the first phase; stopping and the pulse before the strokes
    first = [c.text for c in script.phases[0].cues if isinstance(c, Say)]
    assert set(tagged["contraindications"]) <= set(first) and set(tagged["medical"]) <= set(first)
    before_strokes = texts[: texts.index(grids(script)[0].texts()[0])]
    for rule in ("pulse", "stop", "ache", *(TOOL_RULES if tool is not Tool.HANDS else ())):
        assert any(line in before_strokes for line in tagged[rule]), rule
    # the stop rule says stop, not ease off; a professional is named if the pain stays
    assert all("top" in line for line in tagged["stop"])
    assert any("doctor or physical therapist" in line for line in tagged["persists"])


@pytest.mark.parametrize("name", sorted(ROUTINES))
def test_refresh_says_the_safety_words_in_full_and_quick_keeps_the_pulse_and_stop_rules(name):
    routine = ROUTINES[name].load()
    refresh = build_script(routine, Options(side=Side.RIGHT, shape=Shape.REFRESH))
    said = refresh.texts()
    before_strokes = said[: said.index(grids(refresh)[0].texts()[0])]
    for rule in ("contraindications", "medical", "pulse", "stop"):
        lines = safety_lines(routine, rule, shape=Shape.REFRESH)
        assert lines and set(lines) <= set(said) and set(lines) & set(before_strokes), rule
    assert set(safety_lines(routine, "persists", shape=Shape.REFRESH)) <= set(said)
    quick = build_script(routine, Options(side=Side.RIGHT, shape=Shape.QUICK, short_intro=True))
    said = quick.texts()
    before_strokes = said[: said.index(grids(quick)[0].texts()[0])]
    for rule in ("pulse", "stop"):
        lines = safety_lines(routine, rule, shape=Shape.QUICK)
        assert lines and set(lines) <= set(said) and set(lines) & set(before_strokes), rule
        assert any(rule in line.rules for p in routine.phases for line in p.lines if Shape.QUICK in line.shapes)


@pytest.mark.parametrize("name", sorted(ROUTINES))
def test_the_summary_says_what_was_done(name):
    routine = ROUTINES[name].load()
    texts = build_script(routine, Options(side=Side.RIGHT)).texts()
    per_side = routine.stroke.default * sum(p.strokes for p in routine.phases)  # over every stroke phase of a side
    one = routine.summary.one_side.format(strokes=per_side, s="s", side="right", other="left", sides="")
    both = routine.summary.both_sides.format(strokes=per_side, s="s", sides="")
    assert one in texts and "left" in one
    assert both in build_script(routine, Options(side=Side.BOTH)).texts()


ONE_STROKE = {  # what each routine says for a count of one, where it says a count of strokes or lifts
    "psoas": ("Now the same 1.", "That was 1 stroke on each side. Well done."),
    "iliacus": ("Now the same 1.", "That was 1 stroke on each side. Well done."),
    "psoas-gentle": ("The same 1 lift, with your left foot.", "That was 1 foot lift on each side. Well done."),
    "psoas-partner": ("Then the same 1, with the ticks.", "That was 1 stroke on each side. Well done."),
}


@pytest.mark.parametrize("name", sorted(ROUTINES))
def test_one_stroke_is_said_as_one_and_not_as_strokes(name):
    routine = ROUTINES[name].load()
    per_side = sum(p.strokes for p in routine.phases)
    said = build_script(routine, Options(side=Side.BOTH, strokes=1, guidance=Guidance.FULL)).texts()
    again, summary = ONE_STROKE[name]
    assert any(text.endswith(again) for text in said)
    if per_side == 1:
        assert summary in said
    stopped = build_script(routine, Options(side=Side.RIGHT, done=(1,))).texts()  # a session ended after one stroke
    assert any(t.startswith("That was 1 stroke on ") or t.startswith("That was 1 foot lift on ") for t in stopped)
    assert not any(re.search(r"\b1 (foot )?(stroke|lift)s\b", t) for t in [*said, *stopped])
    eight = build_script(routine, Options(side=Side.RIGHT, strokes=8)).texts()
    noun = "foot lifts" if name == "psoas-gentle" else "strokes"
    assert any(t.startswith(f"That was {8 * per_side} {noun} on ") for t in eight)


UNEVEN = {  # each routine's closing when its sides had different counts: its own unit, and whose side it is
    "psoas": "That was {} stroke{} on your right side and {} on your left.",
    "iliacus": "That was {} stroke{} on your right side and {} on your left.",
    "psoas-gentle": "That was {} foot lift{} on your right side and {} on your left.",
    "psoas-partner": "That was {} stroke{} on their right side and {} on their left.",
}


@pytest.mark.parametrize("name", sorted(ROUTINES))
def test_a_closing_with_uneven_sides_names_the_routines_own_unit_and_whose_side(name):
    routine = ROUTINES[name].load()
    for right, s, left in ((1, "", 2), (3, "s", 1)):
        said = build_script(routine, Options(side=Side.BOTH, done=(right, left))).texts()
        assert UNEVEN[name].format(right, s, left) in said


def test_the_slide_is_never_rushed(psoas):
    slide = psoas.stroke.steps[1]
    for bpm in (20, 40, 60, 90, 120):
        grid = grids(build_script(psoas, Options(side=Side.RIGHT, strokes=1, bpm=bpm)))[0]
        slide_beats = grid.steps[1].beats
        assert slide_beats * 60 / bpm >= slide.min_seconds
        assert slide_beats == max(4, -(-4 * bpm // 60))


def test_partner_checks_in_every_three_strokes_but_not_after_the_last():
    routine = ROUTINES["psoas-partner"].load()
    thumbs = grids(build_script(routine, Options(side=Side.RIGHT, strokes=9, guidance=Guidance.MINIMAL)))[0]
    assert [(s.count, s.check_in) for s in thumbs.strokes] == [
        ("Stroke 1.", None),
        ("Stroke 2.", None),
        ("Stroke 3.", "Ask for a number, from zero to ten."),
        ("Stroke 4.", None),
        ("Stroke 5.", None),
        ("Stroke 6.", "Ask for a number, from zero to ten."),
        ("7 of 9.", None),
        ("Stroke 8.", None),
        ("Last stroke.", None),
    ]
    assert thumbs.answer_beats == 2


def test_the_partner_routine_gives_one_stroke_count_everywhere_and_no_elbow():
    routine = ROUTINES["psoas-partner"].load()
    assert routine.stroke.default == 8 and routine.stroke.recommended == (6, 12)
    for strokes, want in ((None, 8), (10, 10), (6, 6)):
        script = build_script(routine, Options(side=Side.RIGHT, strokes=strokes))
        (grid,) = grids(script)  # one stroke phase: the session does what --strokes and `coach list` say
        assert len(grid.strokes) == want
        assert f"That was {want} strokes on their right side. Another time, work their left side the same way." in (
            script.texts()
        )
    full = grids(build_script(routine, Options(side=Side.RIGHT, strokes=1, guidance=Guidance.FULL)))[0]
    assert full.strokes[0].words == (
        "Press in as they breathe out.",
        "Slide toward you, three finger-widths.",
        "Ease off, and glide back.",
    )
    said = " ".join(build_script(routine, Options(side=Side.BOTH)).texts())
    assert "never an elbow" in said and "your elbow" not in said
    assert "Ask them to breathe out" in said and "If they want no more depth, stay at that depth." in said


def test_the_step_sounds_mark_the_slide_and_the_release():
    for name in ("psoas", "iliacus", "psoas-partner"):
        for grid in grids(build_script(ROUTINES[name].load(), Options(side=Side.RIGHT, guidance=Guidance.MINIMAL))):
            assert [s.sound for s in grid.steps] == [ACCENT, RISE, FALL]
    gentle = grids(build_script(ROUTINES["psoas-gentle"].load(), Options(side=Side.RIGHT, guidance=Guidance.MINIMAL)))[
        0
    ]
    assert [(s.name, s.sound) for s in gentle.steps] == [
        ("sink in", ACCENT),
        ("foot up", RISE),
        ("lower", FALL),
        ("ease off", TICK),
    ]


def test_default_strokes_and_tempo_come_from_the_routine(psoas):
    script = build_script(psoas, Options(side=Side.LEFT))
    assert (script.strokes, script.tempo, script.bpm) == (8, "medium", 50)
    slow = build_script(psoas, Options(side=Side.LEFT, tempo=Tempo.SLOW))
    assert (slow.tempo, slow.bpm) == ("slow", 40)
    assert build_script(psoas, Options(side=Side.LEFT, bpm=72)).bpm == 72


def test_beats_a_minute_out_of_range_are_refused(mini):
    with pytest.raises(CoachError) as caught:
        build_script(mini, Options(side=Side.RIGHT, bpm=200))
    assert str(caught.value) == "200 beats a minute is out of range (20 to 120)."


def test_a_quick_session_of_a_routine_without_shapes_says_the_reminder_for_the_intros_safety_lines(mini):
    text = MINI.replace('title = "Start"', 'title = "Start"\nintro = true').replace(
        'lines = ["Hello, {sides}."]', 'lines = ["Hello, {sides}.", { text = "Careful now.", safety = true }]'
    )
    routine = parse_routine(
        text + '[program]\nsessions_per_day = 2\ndays = 3\nuntil = "it is fine"\nreminder = "Be gentle."\n',
        "mini.toml",
        "mini",
    )
    whole = build_script(routine, Options(side=Side.RIGHT, shape=Shape.TEACH)).phases[0]
    short = build_script(
        routine, Options(side=Side.RIGHT, shape=Shape.QUICK, short_intro=True, standing="Session 2 today.")
    ).phases[0]
    assert [c.text for c in whole.cues if isinstance(c, Say)] == ["Hello, right side.", "Careful now."]
    assert short.cues[:4] == (
        Sound(LEAD_IN, 2000), Say("Hello, right side.", 1000), Say("Session 2 today.", 500), Say("Be gentle.", 1000)
    )  # fmt: skip
