"""The paper a printed page is laid out for: A4, or US Letter where the locale says so (a leaf: pure, no I/O).

The locale's paper is read as the C library reads LC_PAPER: LC_ALL first, then LC_PAPER, then LANG; the territory
of a name such as en_US.UTF-8 (or fr_CA, es_MX@euro) decides. The territories that use Letter are those whose
locales in the GNU C library's locale data have a 279 mm high page (en_US's, which the others copy); everywhere
else, and for C, POSIX or no locale at all, the page is A4.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Paper(StrEnum):
    A4 = "a4"
    LETTER = "letter"

    @property
    def millimetres(self) -> tuple[float, float]:
        """Width and height."""
        return (210.0, 297.0) if self is Paper.A4 else (215.9, 279.4)

    @property
    def name_shown(self) -> str:
        return "A4" if self is Paper.A4 else "Letter"


# glibc's localedata: the locales whose LC_PAPER is 279 x 216 mm (the United States, Canada, Puerto Rico, Mexico,
# the Philippines, and Bolivia, Chile, Colombia, Costa Rica, Guatemala, Nicaragua, Panama, El Salvador, Venezuela).
LETTER_TERRITORIES = frozenset({"US", "CA", "PR", "MX", "PH", "BO", "CL", "CO", "CR", "GT", "NI", "PA", "SV", "VE"})


def locale_paper(environ: Mapping[str, str]) -> Paper:
    """The paper the locale's LC_PAPER names: Letter in the territories above, A4 otherwise."""
    name = next((environ[key] for key in ("LC_ALL", "LC_PAPER", "LANG") if environ.get(key)), "")
    territory = name.split(".", 1)[0].split("@", 1)[0].partition("_")[2]
    return Paper.LETTER if territory.upper() in LETTER_TERRITORIES else Paper.A4
