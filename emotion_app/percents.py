"""Shares shown as whole percents that add up as the shares do (largest-remainder rounding),
and as texts that read "0%" only for none and "100%" only for all.

Each share rounded on its own can make a set read 101% or 99% ("happy 51%, sad 40%,
neutral 10%"); here the leftover points go to the shares whose fractions are largest.
The texts (:func:`share_text`, :func:`share_texts`) never round to a number that says none
or all where it is not: 1 box of 250 reads "<1%", not "0%" (as if none), and 249 ">99%",
not "100%" (as if all). A face's tag and chart keep :func:`whole_percents`' numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["share_text", "share_texts", "whole_percents"]


def share_text(share: float, decimals: int = 0) -> str:
    """``share`` (a fraction of a whole, e.g. 0.514) as a percent to ``decimals`` places
    ("51%") that reads "0%" only for none and "100%" only for all: a share present that
    rounds to 0 reads "<1%" ("<0.1%" to one place), one short of all that rounds to 100
    ">99%" (">99.9%"). Not finite, or below 0, reads "0%"."""
    if not math.isfinite(share) or share <= 0:
        return "0%"
    if share >= 1:
        return "100%"
    text = f"{100 * share:.{decimals}f}"
    step = f"{10.0**-decimals:.{decimals}f}"  # "1", "0.1": the least the text can say
    if float(text) <= 0:
        return f"<{step}%"
    if float(text) >= 100:
        return f">{100 - float(step):.{decimals}f}%"
    return f"{text}%"


def share_texts(shares: Sequence[float]) -> list[str]:
    """``shares`` (fractions of one whole) as the texts of :func:`whole_percents`, with a
    share present that gets 0 reading "<1%", and one that gets 100 while another share is
    present, or while it is short of 1, ">99%": 249 and 1 boxes of 250 read ">99%" and
    "<1%", not "100%" and "0%", and 0.996 alone ">99%". Where every share reads a number,
    they add up to 100."""
    present = [math.isfinite(share) and share > 0 for share in shares]
    texts: list[str] = []
    for index, percent in enumerate(whole_percents(shares)):
        others = any(seen for other, seen in enumerate(present) if other != index)
        if percent == 0 and present[index]:
            texts.append("<1%")
        elif percent >= 100 and (others or shares[index] < 1):
            texts.append(">99%")
        else:
            texts.append(f"{percent}%")
    return texts


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
