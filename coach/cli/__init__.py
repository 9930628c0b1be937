"""The command line: a thin click layer over the pipeline. Every routine file is a command of its own."""

from __future__ import annotations

import os
import sys

from coach.cli import commands, export, program  # noqa: F401  (they add their commands to the group)
from coach.cli.base import cli

__all__ = ["cli", "main"]


def main() -> None:
    try:
        cli(prog_name="coach")
    except BrokenPipeError:  # output piped into a command that stopped reading, such as `head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
