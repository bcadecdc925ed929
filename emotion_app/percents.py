"""Shares shown as whole percents that add up as the shares do (largest-remainder rounding).

Each share rounded on its own can make a set read 101% or 99% ("happy 51%, sad 40%,
neutral 10%"); here the leftover points go to the shares whose fractions are largest.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["part_percent", "whole_percents"]


def part_percent(part: int, whole: int) -> int:
    """``part`` of ``whole`` as a whole percent that reads 100 only for all of it and 0 only
    for none: rounded alone, 274 of 275 frames with a face read "100%", as if none lacked
    one (here 99), and 1 of 300 "0%" (here 1)."""
    if whole <= 0 or part <= 0:
        return 0
    if part >= whole:
        return 100
    return min(99, max(1, round(100 * part / whole)))


def whole_percents(shares: Sequence[float]) -> list[int]:
    """``shares`` (fractions of one whole, e.g. 0.514) as whole percents adding up to their
    sum's percent rounded (100 for a whole), each its own percent rounded down or up.

    Ties go to the earlier share. Values that are not finite, or below 0, count as 0."""
    scaled = [100.0 * share if math.isfinite(share) and share > 0 else 0.0 for share in shares]
    floors = [math.floor(value) for value in scaled]
    # The sum is rounded before it is shared out, so shares adding up to 0.99999 (a
    # softmax in float32) still make 100.
    missing = int(round(sum(scaled))) - sum(floors)
    # Fractions compared to a millionth of a point: in floats 100 * 297 / 398 leaves a hair
    # less than 100 * 98 / 398 (both 248/398), and 97.6 less than 0.6, so a tie went to the later.
    remainders = [round(value - floor, 6) for value, floor in zip(scaled, floors)]
    by_remainder = sorted(range(len(scaled)), key=lambda index: -remainders[index])
    for index in by_remainder[: max(0, missing)]:
        floors[index] += 1
    return floors
