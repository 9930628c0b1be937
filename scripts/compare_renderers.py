"""Compare SVG renderers on coach's own pictures: speed, determinism, file size, and what each does with hostile SVG.

Run with any Python that has the renderers to compare (resvg-py, CairoSVG, and rsvg-convert from Debian's
librsvg2-bin are each tried, and skipped when missing); coach itself is imported from this checkout:

    python scripts/compare_renderers.py

Figures for docs/pictures.md. Each picture is rendered at 1200 x 1200; "same bytes" renders each picture again in a
fresh process and compares. The hostile cases point at a file outside the SVG's folder, at a URL on a local server
(did a request arrive?), at an entity bomb, and at a web font.
"""

from __future__ import annotations

import hashlib
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coach.kinds import Side
from coach.picture.drawing import View, draw
from coach.picture.figures import FIGURES

SIZE = 1200
FONTS = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"]


def render_resvg(svg: str, path: Path) -> bytes:
    import resvg_py

    return bytes(
        resvg_py.svg_to_bytes(
            svg_string=svg, width=SIZE, height=SIZE, skip_system_fonts=True, font_files=FONTS,
            resources_dir=str(path.parent),
        )
    )  # fmt: skip


def render_cairosvg(svg: str, path: Path) -> bytes:
    import cairosvg

    return bytes(cairosvg.svg2png(bytestring=svg.encode(), url=str(path), output_width=SIZE, output_height=SIZE))


def render_rsvg(svg: str, path: Path) -> bytes:
    path.write_text(svg)
    done = subprocess.run(
        ["rsvg-convert", "-w", str(SIZE), "-h", str(SIZE), str(path)], capture_output=True, timeout=60, check=False
    )
    if done.returncode != 0:
        raise ValueError(done.stderr.decode(errors="replace").strip()[:120])
    return done.stdout


RENDERERS = {"resvg-py": render_resvg, "CairoSVG": render_cairosvg, "rsvg-convert": render_rsvg}


def available(name: str) -> bool:
    if name == "rsvg-convert":
        return shutil.which("rsvg-convert") is not None
    module = {"resvg-py": "resvg_py", "CairoSVG": "cairosvg"}[name]
    try:
        __import__(module)
    except (ImportError, OSError):
        return False
    return True


def pictures() -> list[str]:
    return [
        draw(figure, side, view) for figure in FIGURES.values() for side in (Side.RIGHT, Side.LEFT) for view in View
    ]


def digest_in_fresh_process(name: str) -> str:
    code = (
        "import sys, hashlib; sys.path.insert(0, 'scripts'); import compare_renderers as c; from pathlib import Path;"
        f"d = Path(sys.argv[1]); print(hashlib.sha256(b''.join(c.RENDERERS[{name!r}](s, d / 'p.svg') "
        "for s in c.pictures())).hexdigest())"
    )
    with tempfile.TemporaryDirectory() as folder:
        out = subprocess.run([sys.executable, "-c", code, folder], capture_output=True, text=True, check=True)
    return out.stdout.strip()


class Counting(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        Counting.hits += 1
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def hostile(folder: Path, port: int) -> dict[str, str]:
    secret = folder.parent / "secret.png"
    secret.write_bytes(
        Path(__file__).resolve().parent.parent.joinpath("docs", "pictures", "psoas-right.png").read_bytes()
    )
    svgns = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="100"'
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 9))
    return {
        "a file:// URL": f'<svg {svgns}><image href="file://{secret}" width="100" height="100"/></svg>',
        "an absolute path": f'<svg {svgns}><image href="{secret}" width="100" height="100"/></svg>',
        "a path up and out": f'<svg {svgns}><image href="../secret.png" width="100" height="100"/></svg>',
        "a URL": f'<svg {svgns}><image href="http://127.0.0.1:{port}/x.png" width="100" height="100"/></svg>',
        "a web font": (  # the text is drawn either way (in another font): a request is what counts
            f"<svg {svgns}><style>@font-face {{ font-family: W; src: url(http://127.0.0.1:{port}/w.woff); }}"
            "</style><text y='50' font-family='W'>x</text></svg>"
        ),
        "entities (a billion laughs)": (
            f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY l0 "ha">{laughs}]>'
            f'<svg {svgns}><text y="50">&l8;</text></svg>'
        ),
    }


def main() -> None:
    names = [name for name in RENDERERS if available(name)]
    svgs = pictures()
    print(f"{len(svgs)} pictures at {SIZE} x {SIZE}")
    print(f"{'renderer':<14}{'ms each':>9}{'KB each':>9}  same bytes in a fresh process")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "svg"
        folder.mkdir()
        for name in names:
            render = RENDERERS[name]
            render(svgs[0], folder / "p.svg")  # warm up
            start = time.perf_counter()
            pngs = [render(svg, folder / "p.svg") for svg in svgs]
            each = (time.perf_counter() - start) * 1000 / len(svgs)
            size = sum(len(p) for p in pngs) / len(pngs) / 1024
            here = hashlib.sha256(b"".join(pngs)).hexdigest()
            again = digest_in_fresh_process(name)
            print(f"{name:<14}{each:>9.1f}{size:>9.1f}  {'yes' if here == again else 'NO'}")
        server = http.server.HTTPServer(("127.0.0.1", 0), Counting)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        print("\nHostile SVG (what each renderer did):")
        blank = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"></svg>'
        blanks = {name: RENDERERS[name](blank, folder / "p.svg") for name in names}
        for case, svg in hostile(folder, server.server_address[1]).items():
            for name in names:
                Counting.hits = 0
                start = time.perf_counter()
                try:
                    png = RENDERERS[name](svg, folder / "p.svg")
                    drew = "nothing from it" if png == blanks[name] else "IT"
                    outcome = f"rendered, and drew {drew}"
                except Exception as exc:  # the renderers raise many kinds
                    outcome = f"refused ({type(exc).__name__}: {str(exc)[:60]})"
                took = time.perf_counter() - start
                fetched = f"; {Counting.hits} request(s) reached the server" if Counting.hits else ""
                print(f"  {case:<28} {name:<13} {outcome}{fetched} ({took:.2f} s)")
        server.shutdown()
    print(f"\nPython {sys.version.split()[0]}, {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
