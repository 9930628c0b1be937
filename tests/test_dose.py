"""Tenderness acted on, each side on its own: a rise of 3 or more over the day before's, or a 7, makes the next
sessions lighter (the routine's fewest advised strokes, its gentler line, when the full dose returns, and the
advice to see a doctor or physical therapist if it stays or gets worse) until a note falls back; exact lines and
stroke counts, in the plan and in the script built from it."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from coach.catalog import builtin_sources
from coach.dose import Dose, Lighter, dose
from coach.kinds import Shape, Side
from coach.program import Entry, history_text, plan_session
from coach.script import Grid, Options, Say, build_script

TODAY = date(2026, 11, 21)
ADVICE = "If it stays or gets worse, see a doctor or physical therapist."
GENTLER = "Press more gently this time: only as deep as it takes to feel the muscle, at two or three out of ten."


def noted(side: str, day: int, hour: int, tender: int | None, routine: str = "psoas") -> Entry:
    sides = len(Side(side).sides)
    return Entry(
        routine=routine, side=Side(side), started=datetime(2026, 11, day, hour), strokes_done=8 * sides,
        strokes_planned=8 * sides, status="finished", tenderness=tender, done_by_side=(8,) * sides, least=6,
    )  # fmt: skip


@pytest.fixture(scope="module")
def routines():
    return {source.name: source.load() for source in builtin_sources()}


def said(routine, plan) -> tuple[list[str], int]:
    """The session's lines from its program line on, up to its strokes, and its strokes a side, as the script
    built from the plan says them (the routine's default strokes where the plan leaves them)."""
    options = Options(side=plan.side, strokes=plan.strokes, standing=plan.standing, advice=plan.advice,
                      shape=plan.shape, short_intro=plan.short_intro)  # fmt: skip
    script = build_script(routine, options)
    lines = [cue.text for phase in script.phases for cue in phase.cues if isinstance(cue, Say)]
    grid = next(cue for phase in script.phases for cue in phase.cues if isinstance(cue, Grid))
    return lines[lines.index(plan.standing) : lines.index(plan.standing) + 1 + len(plan.advice)], len(grid.strokes)


def test_a_rise_of_3_over_the_day_before_makes_the_next_sessions_lighter_until_it_falls_back(routines):
    psoas = routines["psoas"]
    log = [noted("right", 20, 9, 2), noted("right", 21, 9, 5)]  # 2 yesterday, 5 today: a rise of 3
    plan = plan_session(log, psoas, "right", TODAY, announce=True)
    assert said(psoas, plan) == (
        [
            "Session 2 of 6 on your right side, day 2 of 14.",
            "Your right side's tenderness rose from 2 to 5, so this session is lighter: 6 strokes instead of 8.",
            GENTLER,
            f"The full dose comes back once it is 4 or less. {ADVICE}",
        ],
        6,
    )
    log.append(noted("right", 21, 11, 5))  # the lighter session, still 5: it stays lighter, and says so again
    assert plan_session(log, psoas, "right", TODAY, announce=True).strokes == 6
    log.append(noted("right", 21, 13, 4))  # back to 4: the full dose returns, and the next session says so
    back = plan_session(log, psoas, "right", TODAY, announce=True)
    assert said(psoas, back) == (
        [
            "Session 4 of 6 on your right side, day 2 of 14.",
            "Your right side's tenderness is back down to 4, so the full dose is back.",
        ],
        8,
    )
    log.append(noted("right", 21, 15, None))  # a session since, with no answer: nothing more is said
    assert plan_session(log, psoas, "right", TODAY, announce=True).advice == ()


def test_reaching_7_makes_it_lighter_and_it_returns_under_7_when_no_rise_came_first(routines):
    psoas = routines["psoas"]
    log = [noted("left", 20, 9, 5), noted("left", 21, 9, 7)]  # up by 2 only, but at 7
    plan = plan_session(log, psoas, "left", TODAY, announce=True)
    assert plan.advice == (
        "Your left side was tender at 7, so this session is lighter: 6 strokes instead of 8.",
        GENTLER,
        f"The full dose comes back once it is 6 or less. {ADVICE}",
    )
    assert dose(log, "psoas", Side.LEFT, TODAY) == Dose(
        side=Side.LEFT, lighter=Lighter(side=Side.LEFT, tenderness=7, before=None, limit=6)
    )
    log.append(noted("left", 22, 9, 8))  # worse the next day: still lighter, and says the new number
    assert plan_session(log, psoas, "left", date(2026, 11, 22), announce=True).advice[0] == (
        "Your left side was tender at 8, so this session is lighter: 6 strokes instead of 8."
    )
    log.append(noted("left", 22, 12, 6))
    assert plan_session(log, psoas, "left", date(2026, 11, 22), announce=True).advice == (
        "Your left side's tenderness is back down to 6, so the full dose is back.",
    )


@pytest.mark.parametrize(
    ("notes", "lighter"),
    [
        ([(20, 2), (21, 4)], None),  # a rise of 2
        ([(20, 3), (21, 6)], Lighter(side=Side.RIGHT, tenderness=6, before=3, limit=5)),
        ([(19, 1), (21, 4)], Lighter(side=Side.RIGHT, tenderness=4, before=1, limit=3)),  # the last day with a note
        ([(21, 1), (21, 4)], None),  # within a day: no day before
        ([(21, 7)], Lighter(side=Side.RIGHT, tenderness=7, before=None, limit=6)),  # a first note of 7
        ([(20, 9), (21, 7)], Lighter(side=Side.RIGHT, tenderness=7, before=None, limit=6)),  # down from 9: 7 still
        ([(20, 2), (21, 5), (21, 4)], None),  # back to 4, at most 2 over the 2 before the rise
        ([(20, 2), (21, 5), (22, 5)], Lighter(side=Side.RIGHT, tenderness=5, before=2, limit=4)),  # stays: lighter
        ([(20, 2), (21, 9), (22, 6)], Lighter(side=Side.RIGHT, tenderness=6, before=2, limit=4)),  # 6 is not back
    ],
)
def test_the_rule_by_each_note(notes, lighter):
    log = [noted("right", day, 9 + n, value) for n, (day, value) in enumerate(notes)]
    assert dose(log, "psoas", Side.RIGHT, date(2026, 11, 22)).lighter == lighter


def test_both_sides_are_judged_separately(routines):
    psoas = routines["psoas"]
    log = [noted("both", 20, 9, 2), noted("left", 21, 8, 2), noted("right", 21, 9, 6)]  # the right rose by 4
    assert plan_session(log, psoas, "left", TODAY, announce=True).advice == ()  # the left goes on as it was
    both = plan_session(log, psoas, "both", TODAY, announce=True)
    assert said(psoas, both) == (
        [
            "Session 2 of 6 on each side, day 2 of 14.",
            "Your right side's tenderness rose from 2 to 6, so this session is lighter: 6 strokes instead of 8.",
            GENTLER,
            f"The full dose comes back once it is 4 or less. {ADVICE}",
        ],
        6,
    )  # one session on both sides has one count of strokes: the lighter one, for both
    log.append(noted("left", 21, 10, 9))
    assert plan_session(log, psoas, "both", TODAY, announce=True).advice[0::2] == (
        "Your right side's tenderness rose from 2 to 6 and your left side's tenderness rose from 2 to 9, so this "
        "session is lighter: 6 strokes instead of 8.",
        "The full dose comes back once the right side is at 4 or less, and the left at 4 or less. " + ADVICE,
    )
    assert history_text(log, {"psoas": psoas.program}).splitlines()[-2:] == [
        "  The right side's sessions are lighter: its tenderness rose from 2 to 6; the full dose returns once it is "
        "4 or less.",
        "  The left side's sessions are lighter: its tenderness rose from 2 to 9; the full dose returns once it is "
        "4 or less.",
    ]


def test_strokes_asked_for_stay_and_a_routine_at_its_fewest_keeps_its_strokes(routines):
    log = [noted("right", 20, 9, 1, "psoas-gentle"), noted("right", 21, 9, 7, "psoas-gentle")]
    gentle = plan_session(log, routines["psoas-gentle"], "right", TODAY, announce=True)
    assert (gentle.strokes, gentle.advice[:2]) == (
        None,
        (
            "Your right side's tenderness rose from 1 to 7, so this session is lighter.",
            "Keep the pressure very light this time: your hands resting on the muscle, at two out of ten at most.",
        ),
    )  # 6 strokes a side already, the fewest advised: the pressure is what is lighter
    log = [noted("right", 20, 9, 1), noted("right", 21, 9, 7)]
    asked = plan_session(log, routines["psoas"], "right", TODAY, announce=True, strokes=10)
    assert (asked.strokes, asked.advice[0]) == (
        None, "Your right side's tenderness rose from 1 to 7, so this session is lighter."
    )  # fmt: skip
    from coach.choices import SessionChoices
    from coach.kinds import Guidance
    from coach.practice import Request, begin

    for given, strokes in ((10, 10), (None, 6)):
        choices = SessionChoices(strokes=given, tempo=None, bpm=None, guidance=Guidance.BRIEF, intro=True)
        request = Request(routine=routines["psoas"], side=Side.RIGHT, session=choices)
        planned = begin(log, request, TODAY, logged=True).plan
        assert request.options(planned).strokes == strokes  # --strokes 10 is the user's to choose


def test_a_file_or_a_script_is_never_lighter(routines):
    log = [noted("right", 20, 9, 1), noted("right", 21, 9, 7)]
    plan = plan_session(log, routines["psoas"], "right", TODAY, announce=False)
    assert (plan.strokes, plan.advice, plan.standing) == (None, (), None)
    assert plan.shape == Shape.TEACH


def test_coach_log_says_what_a_note_means_for_the_next_sessions():
    from conftest import FakeClock, deps, run_cli

    def note(day: int, value: int) -> str:
        clock = FakeClock(datetime(2026, 11, day, 20)).clock()
        result = run_cli("log", "psoas", "--side", "right", "--tenderness", str(value), deps=deps(clock=clock))
        assert result.exit_code == 0, result.output
        return result.stdout

    assert note(20, 2) == "Recorded tenderness 2 for psoas, right side (today, on its own).\n"
    assert note(21, 6) == (
        "Recorded tenderness 6 for psoas, right side (today, on its own).\n"
        "The next sessions on your right side are lighter (6 strokes) until its tenderness is 4 or less. If it stays "
        "or gets worse, see a doctor or physical therapist.\n"
    )
    assert note(22, 4) == (
        "Recorded tenderness 4 for psoas, right side (today, on its own).\n"
        "Your right side's tenderness is back down: the full dose again from the next session.\n"
    )


def test_one_stroke_is_said_as_one(mini):
    from dataclasses import replace

    from coach.routine import Program

    routine = replace(mini, program=Program(sessions_per_day=2, days=3, until="it is fine", reminder="Be gentle."))
    log = [noted("right", 21, 9, 7, "mini")]  # mini: 2 strokes a side, 1 to 3 advised
    assert plan_session(log, routine, "right", TODAY, announce=True).advice[0] == (
        "Your right side was tender at 7, so this session is lighter: 1 stroke instead of 2."
    )
