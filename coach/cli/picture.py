"""coach show --picture: a routine's picture, written to a file or opened in the desktop's image viewer."""

from __future__ import annotations

from pathlib import Path

import click

from coach.catalog import RoutineSource
from coach.cli.deps import Deps
from coach.errors import CoachError
from coach.kinds import Side
from coach.routine import Routine


def show_picture(deps: Deps, source: RoutineSource, routine: Routine, side: Side, target: str) -> None:
    """Write the picture of the routine's stroke on one side to `target` (.png or .svg); with no target, into the
    cache folder, then open it in the image viewer where there is one."""
    from coach.atomic import write_bytes
    from coach.output.files import check_place
    from coach.picture.drawing import View
    from coach.picture.pictures import checked_png, routine_pictures

    picture = routine_pictures(source, routine)(side, View.STROKE)
    path = Path(target) if target else deps.dirs.cache / "pictures" / f"{source.name}-{side}.png"
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg") or path.name.lower() in (".png", ".svg"):
        raise CoachError(f"Cannot write {path.name}: a picture's file name ends in .png or .svg.")
    if not target:
        path.parent.mkdir(parents=True, exist_ok=True)
    check_place(path)
    write_bytes(path, picture.svg.encode("utf-8") if suffix == ".svg" else checked_png(source, picture))
    if target:
        click.echo(f"Wrote {path}: {routine.title}, {side} side.", err=True)
    elif deps.view_image(path):
        click.echo(f"Opened {path} in the image viewer.", err=True)
    else:
        click.echo(f"Wrote {path}: open it with any image viewer (none can be opened here).", err=True)
