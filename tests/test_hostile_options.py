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
        ("log", "--tenderness"), ("psoas", "--bpm"), ("psoas", "--pace"), ("psoas", "--strokes"),
        ("remind", "--per-day"), ("show", "--pace"),
    ]  # fmt: skip


@pytest.mark.parametrize(("command", "option"), every_number_option())
@pytest.mark.parametrize("value", NOT_FINITE)
def test_every_number_option_refuses_nan_and_the_infinities(tmp_path, command, option, value):
    args = {
        "psoas": ["psoas", "--side", "right", "--script"], "export": ["export", str(tmp_path / "lib")],
        "show": ["show", "psoas"], "log": ["log", "psoas", "--side", "right"], "remind": ["remind", "psoas"],
    }[command]  # fmt: skip
    result = run_cli(*args, f"{option}={value}")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    last = result.stderr.splitlines()[-1]
    if option == "--pace":
        assert last == f"Error: Invalid value for '--pace': {value!r} is not a finite number."
    else:
        assert last == f"Error: Invalid value for '{option}': {value!r} is not a valid integer range."
