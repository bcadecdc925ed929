"""Argument types the training front ends share (each checks a value as it is parsed, so
a bad one is argparse's one-line error before any data loads)."""

from __future__ import annotations

import argparse
import math

from emotion_app.preprocessing import CROP_MARGIN_LIMITS

# The largest seed numpy and torch both take: every tool's --seed and --split-seed.
SEED_MAX = 2**32 - 1


def finite_float(text: str) -> float:
    """A number that is not NaN or infinite (float() takes "nan" and "inf")."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def margins_argument(text: str) -> tuple[float, ...]:
    """The margins of ``--margins``, each one the app would load from a weights card."""
    low, high = CROP_MARGIN_LIMITS
    try:
        margins = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None
    if not all(math.isfinite(margin) and low <= margin <= high for margin in margins):
        raise argparse.ArgumentTypeError(f"each margin must be in {low}..{high}, got {text!r}")
    return margins
