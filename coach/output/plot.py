"""A picture of the program: sessions per day as bars, tenderness as a line, one panel per routine."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from coach.atomic import atomic_path
from coach.errors import CoachError
from coach.program import Entry, daily

MISSING = "Drawing needs matplotlib, which is not installed: pip install 'coach[plot]' adds it."


def plot_history(entries: Sequence[Entry], path: Path) -> None:
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
        days = [day for day, _, _ in rows]
        axis.bar(days, [count for _, count, _ in rows], color="#9ab8d8", label="sessions")
        axis.set_xlabel("day of the program")
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        axis.yaxis.set_major_locator(MaxNLocator(integer=True))
        axis.set_ylabel("sessions")
        axis.set_title(routine)
        marks = [(day, tender) for day, _, tender in rows if tender is not None]
        twin = axis.twinx()
        twin.set_ylim(0, 10)
        twin.set_ylabel("tenderness (0-10)")
        if marks:
            twin.plot([d for d, _ in marks], [t for _, t in marks], color="#c0504d", marker="o", label="tenderness")
    figure.tight_layout()
    with atomic_path(path) as temp:
        figure.savefig(temp, format="png", dpi=100)
    pyplot.close(figure)
