"""Number types for the command line that take only finite numbers: Python's float() reads "nan", "inf" and
"-infinity", and NaN passes every comparison of a range (`nan < 0.5` and `nan > 2.0` are both false), so click's
FloatRange lets it through to the speech engine."""

from __future__ import annotations

import math
from typing import Any

import click


class FiniteFloatRange(click.FloatRange):
    """click's FloatRange with NaN and the infinities refused first, as usage errors (exit status 2)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return super().convert(number, param, ctx)
