"""The command line, compared as exact output. Speech comes from a pre-filled cache, so no engine runs here."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import MINI, deps, fill_cache, install_routine, run_cli

from coach.cli.deps import buffers
from coach.kinds import Guidance, Side
from coach.routine import parse_routine
from coach.script import Options, build_script


@pytest.fixture
def mini_cli(tmp_path):
    """The mini routine installed in the config dir, with its speech in the cache."""
    install_routine(tmp_path)
    return tmp_path


run = run_cli


SCRIPT_RIGHT = """\
Mini, right side: 2 strokes a side at 60 beats a minute (medium), brief guidance, 0:25 in all.

00:00.0  # Start
00:02.0  Hello, right side.
00:03.1  (chime)
00:05.1  # Place, right
00:05.1  Knees to your left, for your right.
00:05.7  (chime)
00:07.7  # Work, right
00:07.7  Go.
00:09.3  (2 strokes of 3 beats at 60 a minute, 3.0 s each: press 1, slide 2)
00:10.0  Stroke 1.
00:10.3  Press in.
00:11.3  Slide away.
00:13.0  Last, 2.
00:13.3  Press in.
00:14.3  Slide away.
00:16.3  (chime)
00:18.3  # End
00:18.3  Did 2 on your right; now your left.
00:20.4  Done.
00:21.9  (chime)
00:25.4  (end)
"""


def test_script_prints_the_timed_session(mini_cli):
    result = run("mini", "--side", "right", "--script")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == SCRIPT_RIGHT


def test_script_json_gives_the_timeline_in_seconds(mini_cli):
    result = run("mini", "--side", "right", "--script", "--json")
    data = json.loads(result.stdout)
    keys = ("routine", "side", "strokes", "tempo", "bpm", "guidance", "sample_rate", "duration")
    assert {k: data[k] for k in keys} == {
        "routine": "mini",
        "side": "right",
        "strokes": 2,
        "tempo": "medium",
        "bpm": 60,
        "guidance": "brief",
        "sample_rate": 22050,
        "duration": 25.435374,
    }
    assert [p["title"] for p in data["phases"]] == ["Start", "Place, right", "Work, right", "End"]
    assert data["phases"][0] == {"title": "Start", "start": 0.0, "end": 5.081633}
    assert data["events"][:3] == [
        {"start": 0.0, "duration": 2.0, "kind": "sound", "sound": "lead-in", "pan": [0.0, 0.0]},
        {"start": 2.0, "duration": 0.081633, "kind": "speech", "text": "Hello, right side.", "pan": [0.0, 0.0]},
        {"start": 3.081633, "duration": 2.0, "kind": "sound", "sound": "chime", "pan": [0.0, 0.0]},
    ]
    # each event's placement in stereo: the right side's beats from the right
    assert {tuple(e["pan"]) for e in data["events"] if e.get("sound") in ("tick", "accent")} == {(0.6, 0.6)}
    ticks = [e["start"] for e in data["events"] if e.get("sound") in ("tick", "accent")]
    assert ticks == [9.253968, 10.253968, 11.253968, 12.253968, 13.253968, 14.253968, 15.253968]
    assert data["grids"] == [
        {
            "start": 9.253968,
            "end": 16.253968,
            "bpm": 60,
            "count_in": 1,
            "steps": [{"name": "press", "beats": 1}, {"name": "slide", "beats": 2}],
            "stroke": 3.0,
            "accents": [10.253968, 13.253968],
        }
    ]
    counts = [e for e in data["events"] if e.get("text") in ("Stroke 1.", "Last, 2.")]
    ends = [e["start"] + e["duration"] + 5513 / 22050 for e in counts]  # each count ends the gap before its accent
    assert ends == pytest.approx([10.253968, 13.253968], abs=2e-6)


def test_list_shows_each_routine_on_one_line(mini_cli):
    result = run("list")
    assert result.stdout == (
        "iliacus         Iliacus release (8 strokes a side, 6-12 advised)\n"
        "mini            Mini (2 strokes a side, 1-3 advised)\n"
        "psoas           Psoas release (8 strokes a side, 6-12 advised)\n"
        "psoas-gentle    Gentle psoas (6 strokes a side, 6-12 advised)\n"
        "psoas-partner   Psoas with a partner (8 strokes a side, 6-12 advised)\n"
    )


def test_a_broken_user_routine_is_listed_with_its_problem(tmp_path):
    folder = tmp_path / "config" / "routines"
    folder.mkdir(parents=True)
    (folder / "broken.toml").write_text(MINI.replace("beats = 2", 'beats = "two"'))
    assert run("list").stdout.splitlines()[0] == (
        f"broken          (cannot be loaded: {folder / 'broken.toml'}, line 24: strokes.steps[1].beats: "
        "expected a whole number, found text)"
    )
    result = run("broken", "--side", "left")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {folder / 'broken.toml'}, line 24: strokes.steps[1].beats: expected a whole number, found text\n"
    )


def test_a_routine_file_given_by_path_is_a_command(tmp_path):
    path = tmp_path / "my-routine.toml"
    path.write_text(MINI.replace('title = "Mini"', 'title = "Mine"'))
    routine = parse_routine(path.read_text(), str(path), "my-routine")
    fill_cache(tmp_path / "cache", build_script(routine, Options(side=Side.LEFT)).texts())
    result = run(str(path), "--side", "left", "--script")
    assert result.exit_code == 0
    assert (
        result.stdout.splitlines()[0]
        == "Mine, left side: 2 strokes a side at 60 beats a minute (medium), brief guidance, 0:25 in all."
    )


def test_one_stroke_is_one_stroke_in_what_is_printed_and_said(tmp_path):
    """A user routine may write {s} after {strokes}; the session line agrees with the count too."""
    path = tmp_path / "one.toml"
    path.write_text(MINI.replace('"Did {strokes} a side."', '"That was {strokes} stroke{s} on each side."'))
    routine = parse_routine(path.read_text(), str(path), "one")
    fill_cache(tmp_path / "cache", build_script(routine, Options(side=Side.BOTH, strokes=1)).texts())
    result = run(str(path), "--side", "both", "--strokes", "1", "--script")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Mini, both sides: 1 stroke a side at 60 beats a minute (medium), brief guidance, 0:36 in all."
    assert any(line.endswith("  That was 1 stroke on each side.") for line in lines), lines


def test_unknown_routine(mini_cli):
    result = run("nosuch", "--side", "right")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: No routine or command named 'nosuch'. Routines: iliacus, mini, psoas, psoas-gentle, psoas-partner. "
        "See 'coach list'.\n"
    )


def test_missing_side(mini_cli):
    result = run("mini")
    assert result.exit_code == 2
    assert result.stderr == (
        "Usage: coach mini [OPTIONS]\nTry 'coach mini --help' for help.\n\n"
        "Error: Missing option '--side': choose right, left, both or auto.\n"
    )


def test_json_needs_script(mini_cli):
    result = run("mini", "--side", "right", "--json")
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: --json goes with --script.\n")


def test_a_bad_output_name_is_refused_before_any_work(mini_cli):
    result = run("mini", "--side", "right", "-o", str(mini_cli / "x.aac"))
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: Cannot write x.aac: the file name must end in .mp3, .wav, .flac or .ogg.\n",
    )


def test_ctrl_c_during_export_leaves_nothing(mini_cli, monkeypatch):
    import coach.output.export

    def interrupted(*args, **kwargs):
        yield np.zeros(100, dtype=np.int16)
        raise KeyboardInterrupt

    monkeypatch.setattr(coach.output.export, "render", interrupted)
    out = mini_cli / "out"
    out.mkdir()
    result = run("mini", "--side", "right", "-o", str(out / "s.mp3"))
    assert (result.exit_code, result.stderr) == (130, f"Stopped: {out / 's.mp3'} was not written.\n")
    assert os.listdir(out) == []


def test_export_reports_what_it_wrote(mini_cli):
    target = mini_cli / "s.wav"
    result = run("mini", "--side", "both", "-o", str(target))
    assert result.exit_code == 0
    assert (
        result.stderr
        == f"Wrote {target}: Mini, both sides: 2 strokes a side at 60 beats a minute (medium), brief guidance, "
        "0:42 in all.\n"
    )
    import soundfile

    info = soundfile.info(str(target))
    assert (info.samplerate, info.channels, info.subtype) == (22050, 2, "PCM_16")  # stereo by default


@pytest.mark.parametrize(
    ("audio", "reason"),
    [
        # PortAudio, the default, finds no output; simpleaudio, tried next, cannot open ALSA's default either
        (None, "No audio output could be opened (No such file or directory)."),
        ("portaudio", "No audio output could be opened (PortAudio finds no output device)."),
        ("simpleaudio", "No audio output could be opened (No such file or directory)."),
        ("pulse", "COACH_AUDIO is 'pulse': it can be portaudio or simpleaudio."),
    ],
)
def test_no_audio_output_gives_one_plain_message_and_status_3(mini_cli, audio, reason):
    home = mini_cli / "home"
    home.mkdir()
    (home / ".asoundrc").write_text("pcm.!default { type hw card 7 }\nctl.!default { type hw card 7 }\n")
    env = {**os.environ, "HOME": str(home)}
    env.pop("PULSE_SERVER", None)
    env.pop("COACH_AUDIO", None)
    if audio is not None:
        env["COACH_AUDIO"] = audio
    done = subprocess.run(
        [sys.executable, "-m", "coach", "mini", "--side", "right"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 3
    assert done.stdout == ""
    assert done.stderr == (
        "Playing Mini, right side: 2 strokes a side at 60 beats a minute (medium), brief guidance, 0:25 in all. "
        "Ctrl-C stops.\n"
        "See where to press: coach show mini --side right --picture\n"
        f"Error: {reason} To listen later, write the session to a file: coach mini --side right -o mini-right.mp3\n"
    )


def test_help_ends_with_examples():
    result = run("--help")
    assert result.stdout.rstrip().endswith(
        "  psoas          Psoas release\n  psoas-gentle   Gentle psoas\n  psoas-partner  Psoas with a partner"
    )
    assert "  Examples:\n    coach psoas --side right                     play a session\n" in result.stdout
    routine_help = run("psoas", "--help").stdout
    assert (
        "  Examples:\n"
        "    coach psoas --side right\n"
        "    coach psoas --side both --strokes 10 --tempo slow\n"
        "    coach psoas --side left --guidance minimal --no-intro\n"
        "    coach psoas --side left -o psoas-left.mp3\n"
        "    coach psoas --side right --script\n"
    ) in routine_help


def test_help_imports_no_audio_or_speech_stack():
    code = (
        "import sys; from coach.__main__ import main; sys.argv=['coach','--help']\n"
        "try: main()\nexcept SystemExit: pass\n"
        "print(sorted(m for m in ('numpy','pyttsx3','soundfile','simpleaudio','sounddevice') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines()[-1] == "[]"


def test_ctrl_c_during_playback_stops_with_a_short_message(mini_cli):
    played = []

    class Output:
        def play(self, pcm, sample_rate):
            played.append(len(pcm))
            raise KeyboardInterrupt

    result = run("mini", "--side", "right", deps=deps(audio=buffers(Output)))
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (130, "Stopped.")
    # the first segment only: up to 20 ms before the chime, the last quiet point within 4 s
    assert played == [67950 - 441]


def test_show_describes_the_routine_exactly(mini_cli):
    result = run("show", "mini")
    assert (result.exit_code, result.stderr) == (0, "")
    assert (
        result.stdout
        == """\
mini: Mini
A tiny routine for tests.

Phases:
  Start          once
  Place, {side}  each side
  Work, {side}   each side: strokes of press 1, slide 2 beats
  Switch         between the sides, with --side both
  End            once

Strokes: 2 a side by default (1-3 advised)
Tempo: slow 30, medium 60 (default), fast 90 beats a minute
Tools: hands only

Session length    one side  both sides  a stroke
  slow                0:32        0:56  6.0 s (1-2 beats)
  medium              0:25        0:42  3.0 s (1-2 beats)
  fast                0:23        0:37  2.0 s (1-2 beats)

Shape (medium)    one side  first stroke  both sides
  teach                 0:25          0:10        0:42
  refresh               0:25          0:10        0:42
  quick                 0:24          0:10        0:41

In stereo (a pan from left 1 through the centre to right 1; --mono folds it into one channel):
  Start: lead-in centre, chime centre, words centre
  Place, right: chime right 0.6, words centre
  Work, right: tick right 0.6, accent right 0.6, chime right 0.6, words centre, words on the beat right 0.2
  Switch: chime right 0.6 to left 0.6, words centre
  Place, left: chime left 0.6, words centre
  Work, left: tick left 0.6, accent left 0.6, chime left 0.6, words centre, words on the beat left 0.2
  End: chime centre, words centre
"""
    )  # a routine without shapes says the same in each (a quick session's reminder needs a program, which it has not)


def test_show_an_unknown_routine(mini_cli):
    result = run("show", "nosuch")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: No routine named 'nosuch'. Routines: iliacus, mini, psoas, psoas-gentle, psoas-partner.\n"
    )


def test_no_intro_minimal_guidance_and_bpm_reach_the_script(mini_cli):
    text = MINI.replace('title = "Start"', 'title = "Start"\nintro = true')
    (mini_cli / "config" / "routines" / "intro.toml").write_text(text)
    script = build_script(
        parse_routine(text, "intro.toml", "intro"), Options(side=Side.LEFT, guidance=Guidance.MINIMAL, intro=False)
    )
    fill_cache(mini_cli / "cache", script.texts())
    result = run("intro", "--side", "left", "--no-intro", "--guidance", "minimal", "--bpm", "30", "--script")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:6] == [
        "Mini, left side: 2 strokes a side at 30 beats a minute, minimal guidance, 0:29 in all.",
        "",
        "00:00.0  # Place, left",
        "00:02.0  Knees to your right, for your left.",
        "00:02.7  (chime)",
        "00:04.7  # Work, left",
    ]
    assert [line[9:] for line in result.stdout.splitlines() if "Stroke" in line or "Last" in line] == [
        "Stroke 1.",
        "Last, 2.",
    ]


def test_tempo_and_bpm_together_are_refused(mini_cli):
    result = run("mini", "--side", "right", "--tempo", "slow", "--bpm", "50")
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (2, "Error: Give --tempo or --bpm, not both.")


def test_rate_was_replaced_by_pace(mini_cli):
    result = run("mini", "--side", "right", "--rate", "130", "--script")
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (
        2,
        "Error: --rate was replaced by --pace: 1.0 is the calm default, 0.9 a little slower, 1.1 a little quicker.",
    )
    slow = run("mini", "--side", "right", "--pace", "0.4", "--script")
    assert slow.exit_code == 2 and "0.4 is not in the range 0.5<=x<=2.0" in slow.stderr


def test_without_portaudio_a_session_plays_through_simpleaudio(monkeypatch):
    """The fault simulated: importing sounddevice fails as it does without libportaudio2. The default falls back to
    simpleaudio; asking for PortAudio by name is one sentence."""
    import sys

    from coach.cli.deps import SYSTEM_CLOCK, audio_output
    from coach.errors import AudioOutputError
    from coach.output.playback import Player, SimpleaudioBackend

    class NoPortAudio:
        def find_spec(self, name: str, *args: object) -> None:
            if name == "sounddevice":
                raise OSError("PortAudio library not found")

    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(sys, "meta_path", [NoPortAudio(), *sys.meta_path])
    for kind in (None, "simpleaudio"):
        player = audio_output(kind)(SYSTEM_CLOCK, 2)
        assert isinstance(player, Player) and type(player.backend) is SimpleaudioBackend
    with pytest.raises(AudioOutputError, match=r"^No audio output could be opened \(PortAudio library not found\)\.$"):
        audio_output("portaudio")(SYSTEM_CLOCK, 2)


# -- routine names (issue 13, item 11) ------------------------------------------------------------------------


def test_a_user_routine_named_like_a_command_is_refused_by_its_file(mini_cli):
    folder = mini_cli / "config" / "routines"
    for name in ("list", "export"):
        (folder / f"{name}.toml").write_text(MINI)
    problem = "is the name of a coach command, so this routine could never run: rename the file"
    listed = run("list").stdout.splitlines()
    assert listed[0] == f"export          (cannot be loaded: {folder / 'export.toml'}: 'export' {problem})"
    assert listed[2] == f"list            (cannot be loaded: {folder / 'list.toml'}: 'list' {problem})"
    assert run("list").exit_code == 0  # `coach list` is still the command
    shown = run("--help").stdout
    assert shown.count("  list ") == 1 and shown.count("  export ") == 1  # not listed again as routines
    exported = run("export", str(mini_cli / "lib"), "--routine", "list")
    assert (exported.exit_code, exported.stderr) == (1, f"Error: {folder / 'list.toml'}: 'list' {problem}\n")
    assert not (mini_cli / "lib").exists()
    unknown = run("nosuch", "--side", "right")
    assert unknown.stderr.endswith("Routines: iliacus, mini, psoas, psoas-gentle, psoas-partner. See 'coach list'.\n")


def test_export_of_every_routine_leaves_out_one_that_cannot_load_with_a_warning(mini_cli, monkeypatch):
    import coach.catalog

    monkeypatch.setattr(coach.catalog, "builtin_sources", lambda: [])  # the user's routines only: a short run
    folder = mini_cli / "config" / "routines"
    (folder / "My Routine.toml").write_text(MINI)
    (folder / "list.toml").write_text(MINI)
    lib = mini_cli / "lib"
    result = run("export", str(lib), "--workers", "1")
    assert (result.exit_code, result.stderr) == (
        0,
        f"Warning: left out, as it cannot be loaded: '{folder / 'My Routine.toml'}': 'My Routine' is not a usable "
        "routine name: name the file with lower-case letters, digits and dashes, starting with a letter (such as "
        "my-routine.toml)\n"
        f"Warning: left out, as it cannot be loaded: {folder / 'list.toml'}: 'list' is the name of a coach command, "
        "so this routine could never run: rename the file\n"
        f"Wrote 6 sessions to {lib} (0 already up to date), with coach.m3u and index.txt.\n",
    )
    assert sorted(p.name for p in lib.glob("*.mp3")) == [
        "mini-both-quick.mp3", "mini-both.mp3", "mini-left-quick.mp3", "mini-left.mp3", "mini-right-quick.mp3",
        "mini-right.mp3",
    ]  # fmt: skip
    (folder / "mini.toml").unlink()
    nothing = run("export", str(mini_cli / "none"), "--workers", "1")
    assert (nothing.exit_code, nothing.stderr.splitlines()[-1]) == (
        1, "Error: No routine can be loaded, so there is nothing to export."
    )  # fmt: skip
    assert not (mini_cli / "none").exists() or os.listdir(mini_cli / "none") == []


def test_two_routines_of_one_name_in_one_export_are_refused(mini_cli):
    other = mini_cli / "alt" / "mini.toml"
    other.parent.mkdir()
    other.write_text(MINI)
    result = run("export", str(mini_cli / "lib"), "--routine", "mini", "--routine", str(other))
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (
        2,
        f"Error: --routine mini and --routine {other} are both named 'mini': their sessions would have the same "
        "file names.",
    )
    assert not (mini_cli / "lib").exists()
    again = run("export", str(mini_cli / "lib"), "--routine", "mini", "--routine", "mini", "--workers", "1")
    assert again.stderr.endswith(  # teach and quick, each side once
        "Wrote 6 sessions to " + str(mini_cli / "lib") + " (0 already up to date), with coach.m3u and index.txt.\n"
    )
    assert len((mini_cli / "lib" / "coach.m3u").read_text().splitlines()) == 1 + 2 * 6


def test_the_hint_for_a_routine_that_cannot_load_leads_to_its_reason(tmp_path):
    folder = tmp_path / "config" / "routines"
    folder.mkdir(parents=True)
    (folder / "broken.toml").write_text(MINI.replace("beats = 2", 'beats = "two"'))
    hint = "(cannot be loaded: 'coach list' shows why)"
    assert f"  broken         {hint}\n" in run("--help").stdout
    assert run("broken", "--help").stdout.splitlines()[2] == f"  {hint}."
    assert "broken.toml, line 24: strokes.steps[1].beats: expected a whole number" in run("list").stdout


def test_the_no_device_hint_names_a_routine_given_by_path_as_it_was_given(mini_cli):
    path = mini_cli / "my routines" / "mine.toml"
    path.parent.mkdir()
    path.write_text(MINI)  # mini's texts: its speech is in the cache
    home = mini_cli / "home"
    home.mkdir()
    (home / ".asoundrc").write_text("pcm.!default { type hw card 7 }\nctl.!default { type hw card 7 }\n")
    env = {**os.environ, "HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-m", "coach", str(path), "--side", "left", "--no-log"], env=env, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 3
    assert done.stderr.splitlines()[-1] == (
        "Error: No audio output could be opened (No such file or directory). To listen later, write the session "
        f"to a file: coach '{path}' --side left -o mine-left.mp3"
    )
