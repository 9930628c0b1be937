"""Render one cleaned SVG from stdin to PNG on stdout, within a memory limit: `python -m coach.picture.child PIXELS
LIMIT`. Exit status 1 with the reason on stderr's last line when it cannot be drawn."""

from __future__ import annotations

import resource
import sys


def main(argv: list[str]) -> int:
    pixels, limit = int(argv[0]), int(argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from coach.picture.render import PictureError, render_png

    try:
        png = render_png(sys.stdin.buffer.read().decode("utf-8"), pixels)
    except PictureError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    sys.stdout.buffer.write(png)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
