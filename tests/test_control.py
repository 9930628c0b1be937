"""The live-session controller: every key in every state, with exact commands and sample positions."""

from __future__ import annotations

import pytest
from test_timeline import lengths_for

from coach.control import Controller, End, Key, Play, Prompt, State, Stop, Where
from coach.kinds import Side
from coach.script import Options, build_script
from coach.timeline import SPEECH, build_timeline

RATE = 22050


@pytest.fixture
def timeline(mini):
    """The mini session with the lengths of test_timeline: speech at 44100, 112050, 170675, ...; phases at
    0, 112050, 170675 and 402500; accents at 226100 and 292250, each stroke's last step (its slide) a beat later, at
    248150 and 314300; 560850 samples in all."""
    script = build_script(mini, Options(Side.RIGHT))
    return build_timeline(script, lengths_for(script), RATE)


def at(seconds):
    return round(seconds * RATE)


def test_start_plays_from_the_beginning(timeline):
    c = Controller(timeline)
    assert c.start(10.0) == [Play(0)]
    assert (c.state, c.position(10.0), c.position(11.0)) == (State.PLAYING, 0, RATE)


def test_strokes_count_from_the_start_on_a_realistic_clock(timeline):
    # a monotonic clock reads large numbers: nothing may count as played before the session starts
    c = Controller(timeline)
    c.start(8_000_000.0)
    assert (c.position(8_000_000.0), c.strokes_done(8_000_000.0)) == (0, 0)
    assert c.strokes_done(8_000_000.0 + 248150 / RATE) == 0  # the first stroke's last step is starting
    assert c.strokes_done(8_000_000.0 + 248151 / RATE) == 1
    assert c.key(Key.QUIT, 8_000_000.0 + 12.0) == [Stop(), End(False)]
    assert (c.strokes_done(8_000_000.0 + 99.0), c.strokes_planned) == (1, 2)


def test_space_while_playing_pauses_and_resumes_at_the_start_of_the_interrupted_words(timeline):
    c = Controller(timeline)
    c.start(0.0)
    # 2.05 s in: "Hello, right side." (44100 to 45900) is being said
    assert c.key(Key.PAUSE, 2.05) == [Stop(), Prompt("paused")]
    assert (c.state, c.position(99.0)) == (State.PAUSED, 44100)


def test_space_between_words_resumes_right_where_it_was(timeline):
    c = Controller(timeline)
    c.start(0.0)
    assert c.key(Key.PAUSE, 3.0) == [Stop(), Prompt("paused")]
    assert c.position(50.0) == at(3.0)


def test_space_while_paused_counts_down_then_plays(timeline):
    c = Controller(timeline)
    c.start(0.0)
    c.key(Key.PAUSE, 2.05)
    assert c.key(Key.PAUSE, 20.0) == [Prompt("countdown")]
    assert c.state == State.COUNTDOWN
    assert c.tick(22.9, sounding=True) == []
    assert c.tick(23.0, sounding=False) == [Play(44100)]
    assert (c.state, c.position(24.0)) == (State.PLAYING, 44100 + RATE)


def test_space_during_the_countdown_pauses_again(timeline):
    c = Controller(timeline)
    c.start(0.0)
    c.key(Key.PAUSE, 2.05)
    c.key(Key.PAUSE, 20.0)
    assert c.key(Key.PAUSE, 21.0) == [Stop(), Prompt("paused")]
    assert (c.state, c.position(30.0)) == (State.PAUSED, 44100)
    assert c.tick(24.0, sounding=False) == []  # the countdown no longer runs


def test_r_repeats_the_last_words(timeline):
    c = Controller(timeline)
    c.start(0.0)
    assert c.key(Key.REPEAT, 4.0) == [Play(44100)]  # between words: the last ones said
    assert c.position(4.5) == 44100 + at(0.5)
    assert c.key(Key.REPEAT, 4.5) == [Play(44100)]
    assert Controller(timeline).key(Key.REPEAT, 0.5) == [Play(0)]  # before any words: from the start


def test_r_is_ignored_while_paused_or_counting_down(timeline):
    c = Controller(timeline)
    c.start(0.0)
    c.key(Key.PAUSE, 3.0)
    assert c.key(Key.REPEAT, 4.0) == []
    c.key(Key.PAUSE, 5.0)
    assert c.key(Key.REPEAT, 6.0) == []
    assert c.state == State.COUNTDOWN


def test_n_skips_to_the_next_phase(timeline):
    c = Controller(timeline)
    c.start(0.0)
    assert c.key(Key.NEXT, 1.0) == [Play(112050)]
    assert c.key(Key.NEXT, 1.0) == [Play(170675)]
    assert c.key(Key.NEXT, 1.0) == [Play(402500)]
    assert c.key(Key.NEXT, 1.0) == [Stop(), End(False)]  # past the last phase: the session ends, not finished
    assert (c.state, c.finished) == (State.ENDED, False)


def test_n_while_paused_moves_where_it_will_resume(timeline):
    c = Controller(timeline)
    c.start(0.0)
    c.key(Key.PAUSE, 2.05)
    assert c.key(Key.NEXT, 10.0) == []
    assert (c.state, c.position(11.0)) == (State.PAUSED, 112050)
    c.key(Key.PAUSE, 12.0)
    assert c.tick(15.0, sounding=False) == [Play(112050)]


def test_b_goes_back_a_phase(timeline):
    c = Controller(timeline)
    c.start(0.0)
    assert c.key(Key.BACK, 1.0) == []  # in the first phase there is none to go back to
    assert (c.state, c.position(1.0)) == (State.PLAYING, RATE)
    c.key(Key.NEXT, 1.0)
    c.key(Key.NEXT, 1.0)  # playing the strokes phase from 170675
    assert c.key(Key.BACK, 3.0) == [Play(112050)]  # two seconds in: back to the phase before, "Place, right"
    assert c.key(Key.BACK, 3.0) == [Play(0)]
    assert c.key(Key.NEXT, 4.0) == [Play(112050)]  # and n forward again
    assert c.key(Key.BACK, 4.0) == [Play(0)]  # from the very start of a phase, the phase before it


def test_b_while_paused_or_counting_down_moves_where_it_will_resume(timeline):
    c = Controller(timeline)
    c.start(0.0)
    c.key(Key.NEXT, 1.0)
    c.key(Key.NEXT, 1.0)
    c.key(Key.PAUSE, 5.0)  # paused in the strokes phase
    assert c.key(Key.BACK, 6.0) == []
    assert (c.state, c.position(7.0)) == (State.PAUSED, 112050)
    c.key(Key.PAUSE, 8.0)  # the countdown
    assert c.key(Key.BACK, 9.0) == []
    assert (c.state, c.position(9.0)) == (State.COUNTDOWN, 0)
    assert c.tick(11.0, sounding=False) == [Play(0)]


def test_where_tells_the_phase_the_stroke_and_the_position(timeline):
    c = Controller(timeline)
    c.start(8_000_000.0)
    assert c.where(8_000_001.0) == Where(State.PLAYING, RATE, 560850, RATE, 0, 4, "Start", 0, 0)
    c.key(Key.NEXT, 8_000_001.0)
    c.key(Key.NEXT, 8_000_001.0)  # the strokes phase, 170675 to 402500, accents at 226100 and 292250
    assert c.where(8_000_001.0) == Where(State.PLAYING, 170675, 560850, RATE, 2, 4, "Work, right", 1, 2)
    assert c.where(8_000_001.0).can_go_back
    assert c.where(8_000_001.0 + (292250 - 170675) / RATE).stroke == 2
    c.key(Key.PAUSE, 8_000_002.0)
    assert c.where(8_000_009.0) == Where(State.PAUSED, 170675 + RATE, 560850, RATE, 2, 4, "Work, right", 1, 2)
    c.key(Key.QUIT, 8_000_010.0)
    assert c.where(8_000_011.0).state == State.ENDED and not c.where(8_000_011.0).can_go_back


def test_q_ends_in_every_state(timeline):
    for keys in ([], [Key.PAUSE], [Key.PAUSE, Key.PAUSE]):
        c = Controller(timeline)
        c.start(0.0)
        for key in keys:
            c.key(key, 3.0)
        assert c.key(Key.QUIT, 4.0) == [Stop(), End(False)]
        assert (c.state, c.finished) == (State.ENDED, False)
        assert (
            c.key(Key.PAUSE, 5.0) == c.key(Key.NEXT, 5.0) == c.key(Key.BACK, 5.0) == c.key(Key.QUIT, 5.0) == []
        )  # nothing after the end


def test_other_keys_are_no_keys_and_either_case_is_a_key():
    assert Key.typed("x\nN q?R") == [Key.NEXT, Key.PAUSE, Key.QUIT, Key.REPEAT]


def test_the_end_of_the_sound_finishes_the_session_and_counts_every_stroke(timeline):
    c = Controller(timeline)
    c.start(0.0)
    assert c.tick(5.0, sounding=True) == []
    assert c.tick(25.5, sounding=False) == [End(True)]
    assert (c.state, c.finished, c.strokes_done(26.0), c.strokes_planned) == (State.ENDED, True, 2, 2)
    assert c.position(30.0) == timeline.length


def test_strokes_done_count_only_the_strokes_played(timeline):
    c = Controller(timeline)
    c.start(0.0)
    c.key(Key.NEXT, 1.0)
    c.key(Key.NEXT, 1.0)  # to the strokes phase, at 170675
    assert c.strokes_done(5.0) == 1  # 170675 + 4 s passes the first slide at 248150, not the second at 314300
    c.key(Key.QUIT, 5.0)
    assert c.strokes_done(20.0) == 1


def test_a_stroke_counts_once_its_slide_is_reached_not_at_its_accent(timeline):
    c = Controller(timeline)
    c.start(8_000_000.0)
    c.key(Key.NEXT, 8_000_000.0)
    c.key(Key.NEXT, 8_000_000.0)  # to the strokes phase, at 170675
    pressing = 8_000_000.0 + (226100 + 1000 - 170675) / RATE  # the first press has begun, its slide not yet
    assert (c.strokes_done(pressing), c.done_by_side(pressing), c.expected_by_side(pressing)) == (0, (0,), (2,))
    assert c.key(Key.QUIT, pressing) == [Stop(), End(False)]
    assert (c.strokes_done(pressing + 60), c.done(pressing + 60)) == (0, ())


def test_strokes_by_side_and_what_is_left_to_play(mini):
    script = build_script(mini, Options(Side.BOTH))
    both = build_timeline(script, lengths_for(script), RATE)
    marks = [mark.done for mark in both.strokes]
    assert [mark.grid for mark in both.strokes] == [0, 0, 1, 1]
    c = Controller(both)
    c.start(8_000_000.0)
    after_first = 8_000_000.0 + (marks[0] + 1) / RATE
    assert (c.done_by_side(after_first), c.expected_by_side(after_first)) == ((1, 0), (2, 2))
    c.key(Key.NEXT, after_first)  # past the second stroke of the right side: to the switch
    assert (c.done_by_side(after_first), c.expected_by_side(after_first)) == ((1, 0), (1, 2))
    assert c.done(after_first) == (0,)


def test_a_session_continued_keeps_its_strokes_and_starts_where_asked(timeline):
    c = Controller(timeline, done=[0, 5])  # a stroke index the session does not have is dropped
    assert c.start(8_000_000.0, at=170675) == [Play(170675)]
    assert (c.position(8_000_000.0), c.done(8_000_000.0), c.phase_index(8_000_000.0)) == (170675, (0,), 2)
    assert c.tick(8_000_100.0, sounding=False) == [End(True)]
    assert c.done(8_000_100.0) == (0, 1)


def test_status_line_names_the_phase_the_stroke_and_the_time(timeline):
    c = Controller(timeline)
    c.start(0.0)
    assert c.status(1.0) == "Mini | right side | Start | 0:01 / -0:24"
    c.key(Key.NEXT, 1.0)
    c.key(Key.NEXT, 1.0)
    assert c.status(4.0) == "Mini | right side | Work, right | stroke 1 of 2 | 0:11 / -0:15"
    assert c.status(7.0) == "Mini | right side | Work, right | stroke 2 of 2 | 0:14 / -0:12"
    c.key(Key.PAUSE, 7.0)
    assert c.status(7.0).endswith("| paused, space resumes")
    c.key(Key.PAUSE, 8.0)
    assert c.status(9.0).endswith("| get ready")


def test_pause_positions_use_the_speech_events(timeline):
    speech = [e for e in timeline.events if e.kind == SPEECH]
    c = Controller(timeline)
    c.start(0.0)
    word = speech[3]  # "Stroke 1. Press in." at 226100
    c.key(Key.NEXT, 0.0)
    c.key(Key.NEXT, 0.0)  # playing from 170675
    inside = (word.start + 100 - 170675) / RATE
    c.key(Key.PAUSE, inside)
    assert c.position(inside) == word.start


def test_the_terminal_is_restored_on_every_way_out(monkeypatch):
    import os
    import pty
    import select
    import sys
    import termios

    from coach.live import terminal_keys

    leader, follower = pty.openpty()
    with os.fdopen(follower, "r") as terminal:
        monkeypatch.setattr(sys, "stdin", terminal)
        before = termios.tcgetattr(follower)
        for failure in (None, KeyboardInterrupt, RuntimeError):
            try:
                with terminal_keys() as keys:
                    assert termios.tcgetattr(follower)[3] & termios.ICANON == 0  # keys come without Enter
                    os.write(leader, b" rq")
                    select.select([follower], [], [], 5)  # the pty hands bytes over on its own thread
                    got = keys.read()
                    while len(got) < 3 and select.select([follower], [], [], 5)[0]:
                        got += keys.read()
                    assert got == " rq"
                    if failure is not None:
                        raise failure
            except (KeyboardInterrupt, RuntimeError):
                pass
            assert termios.tcgetattr(follower) == before
    os.close(leader)


def test_while_the_player_waits_for_speech_the_position_stays_and_no_stroke_counts(timeline):
    c = Controller(timeline)
    c.start(8_000_000.0)
    c.follow(44100, 8_000_010.0)  # waiting at the first words, 8 s after they were due
    assert c.position(8_000_010.0) == 44100
    assert c.position(8_000_011.0) == 44100 + RATE
    c.follow(226100, 8_000_030.0)  # waiting at the first stroke's accent: it has not played yet
    assert c.strokes_done(8_000_030.0) == 0
    assert c.strokes_done(8_000_030.0 + 1 / RATE * 2) == 0  # its accent has played, its slide not yet
    assert c.strokes_done(8_000_031.0 + 1 / RATE * 2) == 1  # a beat later: the slide (248150) is reached


def test_a_skip_beyond_the_horizon_follows_its_phase_when_the_session_is_known_further(mini):
    script = build_script(mini, Options(Side.RIGHT))
    knees = "Knees to your left, for your right."
    estimate = lengths_for(script, overrides={(SPEECH, knees): 9999})
    guess = build_timeline(script, estimate, RATE, {knees})
    c = Controller(guess)
    c.start(0.0)
    c.key(Key.NEXT, 1.0)
    skipped = c.key(Key.NEXT, 1.0)
    assert skipped == [Play(guess.phases[2].start)] and guess.phases[2].start != 170675
    # the phase is laid out the same from its start: it plays on where it is, moved with its phase (no new Play)
    assert c.replace(build_timeline(script, lengths_for(script), RATE)) == 170675 - guess.phases[2].start
    assert (c.state, c.position(1.0)) == (State.PLAYING, 170675)
    assert c.replace(build_timeline(script, lengths_for(script), RATE)) == 0  # nothing moved this time


def test_the_position_follows_the_player_and_strokes_count_from_what_was_heard(timeline):
    """The player says where the listener is (the audio actually heard); the clock only carries it on until the
    player next says. Late audio, a wait in silence, or a player that jumps: the position is the player's."""
    c = Controller(timeline)
    c.start(8_000_000.0)
    c.follow(0, 8_000_000.5)  # half a second in, nothing heard yet (a late start)
    assert c.position(8_000_000.5) == 0
    assert c.position(8_000_000.6) == at(0.1)  # on by the clock from there
    c.follow(226000, 8_000_012.0)  # just before the first stroke's accent
    assert (c.position(8_000_012.0), c.strokes_done(8_000_012.0)) == (226000, 0)
    c.follow(226100, 8_000_013.0)  # the player held still for a second: the accent has not been heard
    assert (c.position(8_000_013.0), c.strokes_done(8_000_013.0)) == (226100, 0)
    c.follow(226101, 8_000_013.01)
    assert c.strokes_done(8_000_013.01) == 0  # the accent is heard; the stroke counts once its slide is
    assert c.where(8_000_013.01).stroke == 1
    c.follow(248151, 8_000_014.01)  # the first stroke's last step (its slide, in mini) has begun
    assert c.strokes_done(8_000_014.01) == 1
    # paused, the player's position means nothing to the controller: it resumes at the words' start
    c.key(Key.PAUSE, 8_000_014.0)
    c.follow(999, 8_000_014.5)
    assert (c.state, c.position(8_000_020.0)) == (State.PAUSED, c.position(8_000_014.0))


def test_a_session_continues_at_its_first_stroke_not_done_from_its_count(timeline):
    from coach.control import resume_point

    work = timeline.phases[2]
    second_accent = timeline.grids[0].accents[1]
    count = next(e for e in timeline.events if e.kind == SPEECH and e.name == "Last, 2.")
    assert count.end <= second_accent
    assert resume_point(timeline, 2, {0}) == count.start  # the first stroke was done: from the second's count
    assert resume_point(timeline, 2, set()) == work.start  # none done there: the phase from its start
    assert resume_point(timeline, 2, {0, 1}) == work.start  # all done (stopped in its closing words)
    assert resume_point(timeline, 1, {0}) == timeline.phases[1].start  # a phase without strokes
    assert resume_point(timeline, 99, set()) == timeline.phases[-1].start


def test_a_pause_inside_a_stroke_resumes_the_stroke_from_its_accent(timeline):
    grid = timeline.grids[0]
    first = grid.accents[0]
    c = Controller(timeline)
    c.start(8_000_000.0, at=first)
    mid_slide = 8_000_000.0 + (grid.step_starts(first, RATE)[1] - first + RATE // 2) / RATE
    assert c.key(Key.PAUSE, mid_slide) == [Stop(), Prompt("paused")]
    assert c.position(mid_slide + 5) == first  # from the accent: "Press." again, then the slide
    c.key(Key.PAUSE, mid_slide + 5)
    assert c.tick(mid_slide + 8, sounding=False) == [Play(first)]
    assert c.done(mid_slide + 8) == (0,)  # its slide had been reached: counted once, however often it plays


def test_a_run_of_commands_comes_to_the_last_that_sets_what_is_heard():
    from coach.control import last_sound

    burst = [Stop(), Prompt("paused"), Prompt("countdown"), Stop(), Prompt("paused"), Prompt("countdown")]
    assert last_sound(burst) == [Prompt("countdown")]
    assert last_sound([Play(10), Stop(), End(False)]) == [Stop()]  # q after n: silence, and the end
    assert last_sound([End(True)]) == last_sound([]) == []
