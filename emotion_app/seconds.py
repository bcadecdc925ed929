"""A time a caller gives, in seconds: any real number, read one way everywhere.

The pipeline's frame times and the CSV's ``time_s`` column take the same values, so the
time a frame was processed at is the time its rows are written with.
"""

from __future__ import annotations

import math
import numbers
from decimal import Decimal
from typing import SupportsFloat, TypeGuard

import numpy as np


def seconds_or_none(name: str, value: object) -> float | None:
    """``value`` as seconds: None where it is None, NaN or infinite (once in the smoother's
    clock, a NaN would make every later label NaN), or beyond a float; a TypeError naming
    ``name`` for anything that is no real number."""
    if value is None:
        return None
    if not is_real_number(value):
        raise TypeError(f"{name} must be seconds (a number) or None, got {_described(value)}")
    if isinstance(value, Decimal) and value.is_nan():
        return None  # float() refuses a signalling NaN
    try:
        seconds = float(value)
    except OverflowError:  # an int or Fraction past a float's range: as infinite
        return None
    return seconds if math.isfinite(seconds) else None


def is_real_number(value: object) -> TypeGuard[SupportsFloat]:
    """A real number a user's clock or file may give: Python's and numpy's reals (numbers.Real),
    a Decimal, or a 0-d numpy array of integers or floats. A bool is an int to Python, but
    process(frame, True) means still=True, not 1 s (numpy's bool is no numbers.Real)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, np.ndarray):
        return value.ndim == 0 and value.dtype.kind in "iuf"
    return isinstance(value, (numbers.Real, Decimal))


def _described(value: object) -> str:
    """``value`` for a one-line error: an array by its dtype and shape, anything else by
    its type and (the start of) its repr, on one line."""
    if isinstance(value, np.ndarray):
        return f"an array of {value.dtype} of shape {value.shape}"
    return f"{type(value).__name__} {' '.join(repr(value).split()):.40}"
