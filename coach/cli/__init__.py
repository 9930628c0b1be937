"""The command line: a thin click layer over the pipeline. Every routine file is a command of its own.

app.py      the group: the built-in commands, listed, and one command per routine; errors become messages
play.py     the routine commands: print a session's script, write it to a file, or play it live
commands.py list, voices, show, info
export.py   export: every routine and side, for a phone
program.py  log and history: the program across days
options.py  option sets shared by several commands
shared.py   what the command modules share: this run's dependencies, routines by name, errors, progress bars
deps.py     the dependencies (directories, speech engine, audio output, keyboard, clock), built once here

The `coach` command's entry point is coach/__main__.py.
"""

from __future__ import annotations

from coach.cli.app import cli

__all__ = ["cli"]
