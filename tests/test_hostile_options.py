"""Values typed on the command line, round three: every number option refuses NaN and the infinities at the edge,
and a value the user typed is quoted exactly in every message that names it. docs/reliability.md lists these."""

from __future__ import annotations

import click
import pytest
from conftest import deps, run_cli

from coach.cli import cli

NOT_FINITE = ["nan", "NaN", "inf", "-inf", "Infinity", "-infinity"]


def every_number_option() -> list[tuple[str, str]]:
    """(command, option) for every option of every command (the built-in ones and a routine's) that takes a
    number."""
    found = []
    with click.Context(cli, obj=deps()) as ctx:
        for name in ["psoas", *cli.commands]:
            command = cli.get_command(ctx, name)
            assert command is not None
            for param in command.params:
                numeric = isinstance(param.type, click.types.FloatParamType | click.types.IntParamType)
                if numeric and isinstance(param, click.Option) and not param.hidden:
                    found.append((name, param.opts[-1]))
    return found


def test_the_number_options_are_all_found():
    assert sorted(every_number_option()) == [
        ("export", "--bpm"), ("export", "--pace"), ("export", "--strokes"), ("export", "--workers"),
        ("listen", "--seconds"), ("log", "--tenderness"), ("psoas", "--bpm"), ("psoas", "--pace"),
        ("psoas", "--strokes"), ("remind", "--per-day"), ("show", "--pace"),
    ]  # fmt: skip


@pytest.mark.parametrize(("command", "option"), every_number_option())
@pytest.mark.parametrize("value", NOT_FINITE)
def test_every_number_option_refuses_nan_and_the_infinities(tmp_path, command, option, value):
    args = {
        "psoas": ["psoas", "--side", "right", "--script"], "export": ["export", str(tmp_path / "lib")],
        "show": ["show", "psoas"], "log": ["log", "psoas", "--side", "right"], "remind": ["remind", "psoas"],
        "listen": ["listen"],
    }[command]  # fmt: skip
    result = run_cli(*args, f"{option}={value}")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    last = result.stderr.splitlines()[-1]
    if option in ("--pace", "--seconds"):
        assert last == f"Error: Invalid value for '{option}': {value!r} is not a finite number."
    else:
        assert last == f"Error: Invalid value for '{option}': {value!r} is not a valid integer range."


# -- a value the user typed is quoted exactly ----------------------------------------------------------------------

# One case per family of messages that name what the user typed: the value comes back exactly, in quotes a shell
# would read it back from (coach.quoting), and a control character cannot break the line or act on the terminal.
QUOTED = [
    (["psoas", "--side", "right", "--script", "--voice", "gmw/en-us; rm -rf /"],
     "Error: The Piper voice 'gmw/en-us; rm -rf /' does not exist."),
    (["psoas", "--side", "right", "--script", "--voice", "my\x1b[2Jvoice"],
     "Error: Unknown voice $'my\\E[2Jvoice': 'coach voices' lists the voices you can use."),
    (["psoas", "--side", "right", "--script", "--engine", "espeak", "--voice", "en; us"],
     "Error: Unknown voice 'en; us': 'coach voices' lists the voices you can use."),
    (["psoas", "--side", "right", "-o", "no such/dir; x/s.mp3"],
     "Error: Cannot write 'no such/dir; x/s.mp3': the folder 'no such/dir; x' does not exist."),
    (["psoas", "--side", "right", "-o", "s\nx.txt"],
     "Error: Cannot write $'s\\nx.txt': the file name must end in .mp3, .wav, .flac or .ogg."),
    (["info", "a b;c.mp3"], "Error: 'a b;c.mp3': no such file."),
    (["psoas x"], "Error: No routine or command named 'psoas x'. Routines: iliacus, psoas, psoas-gentle, "
                  "psoas-partner. See 'coach list'."),
    (["remind", "ps\noas"],
     "Error: No routine named $'ps\\noas'. Routines: iliacus, psoas, psoas-gentle, psoas-partner."),
    (["remind", "psoas", "--from", "7;30"],
     "Error: Invalid value for '--from': '7;30' is not a time of day: write it as HH:MM, such as 07:30 or 21:00."),
    (["remind", "psoas", "--ics", "no dir/a b.ics"],
     "Error: Cannot write 'no dir/a b.ics': the folder 'no dir' does not exist."),
    (["history", "--plot", "a b.jpg"], "Error: Cannot draw 'a b.jpg': the file name must end in .png."),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), QUOTED, ids=[case[1][7:40] for case in QUOTED])
def test_a_value_the_user_typed_is_quoted_exactly_in_the_message(args, message):
    result = run_cli(*args)
    assert result.exit_code in (1, 2) and result.stdout == ""
    assert result.stderr.splitlines()[-1] == message


def test_a_routine_given_by_a_path_is_named_as_a_shell_would_read_it(tmp_path):
    from coach.catalog import path_source

    weird = tmp_path / "my\nroutine.toml"
    weird.write_text('title = "x"\n')
    assert path_source(weird).label == f"$'{tmp_path}/my\\nroutine.toml'"
    result = run_cli(str(weird), "--side", "right", "--script")
    assert result.stderr.startswith(f"Error: $'{tmp_path}/my\\nroutine.toml'")


def test_the_file_written_is_named_as_typed(tmp_path):
    from conftest import install_routine

    install_routine(tmp_path)
    out = tmp_path / "my session; 1.wav"
    result = run_cli("mini", "--side", "right", "-o", str(out), "--srt")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1].startswith(f"Wrote '{out}', 'my session; 1.srt': Mini, right side")
