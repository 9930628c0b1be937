"""What a picture's SVG puts where, for the layout tests: each label's box (from the real font's advance widths),
the key marks' shapes (the spot, the slide, the glide back, the press, ...), and a PNG's pixels (to check those
boxes against what resvg draws)."""

from __future__ import annotations

import math
import re
import struct
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.etree import ElementTree

import numpy as np

from coach.picture.render import font_files

NS = "{http://www.w3.org/2000/svg}"
ASCENT, DESCENT = 0.76, 0.24  # DejaVu Sans's tallest letters and deepest descenders, in ems (checked by rendering)
KEY_MARKS = {"spot", "navel", "slide", "slide-end", "back", "circles", "press", "lift", "foot", "tool-tip",
             "inset-spot", "six-pack-edge"}  # fmt: skip


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def meets(self, other: Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def within(self, other: Box) -> bool:
        return other.x0 <= self.x0 and self.x1 <= other.x1 and other.y0 <= self.y0 and self.y1 <= other.y1

    def near(self, x: float, y: float, r: float) -> bool:
        """Whether a disc of radius r at (x, y) reaches into the box."""
        dx = max(self.x0 - x, 0, x - self.x1)
        dy = max(self.y0 - y, 0, y - self.y1)
        return math.hypot(dx, dy) < r


@cache
def advances(bold: bool) -> tuple[dict[int, int], int]:
    """Each character's advance width in font units, and the units per em, from the font file resvg is given."""
    data = Path(font_files()[1 if bold else 0]).read_bytes()
    tables = {}
    for index in range(struct.unpack(">H", data[4:6])[0]):
        tag, _, offset, length = struct.unpack(">4sIII", data[12 + 16 * index : 28 + 16 * index])
        tables[tag.decode()] = data[offset : offset + length]
    per_em = struct.unpack(">H", tables["head"][18:20])[0]
    metrics = struct.unpack(">H", tables["hhea"][34:36])[0]
    widths = [struct.unpack(">H", tables["hmtx"][4 * i : 4 * i + 2])[0] for i in range(metrics)]
    glyphs = _cmap(tables["cmap"])
    return {char: widths[min(glyph, metrics - 1)] for char, glyph in glyphs.items()}, per_em


def _cmap(cmap: bytes) -> dict[int, int]:
    """The Unicode BMP characters' glyphs, from the cmap's format 4 subtable (platform 3, encoding 1)."""
    for index in range(struct.unpack(">H", cmap[2:4])[0]):
        platform, encoding, offset = struct.unpack(">HHI", cmap[4 + 8 * index : 12 + 8 * index])
        if (platform, encoding) == (3, 1):
            break
    table = cmap[offset:]
    segments = struct.unpack(">H", table[6:8])[0] // 2
    arrays = [struct.unpack(f">{segments}H", table[at : at + 2 * segments]) for at in _starts(segments)]
    ends, starts, deltas, ranges = arrays
    found = {}
    for seg in range(segments):
        for char in range(starts[seg], min(ends[seg], 0x2FF) + 1):
            if ranges[seg] == 0:
                found[char] = (char + deltas[seg]) & 0xFFFF
            else:
                at = 14 + 2 * segments * 3 + 2 + 2 * seg + ranges[seg] + 2 * (char - starts[seg])
                found[char] = struct.unpack(">H", table[at : at + 2])[0]
    return found


def _starts(segments: int) -> list[int]:
    end = 14
    return [end, end + 2 + 2 * segments, end + 2 + 4 * segments, end + 2 + 6 * segments]


def text_width(words: str, size: float, bold: bool) -> float:
    widths, per_em = advances(bold)
    return sum(widths[ord(char)] for char in words) * size / per_em


@dataclass(frozen=True)
class Label:
    words: str
    box: Box


def labels(svg: str) -> list[Label]:
    """Every text element's box: its advance width by its anchor, its tallest letters to its deepest, and the
    white halo around them."""
    found = []
    for text in ElementTree.fromstring(svg).iter(f"{NS}text"):
        x, y, size = float(text.get("x", 0)), float(text.get("y", 0)), float(text.get("font-size", 16))
        words = text.text or ""
        width = text_width(words, size, text.get("font-weight") == "bold")
        left = {"start": x, "middle": x - width / 2, "end": x - width}[text.get("text-anchor", "start")]
        halo = float(text.get("stroke-width", 0)) / 2
        box = Box(left - halo, y - ASCENT * size - halo, left + width + halo, y + DESCENT * size + halo)
        found.append(Label(words, box))
    return found


@dataclass(frozen=True)
class Mark:
    """A key mark's shape: points along it and the reach around each (a stroke's half width, a circle's radius)."""

    name: str
    points: tuple[tuple[float, float], ...]
    reach: float


def marks(svg: str) -> list[Mark]:
    found = []
    for element in ElementTree.fromstring(svg).iter():
        name = element.get("class", "")
        if name not in KEY_MARKS:
            continue
        tag = element.tag.removeprefix(NS)
        if tag == "circle":
            r = float(element.get("r", 0)) + float(element.get("stroke-width", 0)) / 2
            if element.get("fill") == "none":  # a ring: points around it
                cx, cy, ring = float(element.get("cx", 0)), float(element.get("cy", 0)), float(element.get("r", 0))
                around = tuple((cx + ring * math.cos(a / 16 * math.pi), cy + ring * math.sin(a / 16 * math.pi))
                               for a in range(32))  # fmt: skip
                found.append(Mark(name, around, float(element.get("stroke-width", 0)) / 2))
            else:
                found.append(Mark(name, ((float(element.get("cx", 0)), float(element.get("cy", 0))),), r))
        elif tag == "polygon":
            corners = [tuple(map(float, pair.split(","))) for pair in element.get("points", "").split()]
            found.append(Mark(name, tuple(_filled(corners)), 0.5))
        elif tag == "path":
            width = float(element.get("stroke-width", 0))
            found.append(Mark(name, tuple(path_points(element.get("d", ""))), width / 2))
    return found


def _filled(corners: list[tuple[float, ...]]) -> list[tuple[float, float]]:
    """Points spread over a triangle (an arrowhead), its edges and inside."""
    (ax, ay), (bx, by), (cx, cy) = corners[:3]
    steps = 12
    return [
        (ax + (bx - ax) * i / steps + (cx - ax) * j / steps, ay + (by - ay) * i / steps + (cy - ay) * j / steps)
        for i in range(steps + 1)
        for j in range(steps + 1 - i)
    ]


def path_points(d: str) -> list[tuple[float, float]]:
    """Points along a path of M, L and Q commands (the ones coach's drawings use for marks)."""
    tokens = re.findall(r"[MLQZ]|-?[0-9.]+", d)
    points: list[tuple[float, float]] = []
    here = start = (0.0, 0.0)
    index = 0
    while index < len(tokens):
        command = tokens[index]
        numbers = [float(t) for t in tokens[index + 1 : index + 5] if not t.isalpha()]
        if command == "M":
            here = start = (numbers[0], numbers[1])
            points.append(here)
            index += 3
        elif command in "LZ":
            end = start if command == "Z" else (numbers[0], numbers[1])
            points += [_between(here, end, step / 20) for step in range(21)]
            here, index = end, index + (1 if command == "Z" else 3)
        elif command == "Q":
            (cx, cy), end = (numbers[0], numbers[1]), (numbers[2], numbers[3])
            for step in range(21):
                t = step / 20
                points.append(
                    (
                        (1 - t) ** 2 * here[0] + 2 * (1 - t) * t * cx + t**2 * end[0],
                        (1 - t) ** 2 * here[1] + 2 * (1 - t) * t * cy + t**2 * end[1],
                    )
                )
            here, index = end, index + 5
        else:
            raise ValueError(f"a mark's path has {command}, which the layout test does not read")
    return points


def _between(start: tuple[float, float], end: tuple[float, float], t: float) -> tuple[float, float]:
    return start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t


def frames(svg: str) -> list[Box]:
    """The insets' frames."""
    found = []
    for rect in ElementTree.fromstring(svg).iter(f"{NS}rect"):
        if rect.get("class", "").startswith("inset"):
            x, y = float(rect.get("x", 0)), float(rect.get("y", 0))
            found.append(Box(x, y, x + float(rect.get("width", 0)), y + float(rect.get("height", 0))))
    return found


def pixels(png: bytes) -> np.ndarray:
    """An 8-bit RGBA PNG's pixels (as resvg writes them: one image, any of the five row filters), for small ones."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    at, chunks, width, height = 8, b"", 0, 0
    while at < len(png):
        length, kind = struct.unpack(">I4s", png[at : at + 8])
        body = png[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert (depth, colour) == (8, 6), "an 8-bit RGBA picture"
        elif kind == b"IDAT":
            chunks += body
        at += 12 + length
    raw, stride = zlib.decompress(chunks), width * 4
    rows: list[bytearray] = []
    above = bytearray(stride)
    for row in range(height):
        start = row * (stride + 1)
        above = _unfilter(raw[start], raw[start + 1 : start + 1 + stride], above)
        rows.append(above)
    return np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(height, width, 4)


def _unfilter(kind: int, line: bytes, above: bytearray) -> bytearray:
    row = bytearray(line)
    for i in range(len(row)):
        left = row[i - 4] if i >= 4 else 0
        corner = above[i - 4] if i >= 4 else 0
        if kind == 1:
            value = left
        elif kind == 2:
            value = above[i]
        elif kind == 3:
            value = (left + above[i]) // 2
        elif kind == 4:
            p = left + above[i] - corner
            pa, pb, pc = abs(p - left), abs(p - above[i]), abs(p - corner)
            value = left if pa <= pb and pa <= pc else above[i] if pb <= pc else corner
        else:
            value = 0
        row[i] = (row[i] + value) & 0xFF
    return row
