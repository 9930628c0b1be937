"""A user's SVG, made safe to draw and to put into files people share (pure: bytes in, SVG text out).

It is parsed with defusedxml, which refuses a DTD, entities and external references outright. What is kept is SVG
alone: no script, no foreignObject, no event attributes, no element of another namespace. Every reference that
leads out of the document is removed: an href that is not "#id" or an embedded PNG or JPEG (data:), a url(...)
that is not "#id" (in attributes, style attributes and style sheets), @import and @font-face rules. Fonts are
coach's own (font-family is removed, so text is drawn in the document's font). The result is the user's drawing as
a nested <svg>, fitted into coach's square canvas on white, mirrored for the other side when asked.

resvg itself reads image files by path (an absolute path, or one relative to its resources folder): nothing the
renderer is given may still point at one, so this module is the one way a user's SVG reaches it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from coach.picture.svg import CANVAS, Box, num

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
MAX_BYTES = 1024 * 1024  # a picture file's size, at most
MAX_ELEMENTS = 20_000
DROPPED = {"script", "foreignObject", "iframe", "audio", "video", "canvas", "handler", "listener"}
_INTERNAL = re.compile(r"\s*#[\w.:-]*\s*")
_EMBEDDED = re.compile(r"\s*data:image/(png|jpeg);base64,[A-Za-z0-9+/=\s]*")
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_AT_RULES = re.compile(r"@(import|font-face|namespace)[^;{]*(;|\{[^}]*\})", re.IGNORECASE)
_FONT_FAMILY = re.compile(r"font-family\s*:[^;}]*;?", re.IGNORECASE)


class Unsafe(ValueError):
    """An SVG coach will not draw; the message ends the sentence "PICTURE: ..."."""


def clean_svg(data: bytes, mirrored: bool = False) -> str:
    """The drawing in `data` as safe SVG text on coach's square canvas; raises Unsafe with the reason."""
    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    if len(data) > MAX_BYTES:
        raise Unsafe(f"is too large ({len(data)} bytes; a picture holds at most {MAX_BYTES})")
    try:
        root = DET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise Unsafe("declares a DTD or entities, which coach does not read") from None
    except ET.ParseError as exc:
        raise Unsafe(f"is not valid SVG ({_plain(str(exc))})") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise Unsafe("is not an SVG drawing (its outer element is not <svg> in the SVG namespace)")
    count = sum(1 for _ in root.iter())
    if count > MAX_ELEMENTS:
        raise Unsafe(f"has too many elements ({count}; at most {MAX_ELEMENTS})")
    box = _view_box(root)
    _clean(root)
    for name in ("width", "height", "x", "y", "preserveAspectRatio"):
        root.attrib.pop(name, None)
    root.set("viewBox", f"{num(box.x)} {num(box.y)} {num(box.width)} {num(box.height)}")
    root.set("width", str(CANVAS))
    root.set("height", str(CANVAS))
    root.set("preserveAspectRatio", "xMidYMid meet")
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    inner = ET.tostring(root, encoding="unicode")
    flip = f' transform="matrix(-1 0 0 1 {CANVAS} 0)"' if mirrored else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CANVAS} {CANVAS}" width="{CANVAS}" '
        f'height="{CANVAS}" font-family="DejaVu Sans">\n<rect width="{CANVAS}" height="{CANVAS}" fill="#fff"/>\n'
        f"<g{flip}>{inner}</g>\n</svg>\n"
    )


def _plain(message: str) -> str:
    return message[:120].replace("\n", " ")


def _length(value: str | None) -> float | None:
    """A width or height in user units (px or none); None for a percentage, another unit or no value."""
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(px)?\s*", value or "")
    return float(match.group(1)) if match else None


def _view_box(root: ET.Element) -> Box:
    numbers = re.split(r"[\s,]+", root.get("viewBox", "").strip())
    try:
        x, y, width, height = (float(n) for n in numbers)
    except ValueError:
        width, height, x, y = _length(root.get("width")) or 0, _length(root.get("height")) or 0, 0, 0
    if not (0 < width < 1e7 and 0 < height < 1e7 and abs(x) < 1e7 and abs(y) < 1e7):
        raise Unsafe("gives no size: it needs a viewBox, or a width and a height in pixels")
    return Box(x, y, width, height)


def _clean(element: ET.Element) -> None:
    for child in list(element):
        namespace, _, name = child.tag.rpartition("}") if isinstance(child.tag, str) else ("", "", "")
        if namespace != f"{{{SVG_NS}" or name in DROPPED:
            element.remove(child)
            continue
        if name == "style":
            child.text = _safe_css(child.text or "")
            for grandchild in list(child):
                child.remove(grandchild)
        _clean(child)
    for key in list(element.attrib):
        local = key.rpartition("}")[2]
        value = element.attrib[key]
        leads_out = local == "href" and not (_INTERNAL.fullmatch(value) or _EMBEDDED.fullmatch(value))
        if local.lower().startswith("on") or local == "font-family" or leads_out:
            del element.attrib[key]
        elif local == "style":
            element.attrib[key] = _FONT_FAMILY.sub("", _without_urls(value))
        elif "url(" in value.lower() and _without_urls(value) != value:
            del element.attrib[key]


def _without_urls(css: str) -> str:
    """CSS with every url(...) that is not "#id" replaced by none."""
    return _URL.sub(lambda m: m.group(0) if _INTERNAL.fullmatch(m.group(2)) else "none", css)


def _safe_css(css: str) -> str:
    return _FONT_FAMILY.sub("", _without_urls(_AT_RULES.sub("", css)))
