"""A picture of the program: sessions per day as bars, tenderness as a line, one panel per routine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from coach.atomic import atomic_path
from coach.errors import CoachError
from coach.program import Entry, daily
from coach.routine import Program

MISSING = "Drawing needs matplotlib, which is not installed: pip install 'coach[plot]' adds it."


def plot_history(entries: Sequence[Entry], path: Path, programs: Mapping[str, Program | None] | None = None) -> None:
    """Each routine's days: the sessions that count on each side as bars, the program's sessions a day as a dashed
    line over its days, and each side's tenderness as a line."""
    try:
        import matplotlib
    except ImportError:
        raise CoachError(MISSING) from None

    matplotlib.use("Agg")
    from matplotlib import pyplot
    from matplotlib.ticker import MaxNLocator

    routines = sorted({e.routine for e in entries})
    if not routines:
        raise CoachError("Nothing to draw yet: no sessions are recorded.")
    figure, axes = pyplot.subplots(len(routines), 1, figsize=(8, 3 * len(routines)), squeeze=False)
    for axis, routine in zip(axes[:, 0], routines, strict=True):
        rows = daily(entries, routine)
        days = [row.number for row in rows]
        program = (programs or {}).get(routine)
        axis.bar([d - 0.2 for d in days], [row.sessions[0] for row in rows], width=0.4, color="#9ab8d8", label="right")
        axis.bar([d + 0.2 for d in days], [row.sessions[1] for row in rows], width=0.4, color="#c6d9a0", label="left")
        if program is not None:  # the day's target, over the program's days (or as far as the log goes)
            axis.axhline(program.sessions_per_day, color="#808080", linestyle="--", linewidth=1, label="target")
            axis.set_xlim(0.5, max([program.days, *days]) + 0.5)
        axis.set_xlabel("day")
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        axis.yaxis.set_major_locator(MaxNLocator(integer=True))
        axis.set_ylabel("sessions")
        axis.set_title(routine)
        twin = axis.twinx()
        twin.set_ylim(0, 10)
        twin.set_ylabel("tenderness (0-10)")
        for index, (side, colour) in enumerate((("right", "#c0504d"), ("left", "#6b8e23"))):
            marks = [(row.number, row.tenderness[index]) for row in rows if row.tenderness[index] is not None]
            if marks:
                twin.plot(
                    [d for d, _ in marks], [t for _, t in marks], color=colour, marker="o", label=f"{side} tender"
                )
        axis.legend(loc="upper left", fontsize="small")
    figure.tight_layout()
    with atomic_path(path, final=True) as temp:  # the command's result: a signal once it is in place is too late
        figure.savefig(temp, format="png", dpi=100)
    pyplot.close(figure)
