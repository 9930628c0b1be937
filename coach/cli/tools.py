"""The tools a routine takes (--tool): a tool a routine does not take is refused in one sentence naming those that
do."""

from __future__ import annotations

from coach.catalog import RoutineSource
from coach.cli.deps import Deps
from coach.cli.shared import routine_sources
from coach.errors import CoachError
from coach.kinds import Tool
from coach.routine import Routine


def takers(tool: Tool, deps: Deps) -> list[str]:
    """The routines that take this tool (those that load), by command name."""
    names = []
    for name, source in sorted(routine_sources(deps).items()):
        try:
            if tool in source.load().tools:
                names.append(name)
        except CoachError:
            continue
    return names


def check_tool(tool: Tool, source: RoutineSource, routine: Routine, deps: Deps) -> None:
    """A tool the routine does not take is refused in one sentence naming the routines that take it."""
    if tool in routine.tools:
        return
    names = takers(tool, deps)
    where = f"--tool {tool} goes with {_either(names)}" if names else f"no routine takes --tool {tool}"
    raise CoachError(f"{source.command} is done with the hands: {where}.")


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
